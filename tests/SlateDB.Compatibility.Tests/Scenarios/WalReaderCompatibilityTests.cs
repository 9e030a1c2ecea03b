using System.Text.Json.Nodes;
using SlateDB.Compatibility.Tests.Engines;
using SlateDB.Compatibility.Tests.Infrastructure;
using SlateDB.Storage;

namespace SlateDB.Compatibility.Tests.Scenarios;

/// <summary>
/// WAL inspection across engines: SlateDB 0.12.1's <c>WalReader</c> reads WAL written by this library row for row,
/// this library's <see cref="WalReader"/> reads SlateDB's WAL the same way SlateDB does, and the change feed
/// delivers SlateDB's writes in sequence order.
/// </summary>
public sealed class WalReaderCompatibilityTests
{
    private sealed record Row(ulong File, string Kind, string Key, string? Value, long Seq, long? CreateTs, long? ExpireTs);

    [CompatFact]
    public async Task SlateDB_reads_this_librarys_WAL_row_for_row()
    {
        using var database = TestDatabase.Create("walreader-dotnet");
        var store = new LocalFileSystemObjectStore(database.Root);
        var options = SlateDbOptions.Default with { FlushInterval = null, CompactorOptions = null, GarbageCollectorOptions = null };
        await using (var db = await SlateDb.OpenAsync(database.Path, store, options))
        {
            await WriteMixAsync(db);
        }

        await using var driver = await RustSlateDb.StartAsync();
        var theirs = await RustRowsAsync(driver, database);
        var ours = await OurRowsAsync(new WalReader(database.Path, store));
        theirs.Should().NotBeEmpty();
        ours.Should().Equal(theirs);
        ours.Select(r => r.Kind).Should().Contain(["Value", "Tombstone"]);
        ours.Should().Contain(r => r.ExpireTs != null);

        var one = await driver.SendAsync(new JsonObject { ["op"] = "wal_get", ["store"] = database.StoreUrl, ["path"] = database.Path, ["wal_id"] = (long)ours[0].File });
        ((long)one["next_id"]!).Should().Be((long)ours[0].File + 1);
    }

    [CompatFact]
    public async Task This_library_reads_SlateDBs_WAL_row_for_row_and_follows_it_as_a_change_feed()
    {
        using var database = TestDatabase.Create("walreader-rust");
        await using var driver = await RustSlateDb.StartAsync();
        await driver.SendAsync(new JsonObject { ["op"] = "open", ["store"] = database.StoreUrl, ["path"] = database.Path });
        var seqs = new List<long>();
        for (var i = 0; i < 5; i++)
        {
            var put = await driver.SendAsync(new JsonObject { ["op"] = "put", ["key"] = Convert.ToHexString(Key($"k{i}")).ToLowerInvariant(), ["value"] = "76", ["ttl_ms"] = i == 2 ? 60_000 : null });
            seqs.Add((long)put["seq"]!);
        }

        seqs.Add((long)(await driver.SendAsync(new JsonObject { ["op"] = "delete", ["key"] = "6b31" }))["seq"]!);
        var batch = new JsonArray
        {
            new JsonObject { ["op"] = "put", ["key"] = "7a", ["value"] = "31" },
            new JsonObject { ["op"] = "put", ["key"] = "61", ["value"] = "32" },
            new JsonObject { ["op"] = "delete", ["key"] = "6b30" },
        };
        seqs.Add((long)(await driver.SendAsync(new JsonObject { ["op"] = "batch", ["ops"] = batch }))["seq"]!);
        await driver.SendAsync(new JsonObject { ["op"] = "close" });

        var theirs = await RustRowsAsync(driver, database);
        var store = new LocalFileSystemObjectStore(database.Root);
        var ours = await OurRowsAsync(new WalReader(database.Path, store));
        ours.Should().Equal(theirs);
        ours.Select(r => r.Seq).Distinct().Should().Equal(seqs);

        // The change feed delivers the same rows in sequence order (SlateDB stores a WAL file's rows in key order).
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var events = await ChangeFeed.ReadAsync(database.Path, store, new ChangeFeedOptions { FromSequence = 1 }, cancellationToken: timeout.Token)
            .Take(ours.Count).ToListAsync(timeout.Token);
        events.Select(e => e.Sequence).Should().BeInAscendingOrder().And.Equal(ours.Select(r => r.Seq).Order());
        events.Select(e => (e.Sequence, Convert.ToHexString(e.Key.Span).ToLowerInvariant()))
            .Should().BeEquivalentTo(ours.Select(r => (r.Seq, r.Key)));
    }

    private static async Task WriteMixAsync(SlateDb db)
    {
        var noWait = new WriteOptions { AwaitDurable = false };
        await db.PutAsync("a", "1", writeOptions: noWait);
        await db.PutAsync("b", "2", new PutOptions { Ttl = Ttl.ExpireAfter(TimeSpan.FromMinutes(5)) }, noWait);
        await db.FlushAsync();
        await db.DeleteAsync("a", writeOptions: noWait);
        var batch = new WriteBatch();
        batch.Put("z", "26");
        batch.Put("c", "3");
        batch.Delete("b");
        await db.WriteAsync(batch, noWait);
        await db.FlushAsync();
        await db.PutAsync("d", new string('x', 10_000), writeOptions: noWait);
        await db.FlushAsync();
    }

    private static byte[] Key(string text) => System.Text.Encoding.UTF8.GetBytes(text);

    private static async Task<List<Row>> RustRowsAsync(RustSlateDb driver, TestDatabase database)
    {
        var answer = await driver.SendAsync(new JsonObject { ["op"] = "wal_read", ["store"] = database.StoreUrl, ["path"] = database.Path });
        var rows = new List<Row>();
        foreach (var file in answer["files"]!.AsArray())
        {
            foreach (var row in file!["rows"]!.AsArray())
            {
                rows.Add(new Row(
                    (ulong)(long)file["id"]!, (string)row!["kind"]!, (string)row["key"]!, (string?)row["value"], (long)row["seq"]!, (long?)row["create_ts"], (long?)row["expire_ts"]));
            }
        }

        return rows;
    }

    private static async Task<List<Row>> OurRowsAsync(WalReader reader)
    {
        var rows = new List<Row>();
        foreach (var file in await reader.ListAsync())
        {
            foreach (var row in await file.ReadRowsAsync())
            {
                rows.Add(new Row(
                    file.Id,
                    row.Kind.ToString(),
                    Convert.ToHexString(row.Key.Span).ToLowerInvariant(),
                    row.Value is { } v ? Convert.ToHexString(v.Span).ToLowerInvariant() : null,
                    row.Sequence,
                    row.CreateTs,
                    row.ExpireTs));
            }
        }

        return rows;
    }
}
