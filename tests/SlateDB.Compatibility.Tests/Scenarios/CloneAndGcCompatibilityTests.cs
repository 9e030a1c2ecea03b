using System.Text;
using System.Text.Json.Nodes;
using SlateDB.Compatibility.Tests.Engines;
using SlateDB.Storage;

namespace SlateDB.Compatibility.Tests.Scenarios;

/// <summary>
/// Checkpoints and clones this library makes, under SlateDB 0.12.1: SlateDB's garbage collector (run by a SlateDB
/// writer with every task on, minimum age 0) keeps what a checkpoint made here pins, while it deletes an SST nothing
/// pins; SlateDB's writer opens a clone made here, reads the SSTs it borrows under the parent's path (risk R4) and
/// writes its own. SlateDB 0.12.1's Node binding cannot create clones, so the other direction is not tested against
/// SlateDB.
/// </summary>
public sealed class CloneAndGcCompatibilityTests
{
    private static byte[] B(string text) => Encoding.UTF8.GetBytes(text);

    private static string H(string text) => Convert.ToHexStringLower(B(text));

    [CompatFact]
    public async Task SlateDBs_collector_keeps_what_a_checkpoint_made_here_pins()
    {
        using var database = TestDatabase.Create("gc-honours-checkpoint");
        var store = new LocalFileSystemObjectStore(database.Root);
        var options = SlateDbOptions.Default with { FlushInterval = TimeSpan.FromMilliseconds(10), GarbageCollectorOptions = null };
        Guid checkpoint;
        await using (var db = await SlateDb.OpenAsync(database.Path, store, options))
        {
            for (var i = 0; i < 20; i++)
            {
                await db.PutAsync($"k{i:D2}", $"v1-{i}");
            }

            checkpoint = (await db.CreateCheckpointAsync(CheckpointScope.All, new CheckpointOptions { Lifetime = TimeSpan.FromHours(1), Name = "keep" })).Id;
            for (var i = 0; i < 20; i++)
            {
                await db.PutAsync($"k{i:D2}", $"v2-{i}");
            }

            await db.FlushAsync(new FlushOptions { FlushType = FlushType.MemTable });
            (await db.CompactFullAsync()).Should().NotBeNull();
        }

        // Only our checkpoint may pin the checkpointed SSTs: drop the compactor's own 15-minute checkpoint.
        var admin = SlateDbAdmin.For(database.Path, store);
        foreach (var other in (await admin.ListCheckpointsAsync()).Where(c => c.Id != checkpoint))
        {
            await admin.DeleteCheckpointAsync(other.Id);
        }

        var atCheckpoint = await admin.ReadManifestAsync((await admin.ListCheckpointsAsync()).Single().ManifestId);
        var pinned = atCheckpoint.L0.Concat(atCheckpoint.SortedRuns.SelectMany(run => run.Ssts)).Select(sst => $"compacted/{sst.Id}.sst").ToList();
        var latest = await admin.ReadManifestAsync();
        var live = latest.SortedRuns.SelectMany(run => run.Ssts).Select(sst => $"compacted/{sst.Id}.sst").ToHashSet();
        var unpinned = database.ObjectsIn("compacted").Select(name => $"compacted/{name}").Where(path => !pinned.Contains(path) && !live.Contains(path)).ToList();
        pinned.Should().NotBeEmpty();
        unpinned.Should().NotBeEmpty("the L0 SST compacted away after the checkpoint is referenced by nothing");

        await using var engines = await EnginePair.StartAsync();
        var driver = engines.Rust.Driver;
        var settings = EngineSettings.Default.ToRustSettings();
        var every = """{"interval":"50ms","min_age":"0s"}""";
        settings["garbage_collector_options"] = $$"""{"manifest_options":{{every}},"wal_options":{{every}},"compacted_options":{{every}},"compactions_options":{{every}}}""";
        var literals = new JsonObject();
        foreach (var (name, literal) in settings)
        {
            literals[name] = literal;
        }

        await driver.SendAsync(new JsonObject { ["op"] = "open", ["store"] = database.StoreUrl, ["path"] = database.Path, ["settings"] = literals });

        // A newer L0 moves SlateDB's cutoff (the newest L0's ULID time) past the SSTs above; then wait for its collector.
        await driver.SendAsync(new JsonObject { ["op"] = "put", ["key"] = H("late"), ["value"] = H("l") });
        await driver.SendAsync(new JsonObject { ["op"] = "flush", ["kind"] = "memtable" });
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (unpinned.Any(path => File.Exists(Path.Combine(database.Folder, path))) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        unpinned.Should().OnlyContain(path => !File.Exists(Path.Combine(database.Folder, path)), "SlateDB's collector ran and deleted what nothing pins");
        pinned.Should().OnlyContain(path => File.Exists(Path.Combine(database.Folder, path)), "SlateDB's collector kept what our checkpoint pins");
        await driver.SendAsync(new JsonObject { ["op"] = "close" });

        // Both readers read the checkpointed state.
        await using (var reader = await DbReader.OpenAsync(database.Path, store, new DbReaderOptions { Mode = DbReaderMode.Checkpoint(checkpoint) }))
        {
            (await reader.GetAsync("k07")).Should().Be("v1-7");
            (await reader.GetAsync("late")).Should().BeNull();
        }

        await driver.SendAsync(new JsonObject { ["op"] = "reader_open", ["store"] = database.StoreUrl, ["path"] = database.Path, ["checkpoint"] = checkpoint.ToString(), ["poll_ms"] = 100 });
        var answer = await driver.SendAsync(new JsonObject { ["op"] = "reader_get", ["key"] = H("k19") });
        answer["value"]!.GetValue<string>().Should().Be(H("v1-19"));
        await driver.SendAsync(new JsonObject { ["op"] = "reader_close" });
    }

    [CompatFact]
    public async Task SlateDB_opens_a_clone_made_here_reads_borrowed_ssts_under_the_parents_path_and_writes_its_own()
    {
        using var database = TestDatabase.Create("clone-opened-by-slatedb");
        var store = new LocalFileSystemObjectStore(database.Root);
        var options = SlateDbOptions.Default with { FlushInterval = TimeSpan.FromMilliseconds(10), GarbageCollectorOptions = null };
        await using (var parent = await SlateDb.OpenAsync(database.Path, store, options))
        {
            for (var i = 0; i < 20; i++)
            {
                await parent.PutAsync($"k{i:D2}", $"parent-{i}");
            }

            await parent.FlushAsync(new FlushOptions { FlushType = FlushType.MemTable });
            await parent.PutAsync("wal-only", "w", writeOptions: new WriteOptions { AwaitDurable = true });
        }

        var parentSsts = database.ObjectsIn("compacted");
        var clonePath = database.Path + "-clone";
        var clone = await SlateDbAdmin.For(clonePath, store).CreateCloneAsync(database.Path);
        clone.BorrowedSsts.Should().BeGreaterThan(0);
        await using (var writer = await SlateDb.OpenAsync(clonePath, store, options))
        {
            await writer.PutAsync("k00", "clone-0");
            await writer.FlushAsync(new FlushOptions { FlushType = FlushType.MemTable });
        }

        // SlateDB 0.12.1's writer resolves external SSTs (its DbReader does not: it looks for them under the clone).
        await using var engines = await EnginePair.StartAsync();
        var driver = engines.Rust.Driver;
        var literals = new JsonObject();
        foreach (var (name, literal) in EngineSettings.Default.ToRustSettings())
        {
            literals[name] = literal;
        }

        await driver.SendAsync(new JsonObject { ["op"] = "open", ["store"] = database.StoreUrl, ["path"] = clonePath, ["settings"] = literals });
        (await driver.SendAsync(new JsonObject { ["op"] = "get", ["key"] = H("k00") }))["value"]!.GetValue<string>().Should().Be(H("clone-0"));
        (await driver.SendAsync(new JsonObject { ["op"] = "get", ["key"] = H("k05") }))["value"]!.GetValue<string>().Should().Be(H("parent-5"), "a borrowed SST, read under the parent's path");
        (await driver.SendAsync(new JsonObject { ["op"] = "scan" }))["rows"]!.AsArray().Should().HaveCount(21, "twenty keys and the WAL-only key (from the copied WAL)");
        await driver.SendAsync(new JsonObject { ["op"] = "put", ["key"] = H("from-slatedb"), ["value"] = H("s") });
        await driver.SendAsync(new JsonObject { ["op"] = "flush", ["kind"] = "memtable" });
        await driver.SendAsync(new JsonObject { ["op"] = "close" });

        await using var reopened = await SlateDb.OpenAsync(clonePath, store, options);
        (await reopened.GetAsync("from-slatedb")).Should().Be("s");
        (await reopened.GetAsync("k05")).Should().Be("parent-5");
        (await SlateDbAdmin.For(clonePath, store).ReadManifestAsync()).ExternalDbs.Should().ContainSingle(e => e.FinalCheckpointId == clone.FinalCheckpointId, "SlateDB kept the external database entry");
        database.ObjectsIn("compacted").Should().Equal(parentSsts, "neither engine wrote the clone's SSTs under the parent");
    }
}
