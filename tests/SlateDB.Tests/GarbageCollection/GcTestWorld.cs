using System.Text;
using Microsoft.Extensions.Time.Testing;
using SlateDB.Common;
using SlateDB.Format;
using CompactionsCodec = SlateDB.Manifest.Codec.CompactionsCodec;
using SlateDB.GarbageCollection;
using SlateDB.Manifest;
using SlateDB.Manifest.Codec;
using SlateDB.Memtable;
using SlateDB.Sst;
using SlateDB.Storage;
using Ulid = SlateDB.Common.Ulid;
using SlateDB.Flush;
using SlateDB.Wal;

namespace SlateDB.Tests.GarbageCollection;

/// <summary>
/// A database state built object by object on a fake clock: WAL objects, SSTs, manifest and <c>.compactions</c>
/// versions written directly, so each test controls exactly what exists, what references what, and how old it is.
/// </summary>
internal sealed class GcTestWorld
{
    public const string DbPath = "db";

    private ulong _seq;

    /// <param name="store">Makes the store from the world's clock; an in-memory store when null.</param>
    /// <param name="seed">Seeds the ULIDs and UUIDs.</param>
    public GcTestWorld(Func<TimeProvider, IObjectStore>? store = null, int seed = 7)
    {
        Store = store?.Invoke(Time) ?? new InMemoryObjectStore(Time);
        Manifests = new ManifestStore(Store, Paths);
        Tables = new TableStore(Store, Paths, SlateDbOptions.Default, cache: null);
        Wal = new ObjectStoreWal(Store, Paths, Tables.Settings);
        Ids = new IdGenerator(Time, seed);
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero));

    public IObjectStore Store { get; }

    public DbPaths Paths { get; } = new(DbPath);

    public ManifestStore Manifests { get; }

    public TableStore Tables { get; }

    public ObjectStoreWal Wal { get; }

    public IdGenerator Ids { get; }

    public ulong LatestManifestId { get; private set; }

    public DbManifest Latest { get; private set; } = DbManifest.Initial(new ManifestCore());

    /// <summary>Options with every task on, no background runs, and the same minimum age.</summary>
    public static GarbageCollectorOptions GcOptions(TimeSpan minAge, bool dryRun = false)
    {
        var directory = new GarbageCollectorDirectoryOptions { Interval = null, MinAge = minAge, DryRun = dryRun };
        return new GarbageCollectorOptions { ManifestOptions = directory, WalOptions = directory, WalFenceOptions = directory, CompactedOptions = directory, CompactionsOptions = directory };
    }

    public void Advance(TimeSpan by) => Time.Advance(by);

    public Task<GarbageCollector> StartCollectorAsync(GarbageCollectorOptions options) =>
        GarbageCollector.StartAsync(DbPath, Store, options, Time);

    public async Task WriteWalAsync(ulong id, int rows = 1)
    {
        var entries = Enumerable.Range(0, rows).Select(i => RowEntry.Put(Encoding.UTF8.GetBytes($"wal{id}-{i}"), "v"u8.ToArray(), ++_seq)).ToList();
        (await Wal.TryWriteAsync(id, entries, 0, CancellationToken.None)).Should().NotBeNull();
    }

    /// <summary>Writes a zero-byte WAL fence, as newer SlateDB writers do.</summary>
    public async Task WriteZeroByteFenceAsync(ulong id) =>
        (await Store.PutAsync(Paths.WalSstPath(id), ReadOnlyMemory<byte>.Empty, PutMode.Create, CancellationToken.None)).IsWritten.Should().BeTrue();

    /// <summary>Writes a one-row compacted SST named by a new ULID (stamped with the fake clock's now).</summary>
    public async Task<SsTableHandle> WriteSstAsync(string key = "k")
    {
        var table = new KvTable();
        table.Put(RowEntry.Put(Encoding.UTF8.GetBytes(key), "v"u8.ToArray(), ++_seq));
        table.Freeze();
        return await L0SstWriter.WriteAsync(Tables, Ids.NewUlid(), table, [], CancellationToken.None);
    }

    /// <summary>Writes the next manifest version: the latest one changed by <paramref name="change"/>.</summary>
    public async Task<ulong> WriteManifestAsync(Func<ManifestCore, ManifestCore> change)
    {
        var next = Latest with { Core = change(Latest.Core) };
        (await Manifests.TryWriteAsync(LatestManifestId + 1, next, CancellationToken.None)).Should().BeTrue();
        LatestManifestId++;
        Latest = next;
        return LatestManifestId;
    }

    /// <summary>Rereads the newest manifest (after a collector wrote one).</summary>
    public async Task RefreshAsync()
    {
        var latest = await Manifests.ReadLatestAsync(CancellationToken.None);
        (LatestManifestId, Latest) = latest!.Value;
    }

    public async Task WriteCompactionsAsync(ulong id, params CompactionRecord[] compactions)
    {
        var bytes = CompactionsCodec.Encode(new CompactionsState(1, compactions));
        (await Store.PutAsync(Paths.CompactionsPath(id), bytes, PutMode.Create, CancellationToken.None)).IsWritten.Should().BeTrue();
    }

    public CompactionRecord Compaction(CompactionStatus status, params SsTableHandle[] outputs) =>
        new(Ids.NewUlid(), new TieredCompactionSpec(ReadOnlyMemory<byte>.Empty, [CompactionSource.SortedRun(0)], 0), status, outputs, null, null);

    public async Task<bool> ExistsAsync(string path) => await Store.HeadAsync(path, CancellationToken.None) is not null;

    public async Task<SortedSet<string>> AllPathsAsync()
    {
        var all = new SortedSet<string>(StringComparer.Ordinal);
        await foreach (var item in Store.ListAsync("", CancellationToken.None))
        {
            all.Add(item.Path);
        }

        return all;
    }

    public string Sst(SsTableHandle sst) => Paths.CompactedSstPath(sst.Id.CompactedId);

    public static SsTableView View(SsTableHandle sst) => SsTableView.Identity(sst);

    public static LsmTreeState Tree(IEnumerable<SsTableHandle> l0, IEnumerable<SsTableHandle>? sortedRun = null, Ulid? lastCompacted = null) =>
        new(lastCompacted, lastCompacted, l0.Select(View).ToList(), sortedRun is null ? [] : [new SortedRun(0, sortedRun.Select(View).ToList())]);

    public Checkpoint CheckpointOn(ulong manifestId, DateTimeOffset? expires) =>
        new(Ids.NewUuid(), manifestId, expires, Time.GetUtcNow(), null);
}
