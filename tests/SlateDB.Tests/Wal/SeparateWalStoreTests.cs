using SlateDB.Manifest;
using SlateDB.Storage;
using static SlateDB.Tests.Engine.EngineTestSupport;

namespace SlateDB.Tests.Wal;

/// <summary>
/// A separate WAL store (RFC-0009): WAL objects go there and only there, recovery replays from it, the manifest
/// records it, and opening with a missing, unexpected or different WAL store is refused with Invalid.
/// </summary>
public sealed class SeparateWalStoreTests
{
    private static readonly WriteOptions Durable = new() { AwaitDurable = true };

    private static Task<SlateDb> OpenAsync(IObjectStore main, IObjectStore? wal, string uri = "", int seed = 1)
    {
        var builder = SlateDb.Builder("db", main).WithOptions(TestOptions()).WithSeed(seed);
        if (wal is not null)
        {
            builder.WithWalObjectStore(wal, uri);
        }

        return builder.OpenAsync();
    }

    [Fact]
    public async Task Wal_objects_go_to_the_wal_store_and_recovery_replays_from_it()
    {
        var main = new InMemoryObjectStore();
        var wal = new InMemoryObjectStore();
        var db = await OpenAsync(main, wal, "mem://wal");
        var handles = new List<long>();
        for (var i = 0; i < 5; i++)
        {
            handles.Add((await db.PutAsync($"k{i}", $"v{i}", writeOptions: Durable)).Sequence);
        }

        (await CountWalObjectsAsync(main)).Should().Be(0, "no WAL object lands in the main store");
        (await CountWalObjectsAsync(wal)).Should().BeGreaterThan(1);
        var manifest = (await new ManifestStore(main, new DbPaths("db")).ReadLatestAsync(default))!.Value.Manifest;
        manifest.Core.WalObjectStoreUri.Should().Be("mem://wal");

        // A second writer (the first never closes: as after a crash) replays the WAL from the WAL store.
        await using (var next = await OpenAsync(main, wal, "mem://wal", seed: 2))
        {
            for (var i = 0; i < 5; i++)
            {
                (await next.GetAsync($"k{i}")).Should().Be($"v{i}");
            }

            var feed = await new WalReader("db", wal).ListAsync();
            feed.Should().NotBeEmpty();
        }

        await CloseMaybeFencedAsync(db);
    }

    [Fact]
    public async Task Opening_without_the_wal_store_with_another_or_adding_one_later_is_invalid()
    {
        var main = new InMemoryObjectStore();
        var wal = new InMemoryObjectStore();
        await using (var db = await OpenAsync(main, wal, "mem://wal"))
        {
            await db.PutAsync("k", "v", writeOptions: Durable);
        }

        foreach (var (store, uri, expected) in new[] { ((IObjectStore?)null, "", "none was given"), (wal, "mem://other", "another one"), (wal, "", "another one") })
        {
            var open = () => OpenAsync(main, store, uri);
            var error = (await open.Should().ThrowAsync<SlateDbException>()).Which;
            error.Kind.Should().Be(SlateDbErrorKind.Invalid);
            error.Message.Should().Contain(expected);
        }

        var plain = new InMemoryObjectStore();
        await using (var db = await OpenAsync(plain, null))
        {
            await db.PutAsync("k", "v", writeOptions: Durable);
        }

        var late = () => OpenAsync(plain, new InMemoryObjectStore());
        (await late.Should().ThrowAsync<SlateDbException>()).Which.Message.Should().Contain("main object store");
    }

    [Fact]
    public async Task An_unnamed_wal_store_is_recorded_as_SlateDB_records_it()
    {
        var main = new InMemoryObjectStore();
        var wal = new InMemoryObjectStore();
        await using (var db = await OpenAsync(main, wal))
        {
            await db.PutAsync("k", "v", writeOptions: Durable);
        }

        var manifest = (await new ManifestStore(main, new DbPaths("db")).ReadLatestAsync(default))!.Value.Manifest;
        manifest.Core.WalObjectStoreUri.Should().Be(string.Empty);
        await using var again = await OpenAsync(main, wal);
        (await again.GetAsync("k")).Should().Be("v");
    }

    [Fact]
    public async Task The_embedded_collector_deletes_obsolete_wal_objects_in_the_wal_store()
    {
        var main = new InMemoryObjectStore();
        var wal = new InMemoryObjectStore();
        var options = TestOptions() with
        {
            GarbageCollectorOptions = new GarbageCollectorOptions
            {
                WalOptions = new GarbageCollectorDirectoryOptions { Interval = TimeSpan.FromMilliseconds(50), MinAge = TimeSpan.Zero },
                ManifestOptions = null,
                CompactedOptions = null,
                CompactionsOptions = null,
            },
        };
        await using var db = await SlateDb.Builder("db", main).WithOptions(options).WithWalObjectStore(wal, "mem://wal").OpenAsync();
        for (var i = 0; i < 5; i++)
        {
            await db.PutAsync($"k{i}", "v", writeOptions: Durable);
        }

        var before = await CountWalObjectsAsync(wal);
        await db.FlushAsync(new FlushOptions { FlushType = FlushType.MemTable });
        await EventuallyAsync(() => CountWalObjectsAsync(wal).GetAwaiter().GetResult() < before, "the collector to delete WAL objects in the WAL store");
    }
}

/// <summary>A standalone garbage collector given the database's WAL store collects WAL objects there; without it (WAL tasks on) or with one for a database that has none, it refuses to start.</summary>
public sealed class StandaloneCollectorWalStoreTests
{
    [Fact]
    public async Task A_standalone_collector_uses_the_wal_store_it_is_given()
    {
        var main = new InMemoryObjectStore();
        var wal = new InMemoryObjectStore();
        var options = TestOptions() with { GarbageCollectorOptions = null };
        await using (var db = await SlateDb.Builder("db", main).WithOptions(options).WithWalObjectStore(wal, "mem://wal").OpenAsync())
        {
            for (var i = 0; i < 5; i++)
            {
                await db.PutAsync($"k{i}", "v", writeOptions: new WriteOptions { AwaitDurable = true });
            }

            await db.FlushAsync(new FlushOptions { FlushType = FlushType.MemTable });
        }

        var before = await CountWalObjectsAsync(wal);
        before.Should().BeGreaterThan(2);
        var gcOptions = new GarbageCollectorOptions
        {
            WalOptions = new GarbageCollectorDirectoryOptions { Interval = null, MinAge = TimeSpan.Zero },
            ManifestOptions = null,
            CompactedOptions = null,
            CompactionsOptions = null,
        };

        var without = () => SlateDB.GarbageCollection.GarbageCollector.StartAsync("db", main, gcOptions);
        (await without.Should().ThrowAsync<SlateDbException>()).Which.Message.Should().Contain("separate object store");

        await using (var collector = await SlateDB.GarbageCollection.GarbageCollector.StartAsync("db", main, wal, gcOptions))
        {
            var summary = await collector.RunOnceAsync();
            summary.Should().NotBeNull();
        }

        var after = await CountWalObjectsAsync(wal);
        after.Should().BeLessThan(before, "the standalone collector deleted obsolete WAL objects in the WAL store");
        await using (var again = await SlateDb.Builder("db", main).WithOptions(options).WithWalObjectStore(wal, "mem://wal").OpenAsync())
        {
            (await again.GetAsync("k4")).Should().Be("v");
        }

        var plain = new InMemoryObjectStore();
        await using (var db = await SlateDb.Builder("db", plain).WithOptions(options).OpenAsync())
        {
            await db.PutAsync("k", "v");
        }

        var unexpected = () => SlateDB.GarbageCollection.GarbageCollector.StartAsync("db", plain, new InMemoryObjectStore(), gcOptions);
        (await unexpected.Should().ThrowAsync<SlateDbException>()).Which.Kind.Should().Be(SlateDbErrorKind.Invalid);
    }
}
