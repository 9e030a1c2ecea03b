using System.Diagnostics.Metrics;
using Microsoft.Extensions.Time.Testing;
using SlateDB.Common;
using SlateDB.GarbageCollection;
using SlateDB.Manifest;
using SlateDB.Memtable;
using SlateDB.Sst;
using SlateDB.Storage;
using static SlateDB.Tests.GarbageCollection.GcTestWorld;
using SlateDB.Flush;

namespace SlateDB.Tests.GarbageCollection;

/// <summary>The collector against databases the real engine wrote.</summary>
public sealed class GarbageCollectorEngineTests
{
    private static readonly DateTimeOffset Start = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private static SlateDbOptions EngineOptions(GarbageCollectorOptions? gc = null) =>
        SlateDbOptions.Default with { FlushInterval = null, CompactorOptions = null, GarbageCollectorOptions = gc };

    [Fact]
    public async Task A_database_cleaned_by_the_collector_opens_with_all_its_data()
    {
        const int seed = 4242;
        var time = new FakeTimeProvider(Start);
        var store = new InMemoryObjectStore(time);
        var expected = new SortedDictionary<string, string>(StringComparer.Ordinal);
        await using (var db = await SlateDb.Builder("db", store).WithOptions(EngineOptions()).WithTimeProvider(time).WithSeed(seed).OpenAsync())
        {
            await WriteRoundsAsync(db, time, expected, new Random(seed));
        }

        var l0Count = await CompactAllL0Async(store, time);
        time.Advance(TimeSpan.FromMinutes(10));
        GarbageCollectionSummary summary;
        await using (var collector = await GarbageCollector.StartAsync("db", store, GcOptions(TimeSpan.FromMinutes(1)), time))
        {
            summary = await collector.RunOnceAsync();
        }

        summary.Tasks.Should().OnlyContain(task => task.Succeeded, $"seed {seed}");
        summary.For(GarbageKind.Wal)!.Deleted.Should().BeGreaterThan(5, $"seed {seed}");
        summary.For(GarbageKind.Manifest)!.Deleted.Should().BeGreaterThan(3, $"seed {seed}");
        summary.For(GarbageKind.Compacted)!.Deleted.Should().Be(l0Count - 1, "every compacted L0 but the newest, which is the cutoff");

        await using var reopened = await SlateDb.Builder("db", store).WithOptions(EngineOptions()).WithTimeProvider(time).WithSeed(seed + 1).OpenAsync();
        foreach (var (key, value) in expected)
        {
            (await reopened.GetAsync(key)).Should().Be(value, $"key {key}, seed {seed}");
        }

        var scanned = new List<string>();
        await foreach (var kv in reopened.ScanAsync(KeyRange.All))
        {
            scanned.Add(System.Text.Encoding.UTF8.GetString(kv.Key.Span));
        }

        scanned.Should().Equal(expected.Keys, $"seed {seed}");
    }

    [Fact]
    public async Task The_embedded_collector_runs_on_its_interval()
    {
        var time = new FakeTimeProvider(Start);
        var store = new InMemoryObjectStore(time);
        var directory = new GarbageCollectorDirectoryOptions { Interval = TimeSpan.FromMinutes(1), MinAge = TimeSpan.FromMinutes(2) };
        var gc = new GarbageCollectorOptions { ManifestOptions = directory, WalOptions = directory, WalFenceOptions = directory, CompactedOptions = directory, CompactionsOptions = directory };
        var paths = new DbPaths("db");
        await using var db = await SlateDb.Builder("db", store).WithOptions(EngineOptions(gc)).WithTimeProvider(time).WithSeed(9).OpenAsync();
        db.EmbeddedGarbageCollector.Should().NotBeNull();
        for (var i = 0; i < 4; i++)
        {
            await db.PutAsync($"k{i}", $"v{i}");
            await db.FlushAsync();
            await db.FlushAsync(new FlushOptions { FlushType = FlushType.MemTable });
        }

        (await store.HeadAsync(paths.WalSstPath(1), default)).Should().NotBeNull("the first fence exists before any run");
        (await store.HeadAsync(paths.ManifestPath(1), default)).Should().NotBeNull();

        // Nothing is old enough before two minutes have passed, whatever the runs do.
        time.Advance(TimeSpan.FromMinutes(1));
        await Task.Delay(TimeSpan.FromMilliseconds(100), TimeProvider.System);
        (await store.HeadAsync(paths.WalSstPath(1), default)).Should().NotBeNull();

        // Then the collector, driven only by the fake clock, deletes the old WAL objects and manifests.
        var deadline = TimeProvider.System.GetTimestamp() + (10 * TimeProvider.System.TimestampFrequency);
        while ((await store.HeadAsync(paths.WalSstPath(1), default) is not null || await store.HeadAsync(paths.ManifestPath(1), default) is not null)
            && TimeProvider.System.GetTimestamp() < deadline)
        {
            time.Advance(TimeSpan.FromMinutes(1));
            await Task.Delay(TimeSpan.FromMilliseconds(20), TimeProvider.System);
        }

        (await store.HeadAsync(paths.WalSstPath(1), default)).Should().BeNull("the embedded WAL task ran");
        (await store.HeadAsync(paths.ManifestPath(1), default)).Should().BeNull("the embedded manifest task ran");
        (await db.GetAsync("k3")).Should().Be("v3");
    }

    [Fact]
    public async Task Deletes_are_counted_per_kind_on_the_SlateDB_meter()
    {
        var world = await StandardWorld.BuildAsync();
        var w = world.World;
        w.Advance(TimeSpan.FromMinutes(10));
        using var meters = new ScopedMeterFactory();
        var counted = new Dictionary<string, long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Scope == meters && instrument.Name == "slatedb.gc.deleted")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            var kind = (string)tags.ToArray().Single(tag => tag.Key == "kind").Value!;
            lock (counted)
            {
                counted[kind] = counted.GetValueOrDefault(kind) + value;
            }
        });
        listener.Start();

        await using (var collector = await GarbageCollector.StartAsync(DbPath, w.Store, GcOptions(TimeSpan.FromMinutes(1)), w.Time, meterFactory: meters))
        {
            await collector.RunOnceAsync();
        }

        counted.Should().BeEquivalentTo(new Dictionary<string, long> { ["manifest"] = 2, ["wal"] = 3, ["wal_fence"] = 1, ["compacted"] = 3, ["compactions"] = 1 });
    }

    /// <summary>Five rounds of puts, overwrites and deletes, each WAL-flushed; every other round also flushed to L0.</summary>
    private static async Task WriteRoundsAsync(SlateDb db, FakeTimeProvider time, SortedDictionary<string, string> expected, Random random)
    {
        for (var round = 0; round < 5; round++)
        {
            for (var i = 0; i < 20; i++)
            {
                var key = $"key{random.Next(60):D3}";
                if (random.Next(5) == 0)
                {
                    await db.DeleteAsync(System.Text.Encoding.UTF8.GetBytes(key));
                    expected.Remove(key);
                }
                else
                {
                    var value = $"r{round}-{i}";
                    await db.PutAsync(key, value);
                    expected[key] = value;
                }

                if (i % 5 == 4)
                {
                    await db.FlushAsync();
                }
            }

            if (round % 2 == 1)
            {
                await db.FlushAsync(new FlushOptions { FlushType = FlushType.MemTable });
            }

            time.Advance(TimeSpan.FromMinutes(1));
        }
    }

    /// <summary>Does what a compactor would: merges every L0 SST into one sorted run and commits it; returns the L0 count.</summary>
    private static async Task<int> CompactAllL0Async(IObjectStore store, FakeTimeProvider time)
    {
        var paths = new DbPaths("db");
        var manifests = new ManifestStore(store, paths);
        var tables = new TableStore(store, paths, SlateDbOptions.Default, cache: null);
        var (id, manifest) = (await manifests.ReadLatestAsync(default))!.Value;
        var l0 = manifest.Core.Tree.L0;
        l0.Count.Should().BeGreaterThan(2);
        var merged = new KvTable();
        foreach (var view in l0)
        {
            var sstPath = paths.SstPath(view.Sst.Id);
            var bytes = (await store.GetAsync(sstPath, default))!.Data;
            foreach (var row in SstFile.Open(bytes, sstPath).ReadAllRows(bytes))
            {
                merged.Put(row);
            }
        }

        merged.Freeze();
        time.Advance(TimeSpan.FromSeconds(1));
        var output = await L0SstWriter.WriteAsync(tables, new IdGenerator(time, 1).NewUlid(), merged, [], default);
        var newest = l0[0].Sst.Id.CompactedId;
        var tree = new LsmTreeState(newest, newest, [], [new SortedRun(0, [SsTableView.Identity(output)])]);
        (await manifests.TryWriteAsync(id + 1, manifest with { Core = manifest.Core with { Tree = tree } }, default)).Should().BeTrue();
        return l0.Count;
    }

    /// <summary>Makes meters whose scope is this factory, so a listener hears only them.</summary>
    private sealed class ScopedMeterFactory : IMeterFactory
    {
        private readonly List<Meter> _meters = [];

        public Meter Create(MeterOptions options)
        {
            var meter = new Meter(new MeterOptions(options.Name) { Version = options.Version, Tags = options.Tags, Scope = this });
            _meters.Add(meter);
            return meter;
        }

        public void Dispose()
        {
            foreach (var meter in _meters)
            {
                meter.Dispose();
            }
        }
    }
}
