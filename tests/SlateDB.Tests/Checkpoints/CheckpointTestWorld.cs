using Microsoft.Extensions.Time.Testing;
using SlateDB.GarbageCollection;
using SlateDB.Manifest;
using SlateDB.Storage;

namespace SlateDB.Tests.Checkpoints;

/// <summary>A database in an in-memory store on a fake clock, with an embedded compactor and a standalone collector run by hand.</summary>
internal sealed class CheckpointTestWorld
{
    public const string DbPath = "db";

    public static readonly DateTimeOffset Start = new(2031, 5, 6, 7, 0, 0, TimeSpan.Zero);

    public FakeTimeProvider Time { get; } = new(Start);

    public InMemoryObjectStore Store { get; }

    public ManifestStore Manifests { get; }

    public CheckpointTestWorld()
    {
        Store = new InMemoryObjectStore(Time);
        Manifests = new ManifestStore(Store, new DbPaths(DbPath));
    }

    public static SlateDbOptions Options => SlateDbOptions.Default with { FlushInterval = null, GarbageCollectorOptions = null };

    public Task<SlateDb> OpenWriterAsync(int seed = 1) =>
        SlateDb.Builder(DbPath, Store).WithOptions(Options).WithTimeProvider(Time).WithSeed(seed).OpenAsync();

    public Task<DbReader> OpenReaderAsync(DbReaderOptions options, int seed = 2) =>
        DbReader.Builder(DbPath, Store).WithOptions(options).WithTimeProvider(Time).WithSeed(seed).OpenAsync();

    /// <summary>One run of every collector task, each with a one-minute minimum age.</summary>
    public async Task<GarbageCollectionSummary> CollectAsync()
    {
        var directory = new GarbageCollectorDirectoryOptions { Interval = null, MinAge = TimeSpan.FromMinutes(1) };
        var options = new GarbageCollectorOptions { ManifestOptions = directory, WalOptions = directory, CompactedOptions = directory, CompactionsOptions = directory };
        await using var collector = await GarbageCollector.StartAsync(DbPath, Store, options, Time);
        var summary = await collector.RunOnceAsync();
        summary.Tasks.Should().OnlyContain(task => task.Succeeded);
        return summary;
    }

    public async Task<DbManifest> LatestAsync() => (await Manifests.ReadLatestAsync(default))!.Value.Manifest;

    public async Task<int> SstCountAsync()
    {
        var count = 0;
        await foreach (var _ in Store.ListAsync(DbPath + "/compacted/", default))
        {
            count++;
        }

        return count;
    }

    public static async Task<List<(string Key, string Value)>> ScanAsync(IAsyncEnumerable<KeyValue> rows)
    {
        var list = new List<(string, string)>();
        await foreach (var row in rows)
        {
            list.Add((row.GetKeyString(), row.GetValueString()));
        }

        return list;
    }
}
