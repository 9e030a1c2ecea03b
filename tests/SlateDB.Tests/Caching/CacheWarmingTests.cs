using SlateDB.Caching;
using SlateDB.Common;
using SlateDB.Manifest;
using SlateDB.Sst;
using SlateDB.Storage;
using SlateDB.Tests.Engine;
using static SlateDB.Tests.Read.ReadTestKit;

namespace SlateDB.Tests.Caching;

/// <summary>
/// Cache warming on random reads (<see cref="SlateDbOptions.WarmCacheOnRandomReads"/>): once point reads have missed
/// enough blocks of an SST, the rest of it is read into the block cache in large reads, while the cache has room.
/// </summary>
public sealed class CacheWarmingTests : IDisposable
{
    private const int Rows = 40_000; // About 2.8 MB of data blocks: three warming reads.
    private const int Stride = 100; // Rows between two gets: more than a 4 KiB block holds, so each get misses a block of its own.

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "slatedb-warming-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    private static byte[] Key(int i) => B($"key{i:D6}");

    private static byte[] Value(int i) => B($"value-{i:D6}-0123456789abcdef-0123456789abcdef");

    /// <summary>Flushed blocks are not cached: every get after the flush reads its block.</summary>
    private static SlateDbOptions Options(bool warm = true) =>
        TestOptions(minFilterKeys: 100) with { ManifestPollInterval = TimeSpan.FromHours(1), CacheBlocksOnFlush = false, WarmCacheOnRandomReads = warm };

    private static async Task FillAsync(SlateDb db)
    {
        var batch = new WriteBatch();
        for (var i = 0; i < Rows; i++)
        {
            batch.Put(Key(i), Value(i));
        }

        await db.WriteAsync(batch);
        await FlushMemtableAsync(db);
    }

    /// <summary><paramref name="gets"/> gets, each in a block no earlier get read.</summary>
    private static async Task MissAsync(SlateDb db, int gets)
    {
        for (var n = 0; n < gets; n++)
        {
            (await db.GetAsync(Key(n * Stride))).Should().Equal(Value(n * Stride));
        }
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!condition() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Gets_that_keep_missing_an_sst_warm_all_of_it_in_large_reads_charged_in_full(bool localFolder)
    {
        using var meters = new TestMeterFactory();
        using var warmed = meters.Listen("slatedb.cache.warmed");
        using var store = new InstrumentedObjectStore(localFolder ? new LocalFileSystemObjectStore(_dir) : new InMemoryObjectStore());
        using var cache = new MemoryBlockCache();
        await using var db = await SlateDb.Builder("db", store).WithOptions(Options()).WithBlockCache(cache).WithMeterFactory(meters).OpenAsync();
        await FillAsync(db);
        var paths = new DbPaths("db");
        var manifest = (await new ManifestStore(store, paths).ReadLatestAsync(CancellationToken.None))!.Value.Manifest;
        var handle = manifest.Core.Tree.L0.Should().ContainSingle().Subject.Sst;
        var sst = await SstFile.OpenAsync(store, paths.SstPath(handle.Id), handle.Info, SstBuildSettings.FormatVersion, CancellationToken.None);
        sst.BlockCount.Should().BeGreaterThan(600);

        store.ResetStats();
        await MissAsync(db, TableStore.WarmMinMisses);
        await WaitForAsync(() => warmed.Total >= sst.BlockCount);

        warmed.Total.Should().Be(sst.BlockCount, "the warming's reads covered every data block once");
        var warmingReads = store.Stats.RangeGets - TableStore.WarmMinMisses;
        warmingReads.Should().BeInRange(3, 4, "about 2.8 MB of blocks in reads of about 1 MiB");

        // Where the warmed blocks live, and what the cache charges for them.
        var arrays = new HashSet<byte[]>(ReferenceEqualityComparer.Instance);
        long allBlocks = 0, largest = 0;
        for (var i = 0; i < sst.BlockCount; i++)
        {
            var length = sst.BlockRange(i).Length;
            allBlocks += SstFile.CacheCharge(length);
            largest = Math.Max(largest, SstFile.CacheCharge(length));
            cache.TryGet(sst.BlockKey(i), out var cached).Should().BeTrue($"block {i} is cached");
            System.Runtime.InteropServices.MemoryMarshal.TryGetArray(((SlateDB.Format.Blocks.Block)cached!).Encoded, out var segment).Should().BeTrue();
            arrays.Add(segment.Array!);
        }

        if (localFolder)
        {
            // The local store reads each range into a buffer of its own: the warmed blocks are slices of one per read
            // (the gets' blocks have buffers of their own).
            arrays.Count.Should().BeLessThan(TableStore.WarmMinMisses + 10);

            // Every block is charged once, plus the bytes of the gets' blocks that the warming read again inside its
            // buffers (held by those buffers, so counted).
            cache.DataSizeBytes.Should().BeGreaterThan(allBlocks).And.BeLessThanOrEqualTo(allBlocks + (TableStore.WarmMinMisses * largest));
        }
        else
        {
            // The in-memory store hands out slices of the object it keeps, which the cache cannot charge: each warmed
            // block is copied into an array of its own, and the charge is every block's once.
            arrays.Count.Should().BeGreaterThanOrEqualTo(sst.BlockCount - TableStore.WarmMinMisses);
            cache.DataSizeBytes.Should().Be(allBlocks);
        }

        // Every key is now served from memory.
        store.ResetStats();
        for (var i = 0; i < Rows; i += 7)
        {
            (await db.GetAsync(Key(i))).Should().Equal(Value(i));
        }

        store.Stats.RangeGets.Should().Be(0);
        store.Stats.Gets.Should().Be(0);
    }

    [Fact]
    public async Task Fewer_misses_than_the_threshold_warm_nothing()
    {
        using var store = new InstrumentedObjectStore(new InMemoryObjectStore());
        using var cache = new MemoryBlockCache();
        var db = await SlateDb.Builder("db", store).WithOptions(Options()).WithBlockCache(cache).OpenAsync();
        await FillAsync(db);

        store.ResetStats();
        await MissAsync(db, TableStore.WarmMinMisses - 1);
        await db.CloseAsync(); // Waits for a warming read under way, had one started.

        store.Stats.RangeGets.Should().Be(TableStore.WarmMinMisses - 1, "one read per get, none for warming");
        TableStore.WarmAfterMisses(1_000).Should().Be(TableStore.WarmMinMisses);
        TableStore.WarmAfterMisses(16_384).Should().Be(256, "a 64th of a 64 MiB SST's 4 KiB blocks");
    }

    [Fact]
    public async Task A_cache_without_room_for_the_rest_of_the_sst_is_not_warmed()
    {
        using var store = new InstrumentedObjectStore(new InMemoryObjectStore());
        using var cache = new MemoryBlockCache(dataCapacityBytes: 2 * 1024 * 1024); // Less than the SST's 2.8 MB of blocks.
        var db = await SlateDb.Builder("db", store).WithOptions(Options()).WithBlockCache(cache).OpenAsync();
        await FillAsync(db);

        store.ResetStats();
        await MissAsync(db, TableStore.WarmMinMisses + 50);
        await db.CloseAsync();

        store.Stats.RangeGets.Should().Be(TableStore.WarmMinMisses + 50, "warming never evicts blocks to make room");
    }

    [Fact]
    public async Task With_the_option_off_nothing_is_warmed_and_the_setting_round_trips()
    {
        using var store = new InstrumentedObjectStore(new InMemoryObjectStore());
        using var cache = new MemoryBlockCache();
        var db = await SlateDb.Builder("db", store).WithOptions(Options(warm: false)).WithBlockCache(cache).OpenAsync();
        await FillAsync(db);

        store.ResetStats();
        await MissAsync(db, TableStore.WarmMinMisses + 50);
        await db.CloseAsync();
        store.Stats.RangeGets.Should().Be(TableStore.WarmMinMisses + 50);

        SlateDbOptions.Default.WarmCacheOnRandomReads.Should().BeTrue();
        SlateDbOptions.Default.ToJson().Should().NotContain("warm_cache_on_random_reads");
        var off = SlateDbOptions.Default with { WarmCacheOnRandomReads = false };
        off.ToJson().Should().Contain("\"warm_cache_on_random_reads\": false");
        SlateDbOptions.FromJson(off.ToJson(), strict: true).Should().Be(off);
    }

    [Fact]
    public async Task Closing_waits_for_the_warming_read_under_way_and_stops_the_warming()
    {
        using var gate = new GatedLargeReads(new InMemoryObjectStore());
        using var cache = new MemoryBlockCache();
        var db = await SlateDb.Builder("db", gate).WithOptions(Options()).WithBlockCache(cache).OpenAsync();
        await FillAsync(db);

        await MissAsync(db, TableStore.WarmMinMisses);
        (await gate.FirstLargeRead.WaitAsync(TimeSpan.FromSeconds(20))).Should().BeTrue("the warming's first read started");

        var close = db.CloseAsync().AsTask();
        await Task.Delay(100);
        close.IsCompleted.Should().BeFalse("the close waits for the warming read under way");
        gate.Release();
        await close.WaitAsync(TimeSpan.FromSeconds(20));

        var reads = gate.LargeReads;
        reads.Should().Be(1, "the warming stopped after its read under way; three would cover the SST");
        await Task.Delay(100);
        gate.LargeReads.Should().Be(reads);
    }

    /// <summary>Holds ranged reads of more than 64 KiB (the warming's) until released; counts them.</summary>
    private sealed class GatedLargeReads(IObjectStore inner) : IObjectStore, IDisposable
    {
        private readonly TaskCompletionSource<bool> _first = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly SemaphoreSlim _open = new(0);
        private int _largeReads;

        public Task<bool> FirstLargeRead => _first.Task;

        public int LargeReads => Volatile.Read(ref _largeReads);

        public void Release() => _open.Release(int.MaxValue / 2);

        public void Dispose() => _open.Dispose();

        public async ValueTask<ObjectContent?> GetRangeAsync(string path, ByteRange range, CancellationToken cancellationToken)
        {
            if (range.Length > 64 * 1024)
            {
                Interlocked.Increment(ref _largeReads);
                _first.TrySetResult(true);
                await _open.WaitAsync(cancellationToken);
            }

            return await inner.GetRangeAsync(path, range, cancellationToken);
        }

        public ValueTask<ObjectContent?> GetAsync(string path, CancellationToken cancellationToken) => inner.GetAsync(path, cancellationToken);

        public ValueTask<ObjectMetadata?> HeadAsync(string path, CancellationToken cancellationToken) => inner.HeadAsync(path, cancellationToken);

        public ValueTask<PutResult> PutAsync(string path, ReadOnlyMemory<byte> data, PutMode mode, CancellationToken cancellationToken) => inner.PutAsync(path, data, mode, cancellationToken);

        public ValueTask DeleteAsync(string path, CancellationToken cancellationToken) => inner.DeleteAsync(path, cancellationToken);

        public IAsyncEnumerable<ObjectMetadata> ListAsync(string prefix, CancellationToken cancellationToken) => inner.ListAsync(prefix, cancellationToken);
    }
}
