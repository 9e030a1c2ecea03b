using System.Text;
using System.Text.Json.Nodes;
using SlateDB.Compatibility.Tests.Engines;
using SlateDB.Storage;

namespace SlateDB.Compatibility.Tests.Scenarios;

/// <summary>
/// Read replicas and checkpoints across engines: SlateDB 0.12.1's DbReader follows a writer of this library (its
/// managed checkpoint written beside our writer) and reads a checkpoint this library made; this library's DbReader
/// follows a SlateDB writer.
/// </summary>
public sealed class ReaderCompatibilityTests
{
    private static byte[] B(string text) => Encoding.UTF8.GetBytes(text);

    private static string H(string text) => Convert.ToHexStringLower(B(text));

    [CompatFact]
    public async Task SlateDBs_reader_follows_a_dotnet_writer_and_reads_its_checkpoint()
    {
        using var database = TestDatabase.Create("reader-follows-dotnet");
        await using var engines = await EnginePair.StartAsync();
        var driver = engines.Rust.Driver;
        var options = SlateDbOptions.Default with { FlushInterval = TimeSpan.FromMilliseconds(10) };
        await using var db = await SlateDb.OpenAsync(database.Path, new LocalFileSystemObjectStore(database.Root), options);
        for (var i = 0; i < 20; i++)
        {
            await db.PutAsync($"k{i:D2}", $"v1-{i}", writeOptions: new WriteOptions { AwaitDurable = true });
        }

        await db.FlushAsync(new FlushOptions { FlushType = FlushType.MemTable });
        await db.PutAsync("wal-only", "w", writeOptions: new WriteOptions { AwaitDurable = true });
        await driver.SendAsync(new JsonObject { ["op"] = "reader_open", ["store"] = database.StoreUrl, ["path"] = database.Path, ["poll_ms"] = 100 });
        (await ReaderGetAsync(driver, "k07")).Should().Be(H("v1-7"));
        (await ReaderGetAsync(driver, "wal-only")).Should().Be(H("w"), "SlateDB's reader replays our WAL");

        // Durable writes after the reader opened become visible at its next polls.
        for (var i = 0; i < 20; i++)
        {
            await db.PutAsync($"k{i:D2}", $"v2-{i}", writeOptions: new WriteOptions { AwaitDurable = true });
        }

        await db.DeleteAsync("k03", new WriteOptions { AwaitDurable = true });
        var deadline = DateTime.UtcNow.AddSeconds(20);
        // The delete is the last write: once the reader no longer finds k03 it has replayed every write before it
        // (WAL objects are replayed in order). Waiting for k19's new value alone raced with the delete's WAL object.
        while (await ReaderGetAsync(driver, "k03") is not null && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        var rows = await ReaderScanAsync(driver);
        rows.Should().HaveCount(20, "19 keys left plus the WAL-only key");
        rows.Should().Contain((H("k00"), H("v2-0"))).And.NotContain(row => row.Key == H("k03"));
        await driver.SendAsync(new JsonObject { ["op"] = "reader_close" });
        db.Status.State.Should().Be(DbOpenState.Open, "SlateDB's reader (and its managed checkpoint) never fenced our writer");

        // A checkpoint made here is readable by SlateDB's reader pinned at it.
        var checkpoint = await db.CreateCheckpointAsync(CheckpointScope.All, new CheckpointOptions { Lifetime = TimeSpan.FromHours(1) });
        await db.PutAsync("k00", "v3", writeOptions: new WriteOptions { AwaitDurable = true });
        await db.FlushAsync(new FlushOptions { FlushType = FlushType.MemTable });
        await driver.SendAsync(new JsonObject { ["op"] = "reader_open", ["store"] = database.StoreUrl, ["path"] = database.Path, ["checkpoint"] = checkpoint.Id.ToString(), ["poll_ms"] = 100 });
        (await ReaderGetAsync(driver, "k00")).Should().Be(H("v2-0"), "the pinned reader sees the checkpointed state");
        (await ReaderScanAsync(driver)).Should().HaveCount(20);
        await driver.SendAsync(new JsonObject { ["op"] = "reader_close" });
        (await db.GetAsync("k00")).Should().Be("v3");
    }

    [CompatFact]
    public async Task A_dotnet_reader_follows_a_slatedb_writer()
    {
        using var database = TestDatabase.Create("reader-follows-rust");
        await using var engines = await EnginePair.StartAsync();
        var rust = engines.Rust;
        await rust.OpenAsync(database, EngineSettings.Default);
        for (var i = 0; i < 20; i++)
        {
            await rust.PutAsync(B($"k{i:D2}"), B($"v1-{i}"));
        }

        await rust.FlushMemtableAsync();
        await rust.PutAsync(B("wal-only"), B("w"));
        await using var reader = await DbReader.OpenAsync(database.Path, new LocalFileSystemObjectStore(database.Root), new DbReaderOptions { Mode = DbReaderMode.FollowLatest, ManifestPollInterval = TimeSpan.FromMilliseconds(100) });
        (await reader.GetAsync("k07")).Should().Be("v1-7");
        (await reader.GetAsync("wal-only")).Should().Be("w", "our reader replays SlateDB's WAL");

        for (var i = 0; i < 20; i++)
        {
            await rust.PutAsync(B($"k{i:D2}"), B($"v2-{i}"));
        }

        await rust.DeleteAsync(B("k03"));
        await rust.FlushMemtableAsync();
        await rust.PutAsync(B("late"), B("l"));
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (await reader.GetAsync("late") is null && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        var rows = new List<(string, string)>();
        await foreach (var row in reader.ScanAsync(KeyRange.All))
        {
            rows.Add((row.GetKeyString(), row.GetValueString()));
        }

        rows.Should().HaveCount(21).And.Contain(("k00", "v2-0")).And.Contain(("late", "l")).And.NotContain(row => row.Item1 == "k03");
        (await rust.GetAsync(B("k00"))).Should().NotBeNull("the SlateDB writer was never fenced");
        await rust.CloseAsync();
    }

    private static async Task<string?> ReaderGetAsync(Infrastructure.RustSlateDb driver, string key)
    {
        var answer = await driver.SendAsync(new JsonObject { ["op"] = "reader_get", ["key"] = H(key) });
        return answer["value"]?.GetValue<string>();
    }

    private static async Task<List<(string Key, string Value)>> ReaderScanAsync(Infrastructure.RustSlateDb driver)
    {
        var answer = await driver.SendAsync(new JsonObject { ["op"] = "reader_scan" });
        return [.. answer["rows"]!.AsArray().Select(row => (row![0]!.GetValue<string>(), row[1]!.GetValue<string>()))];
    }
}
