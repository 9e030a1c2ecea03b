using System.Text;
using System.Text.Json.Nodes;
using SlateDB.Compatibility.Tests.Engines;

namespace SlateDB.Compatibility.Tests.Scenarios;

/// <summary>
/// Transactions across engines: a transaction SlateDB 0.12.1 committed is read here as one atomic batch (every row at
/// its one sequence), and a transaction committed here is read by SlateDB the same way, inside its own transaction too.
/// </summary>
public sealed class TransactionCompatibilityTests
{
    private static string Hex(string text) => Convert.ToHexStringLower(Encoding.UTF8.GetBytes(text));

    private static byte[] B(string text) => Encoding.UTF8.GetBytes(text);

    [CompatFact]
    public async Task A_transaction_committed_by_SlateDB_is_read_here_at_one_sequence()
    {
        using var database = TestDatabase.Create("txn-rust-writes");
        await using var engines = await EnginePair.StartAsync();
        var rust = engines.Rust;
        await rust.OpenAsync(database, EngineSettings.Default);
        for (var i = 0; i < 5; i++)
        {
            await rust.PutAsync(B($"base{i}"), B("old"));
        }

        var begun = await rust.Driver.SendAsync(new JsonObject { ["op"] = "txn_begin", ["isolation"] = "SerializableSnapshot" });
        var txn = (int)begun["txn"]!;
        var read = await rust.Driver.SendAsync(new JsonObject { ["op"] = "txn_get", ["txn"] = txn, ["key"] = Hex("base0") });
        ((string?)read["value"]).Should().Be(Hex("old"));
        for (var i = 0; i < 10; i++)
        {
            await rust.Driver.SendAsync(new JsonObject { ["op"] = "txn_put", ["txn"] = txn, ["key"] = Hex($"t{i}"), ["value"] = Hex($"v{i}") });
        }

        await rust.Driver.SendAsync(new JsonObject { ["op"] = "txn_put", ["txn"] = txn, ["key"] = Hex("base1"), ["value"] = Hex("new") });
        await rust.Driver.SendAsync(new JsonObject { ["op"] = "txn_delete", ["txn"] = txn, ["key"] = Hex("base2") });
        var committed = await rust.Driver.SendAsync(new JsonObject { ["op"] = "txn_commit", ["txn"] = txn });
        var seq = (long)committed["seq"]!;

        // A conflicting pair, so the engine's own rule is on record: the loser wrote nothing.
        var first = (int)(await rust.Driver.SendAsync(new JsonObject { ["op"] = "txn_begin" }))["txn"]!;
        var second = (int)(await rust.Driver.SendAsync(new JsonObject { ["op"] = "txn_begin" }))["txn"]!;
        await rust.Driver.SendAsync(new JsonObject { ["op"] = "txn_put", ["txn"] = first, ["key"] = Hex("base3"), ["value"] = Hex("first") });
        await rust.Driver.SendAsync(new JsonObject { ["op"] = "txn_put", ["txn"] = second, ["key"] = Hex("base3"), ["value"] = Hex("second") });
        await rust.Driver.SendAsync(new JsonObject { ["op"] = "txn_put", ["txn"] = second, ["key"] = Hex("loser"), ["value"] = Hex("x") });
        await rust.Driver.SendAsync(new JsonObject { ["op"] = "txn_commit", ["txn"] = first });
        var conflict = await rust.Driver.TrySendAsync(new JsonObject { ["op"] = "txn_commit", ["txn"] = second });
        ((string?)conflict["kind"]).Should().Be("Transaction");
        await rust.FlushMemtableAsync();
        await rust.CloseAsync();

        await engines.DotNet.OpenAsync(database, EngineSettings.Default);
        var db = engines.DotNet.Db;
        for (var i = 0; i < 10; i++)
        {
            var row = await db.GetKeyValueAsync(B($"t{i}"));
            row.Should().NotBeNull();
            Encoding.UTF8.GetString(row!.Value.Span).Should().Be($"v{i}");
            row.Sequence.Should().Be(seq, "every row of SlateDB's transaction carries its one sequence");
        }

        (await db.GetKeyValueAsync(B("base1")))!.Sequence.Should().Be(seq);
        (await db.GetAsync("base1")).Should().Be("new");
        (await db.GetAsync("base2")).Should().BeNull("the transaction's delete");
        (await db.GetAsync("base3")).Should().Be("first");
        (await db.GetAsync("loser")).Should().BeNull("the conflicting transaction wrote nothing");

        // Our transactions work on top of SlateDB's data.
        await using var ours = await db.BeginTransactionAsync(IsolationLevel.SerializableSnapshot);
        (await ours.GetAsync("t3")).Should().Be("v3");
        await ours.PutAsync("t3", "ours");
        await ours.CommitAsync();
        (await db.GetAsync("t3")).Should().Be("ours");
        await engines.DotNet.CloseAsync();
    }

    [CompatFact]
    public async Task A_transaction_committed_here_is_read_by_SlateDB_at_one_sequence()
    {
        using var database = TestDatabase.Create("txn-dotnet-writes");
        await using var engines = await EnginePair.StartAsync();
        await engines.DotNet.OpenAsync(database, EngineSettings.Default);
        var db = engines.DotNet.Db;
        for (var i = 0; i < 5; i++)
        {
            await db.PutAsync($"base{i}", "old");
        }

        long seq;
        await using (var txn = await db.BeginTransactionAsync(IsolationLevel.SerializableSnapshot))
        {
            (await txn.GetAsync("base0")).Should().Be("old");
            for (var i = 0; i < 10; i++)
            {
                await txn.PutAsync($"t{i}", $"v{i}");
            }

            await txn.PutAsync("base1", "new");
            await txn.DeleteAsync("base2");
            seq = (await txn.CommitAsync(new WriteOptions { AwaitDurable = true })).Sequence;
        }

        await using (var loser = await db.BeginTransactionAsync())
        {
            await loser.PutAsync("base3", "loser");
            await loser.PutAsync("loser", "x");
            await db.PutAsync("base3", "plain");
            (await Assert.ThrowsAsync<SlateDbException>(async () => await loser.CommitAsync())).Kind.Should().Be(SlateDbErrorKind.Transaction);
        }

        await engines.DotNet.CloseAsync();

        var rust = engines.Rust;
        await rust.OpenAsync(database, EngineSettings.Default);
        for (var i = 0; i < 10; i++)
        {
            var row = await rust.GetAsync(B($"t{i}"));
            row.Should().NotBeNull();
            Encoding.UTF8.GetString(row!.Value).Should().Be($"v{i}");
            row.Seq.Should().Be(seq, "every row of our transaction carries its one sequence");
        }

        (await rust.GetAsync(B("base1")))!.Seq.Should().Be(seq);
        (await rust.GetAsync(B("base2"))).Should().BeNull();
        Encoding.UTF8.GetString((await rust.GetAsync(B("base3")))!.Value).Should().Be("plain");
        (await rust.GetAsync(B("loser"))).Should().BeNull();

        // SlateDB's own transaction over our data, and a scan inside it.
        var txnId = (int)(await rust.Driver.SendAsync(new JsonObject { ["op"] = "txn_begin", ["isolation"] = "SerializableSnapshot" }))["txn"]!;
        var scan = await rust.Driver.SendAsync(new JsonObject { ["op"] = "txn_scan", ["txn"] = txnId, ["start"] = Hex("t"), ["end"] = Hex("u") });
        scan["rows"]!.AsArray().Should().HaveCount(10);
        await rust.Driver.SendAsync(new JsonObject { ["op"] = "txn_put", ["txn"] = txnId, ["key"] = Hex("t0"), ["value"] = Hex("rust") });
        await rust.Driver.SendAsync(new JsonObject { ["op"] = "txn_commit", ["txn"] = txnId });
        Encoding.UTF8.GetString((await rust.GetAsync(B("t0")))!.Value).Should().Be("rust");
        await rust.CloseAsync();
    }
}
