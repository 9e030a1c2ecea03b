using System.Text.Json.Nodes;
using SlateDB.Compatibility.Tests.Engines;
using SlateDB.Compatibility.Tests.Infrastructure;
using SlateDB.Storage;

namespace SlateDB.Compatibility.Tests.Scenarios;

/// <summary>
/// A database whose WAL is on a local disk (<see cref="SlateDbBuilder.WithLocalWal"/>) records it in the manifest's
/// <c>wal_object_store_uri</c>; SlateDB 0.12.1 compares that field with its own WAL-store setting at open, so it
/// refuses the database rather than opening it without the writes that are only in the local WAL.
/// </summary>
public sealed class LocalWalCompatibilityTests
{
    [CompatFact]
    public async Task SlateDB_refuses_to_open_a_database_with_a_local_wal()
    {
        using var database = TestDatabase.Create("local-wal");
        var store = new LocalFileSystemObjectStore(database.Root);
        var walDir = Path.Combine(database.Root, "local-wal");
        var options = SlateDbOptions.Default with { CompactorOptions = null, GarbageCollectorOptions = null };
        await using (var db = await SlateDb.Builder(database.Path, store).WithOptions(options).WithLocalWal(walDir).OpenAsync())
        {
            await db.PutAsync("k", "v", writeOptions: new WriteOptions { AwaitDurable = true });
        }

        await using var driver = await RustSlateDb.StartAsync();
        var open = () => driver.SendAsync(new JsonObject { ["op"] = "open", ["store"] = database.StoreUrl, ["path"] = database.Path });
        var refused = (await open.Should().ThrowAsync<RustDriverException>("SlateDB 0.12.1 must not open a database whose WAL it cannot see")).Which;
        refused.Error.Should().ContainAny("WAL", "wal", "Wal");

        // Our engine, given its WAL directory again, still opens it and has the write.
        await using var again = await SlateDb.Builder(database.Path, store).WithOptions(options).WithLocalWal(walDir).OpenAsync();
        (await again.GetAsync("k")).Should().Be("v");
    }
}
