using Microsoft.Extensions.Time.Testing;
using SlateDB.Caching;
using SlateDB.Sst;
using SlateDB.Storage;
using SlateDB.Tests.Read;
using static SlateDB.Tests.Read.ReadTestKit;

namespace SlateDB.Tests.Caching;

/// <summary>
/// Warm on write in the memtable's form: an L0 flush of a full memtable keeps that memtable in the block cache in
/// place of the SST's data blocks (<see cref="RetainedMemtable"/>). Gets and scans read it, answer exactly as the SST
/// would, and go back to the SST once the cache lets it go or a compaction takes the SST away.
/// </summary>
public sealed class RetainedMemtableTests
{
    private const int Rows = 3_000;

    private static readonly DateTimeOffset Epoch = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static byte[] Key(int i) => B($"key{i:D6}");

    private static byte[] Value(int i, int version = 0) => B($"value-{i:D6}-v{version}-" + new string((char)('a' + (i % 26)), 180));

    /// <summary>A 1 MiB memtable: 3,000 rows of about 200 bytes fill most of it, and its filter and index are small.</summary>
    private static SlateDbOptions Options(bool cacheBlocksOnFlush = true) =>
        TestOptions(l0SstSizeBytes: 1L << 20, minFilterKeys: 100) with { ManifestPollInterval = TimeSpan.FromHours(1), CacheBlocksOnFlush = cacheBlocksOnFlush };

    private static async Task WriteRowsAsync(SlateDb db, int from, int to, int version = 0)
    {
        var batch = new WriteBatch();
        for (var i = from; i < to; i++)
        {
            batch.Put(Key(i), Value(i, version));
        }

        await db.WriteAsync(batch);
    }

    /// <summary>The path of the database's newest L0 SST, read from its manifest.</summary>
    private static async Task<string> NewestL0PathAsync(IObjectStore store)
    {
        var manifest = await DbInspector.ManifestAsync(store);
        return new SlateDB.Manifest.DbPaths("db").SstPath(manifest.Core.Tree.L0[0].Sst.Id);
    }

    private static RetainedMemtable? Kept(IBlockCache cache, string sstPath) =>
        cache.TryGet(RetainedMemtable.KeyFor(sstPath), out var value) ? value as RetainedMemtable : null;

    private static bool FirstBlockCached(IBlockCache cache, string sstPath) =>
        cache.TryGet(new BlockCacheKey(sstPath, 0, BlockCacheEntryKind.DataBlock), out var value) && value is SlateDB.Format.Blocks.Block;

    [Fact]
    public async Task Gets_and_scans_after_a_flush_read_the_kept_memtable_and_nothing_from_the_store()
    {
        using var store = new InstrumentedObjectStore(new InMemoryObjectStore());
        using var cache = new MemoryBlockCache();
        await using var db = await SlateDb.Builder("db", store).WithOptions(Options()).WithBlockCache(cache).OpenAsync();
        await WriteRowsAsync(db, 0, Rows);
        await FlushMemtableAsync(db);

        var sst = await NewestL0PathAsync(store);
        var kept = Kept(cache, sst);
        kept.Should().NotBeNull("a full memtable is kept in place of its SST's data blocks");
        kept!.Table.EntryCount.Should().Be(Rows);
        FirstBlockCached(cache, sst).Should().BeFalse("the flush cached no data block of the SST it kept the memtable for");
        cache.DataSizeBytes.Should().Be(kept.Table.MemoryBytes, "the kept memtable is charged as what it holds in memory");

        store.ResetStats();
        for (var i = 0; i < Rows; i += 3)
        {
            (await db.GetAsync(Key(i))).Should().Equal(Value(i));
        }

        (await db.GetAsync(B("key999999x"))).Should().BeNull();
        (await db.GetAsync(B("key001500x"))).Should().BeNull("a key between two written keys is absent");
        var all = await ToListAsync(db.ScanAsync(KeyRange.All));
        all.Select(r => S(r.Key)).Should().Equal(Enumerable.Range(0, Rows).Select(i => $"key{i:D6}"));
        all.Select(r => S(r.Value)).Should().Equal(Enumerable.Range(0, Rows).Select(i => S(Value(i))));
        store.Stats.Gets.Should().Be(0);
        store.Stats.RangeGets.Should().Be(0, "the kept memtable served every get and the ascending scan");
        store.Stats.Heads.Should().Be(0);

        // A descending scan reads the SST's blocks: walking a memtable backwards first collects the range.
        var reversed = await ToListAsync(db.ScanAsync(KeyRange.Between(Key(100), Key(200)), new ScanOptions { Order = IterationOrder.Descending }));
        reversed.Select(r => S(r.Key)).Should().Equal(Enumerable.Range(100, 100).Reverse().Select(i => $"key{i:D6}"));
        store.Stats.RangeGets.Should().BeGreaterThan(0);
    }

    [Fact]
    public async Task Reads_through_the_kept_memtable_answer_as_reads_of_the_SST_do()
    {
        // The same writes into two databases: one keeps the flushed memtable, the other reads its SST (blocks from the
        // store). Overwrites under a live snapshot (the SST keeps the versions it sees), overwrites no snapshot sees
        // (the SST leaves them out, the memtable still has them), deletes, rows expired by the flush (tombstones in the
        // SST, expired values in the memtable), rows with a TTL still running.
        var time = new FakeTimeProvider(Epoch);
        var keptStore = new InMemoryObjectStore();
        var plainStore = new InMemoryObjectStore();
        using var cache = new MemoryBlockCache();
        await using var keeping = await SlateDb.Builder("db", keptStore).WithOptions(Options()).WithBlockCache(cache).WithTimeProvider(time).WithSeed(7).OpenAsync();
        await using var plain = await SlateDb.Builder("db", plainStore).WithOptions(Options(cacheBlocksOnFlush: false)).WithTimeProvider(time).WithSeed(7).OpenAsync();
        var random = new Random(11);
        var overwrittenUnseen = Enumerable.Range(0, 150).Select(_ => random.Next(Rows)).Distinct().ToArray();
        var overwrittenSeen = Enumerable.Range(0, 150).Select(_ => random.Next(Rows)).Distinct().ToArray();
        var deleted = Enumerable.Range(0, 150).Select(_ => random.Next(Rows)).Distinct().ToArray();
        var dbs = new[] { keeping, plain };
        var snapshots = new List<DbSnapshot>();
        foreach (var db in dbs)
        {
            // Older versions of every key in an L0 SST below: what the newer SST's tombstones must keep hidden.
            await WriteRowsAsync(db, 0, Rows + 510, version: 9);
            await FlushMemtableAsync(db);
            await WriteRowsAsync(db, 0, Rows);
            foreach (var i in overwrittenUnseen)
            {
                await db.PutAsync(Key(i), Value(i, 1));
            }

            snapshots.Add(db.Snapshot());
            foreach (var i in overwrittenSeen)
            {
                await db.PutAsync(Key(i), Value(i, 2));
            }

            foreach (var i in deleted)
            {
                await db.DeleteAsync(Key(i));
            }

            for (var i = Rows; i < Rows + 50; i++)
            {
                await db.PutAsync(Key(i), Value(i), new PutOptions { Ttl = TimeSpan.FromSeconds(1) });
                await db.PutAsync(Key(i + 50), Value(i + 50), new PutOptions { Ttl = TimeSpan.FromHours(1) });
            }
        }

        time.Advance(TimeSpan.FromSeconds(5));
        foreach (var db in dbs)
        {
            await db.PutAsync(Key(Rows + 500), Value(Rows + 500)); // The memtable's last write is past the short TTLs.
            await FlushMemtableAsync(db);
        }

        var sst = await NewestL0PathAsync(keptStore);
        Kept(cache, sst).Should().NotBeNull("the flushed memtable qualifies to be kept");
        (await DbInspector.L0RowsAsync(keptStore, 0)).Should().Contain(r => r.Kind == SlateDB.Format.RowKind.Tombstone && r.Seq > 0, "the SST holds the deletes and the expired rows as tombstones");

        for (var i = 0; i < Rows + 510; i++)
        {
            var expected = await plain.GetAsync(Key(i));
            (await keeping.GetAsync(Key(i))).Should().Equal(expected, $"key {i} reads as it does from the SST");
            var expectedAtSnapshot = await snapshots[1].GetAsync(Key(i));
            (await snapshots[0].GetAsync(Key(i))).Should().Equal(expectedAtSnapshot, $"key {i} reads at the snapshot as it does from the SST");
        }

        (await keeping.GetAsync(Key(deleted[0]))).Should().BeNull();
        (await keeping.GetAsync(Key(Rows))).Should().BeNull("the row expired");
        (await keeping.GetAsync(Key(Rows + 50))).Should().Equal(Value(Rows + 50));
        (await snapshots[0].GetAsync(Key(overwrittenSeen[0]))).Should().Equal(Value(overwrittenSeen[0], overwrittenUnseen.Contains(overwrittenSeen[0]) ? 1 : 0));

        foreach (var order in new[] { IterationOrder.Ascending, IterationOrder.Descending })
        {
            var options = new ScanOptions { Order = order };
            Rendered(await ToListAsync(keeping.ScanAsync(KeyRange.All, options)))
                .Should().Equal(Rendered(await ToListAsync(plain.ScanAsync(KeyRange.All, options))));
            Rendered(await ToListAsync(snapshots[0].ScanAsync(KeyRange.Between(Key(500), Key(2500)), options)))
                .Should().Equal(Rendered(await ToListAsync(snapshots[1].ScanAsync(KeyRange.Between(Key(500), Key(2500)), options))));
        }

        (await keeping.GetAsync(Key(Rows + 200))).Should().Equal(Value(Rows + 200, 9), "a key only the older SST holds");
        foreach (var snapshot in snapshots)
        {
            await snapshot.DisposeAsync();
        }

        static List<string> Rendered(List<KeyValue> rows) => rows.Select(r => $"{S(r.Key)}={S(r.Value)}").ToList();
    }

    [Fact]
    public async Task Once_the_cache_lets_the_kept_memtable_go_reads_go_to_the_SST()
    {
        using var store = new InstrumentedObjectStore(new InMemoryObjectStore());
        using var cache = new MemoryBlockCache();
        await using var db = await SlateDb.Builder("db", store).WithOptions(Options()).WithBlockCache(cache).OpenAsync();
        await WriteRowsAsync(db, 0, Rows);
        await FlushMemtableAsync(db);
        var sst = await NewestL0PathAsync(store);
        Kept(cache, sst).Should().NotBeNull();

        cache.Remove(RetainedMemtable.KeyFor(sst));
        store.ResetStats();
        for (var i = 0; i < Rows; i += 97)
        {
            (await db.GetAsync(Key(i))).Should().Equal(Value(i));
        }

        store.Stats.RangeGets.Should().BeGreaterThan(0, "the SST's blocks are read from the store now");
        (await ToListAsync(db.ScanAsync(KeyRange.All))).Should().HaveCount(Rows);
    }

    [Fact]
    public async Task A_compaction_that_takes_the_SST_away_drops_its_kept_memtable()
    {
        var store = new InMemoryObjectStore();
        using var cache = new MemoryBlockCache();
        var options = Options() with { CompactorOptions = new CompactorOptions { PollInterval = TimeSpan.FromDays(1) } };
        await using var db = await SlateDb.Builder("db", store).WithOptions(options).WithBlockCache(cache).OpenAsync();
        await WriteRowsAsync(db, 0, Rows);
        await FlushMemtableAsync(db);
        var sst = await NewestL0PathAsync(store);
        var kept = Kept(cache, sst);
        kept.Should().NotBeNull();
        var charged = cache.DataSizeBytes;

        (await db.CompactFullAsync()).Should().NotBeNull();

        Kept(cache, sst).Should().BeNull("the SST left L0, and the memtable kept for it left the cache");
        cache.DataSizeBytes.Should().BeLessThan(charged - kept!.Table.MemoryBytes + 1);
        (await db.GetAsync(Key(1234))).Should().Equal(Value(1234));
        db.Status.L0SstCount.Should().Be(0);
    }

    [Fact]
    public async Task A_memtable_with_merge_operands_is_flushed_to_cached_blocks_instead()
    {
        var store = new InMemoryObjectStore();
        using var cache = new MemoryBlockCache();
        await using var db = await SlateDb.Builder("db", store).WithOptions(Options()).WithBlockCache(cache).WithMergeOperator(MergeOperators.Append(",")).OpenAsync();
        await WriteRowsAsync(db, 0, Rows);
        await db.MergeAsync(Key(5), B("more"));
        await FlushMemtableAsync(db);

        var sst = await NewestL0PathAsync(store);
        Kept(cache, sst).Should().BeNull("the flush folds merge operands, so the SST's rows are not the memtable's");
        FirstBlockCached(cache, sst).Should().BeTrue("the SST's blocks were cached instead");
        (await db.GetAsync(Key(5))).Should().Equal(B(S(Value(5)) + ",more"));
    }

    [Fact]
    public async Task A_small_flush_and_a_flush_larger_than_the_warm_cap_cache_blocks_instead()
    {
        // The default 64 MiB memtable's key filter and index alone are 6 MiB: 300 rows flushed from it are cached as blocks.
        var small = new InMemoryObjectStore();
        using (var cache = new MemoryBlockCache())
        await using (var db = await SlateDb.Builder("db", small).WithOptions(TestOptions(minFilterKeys: 100)).WithBlockCache(cache).OpenAsync())
        {
            await WriteRowsAsync(db, 0, 300);
            await FlushMemtableAsync(db);
            var sst = await NewestL0PathAsync(small);
            Kept(cache, sst).Should().BeNull("the memtable takes far more memory than its rows");
            FirstBlockCached(cache, sst).Should().BeTrue();
        }

        // A quarter of 2 MiB is less than the full memtable takes.
        var capped = new InMemoryObjectStore();
        using (var cache = new MemoryBlockCache(dataCapacityBytes: 2L << 20))
        await using (var db = await SlateDb.Builder("db", capped).WithOptions(Options()).WithBlockCache(cache).OpenAsync())
        {
            await WriteRowsAsync(db, 0, Rows);
            await FlushMemtableAsync(db);
            var sst = await NewestL0PathAsync(capped);
            Kept(cache, sst).Should().BeNull("the memtable does not fit in what flushes may fill");
            FirstBlockCached(cache, sst).Should().BeTrue();
            cache.DataSizeBytes.Should().BeGreaterThan(0).And.BeLessThanOrEqualTo(cache.DataCapacityBytes / 4);
        }
    }

    [Fact]
    public async Task Flushes_running_in_parallel_keep_no_more_than_the_cap_allows()
    {
        // Full memtables flushed four at a time into a cache whose quarter holds about one of them: each flush was let
        // keep its table by the cap as it stood when it began, and the cap is checked again as each table goes in.
        var store = new InMemoryObjectStore();
        using var cache = new MemoryBlockCache(dataCapacityBytes: 12L << 20);
        var options = Options() with { L0FlushParallelism = 4, MaxUnflushedBytes = 64L << 20 };
        await using var db = await SlateDb.Builder("db", store).WithOptions(options).WithBlockCache(cache).OpenAsync();
        const int rows = 20_000; // Three or four full memtables and the rest.
        for (var from = 0; from < rows; from += 500)
        {
            await WriteRowsAsync(db, from, from + 500);
        }

        await FlushMemtableAsync(db);
        var manifest = await DbInspector.ManifestAsync(store);
        var paths = manifest.Core.Tree.L0.Select(v => new SlateDB.Manifest.DbPaths("db").SstPath(v.Sst.Id)).ToList();
        paths.Should().HaveCountGreaterThanOrEqualTo(4);
        var kept = paths.Select(p => Kept(cache, p)).OfType<RetainedMemtable>().ToList();
        kept.Should().NotBeEmpty();
        // The kept tables stay within the quarter. (Blocks that flushes which could not keep their table warmed
        // meanwhile are capped by the cap as each flush read it, so the cache as a whole may pass it slightly.)
        kept.Sum(k => k.Table.MemoryBytes).Should().BeLessThanOrEqualTo(cache.DataCapacityBytes / 4);
        for (var i = 0; i < rows; i += 101)
        {
            (await db.GetAsync(Key(i))).Should().Equal(Value(i));
        }
    }

    [Fact]
    public async Task A_kept_memtable_the_cache_evicts_is_garbage_nothing_else_holds_it()
    {
        var store = new InMemoryObjectStore();
        using var cache = new MemoryBlockCache();
        await using var db = await SlateDb.Builder("db", store).WithOptions(Options()).WithBlockCache(cache).OpenAsync();
        await WriteRowsAsync(db, 0, Rows);
        await FlushMemtableAsync(db);
        var sst = await NewestL0PathAsync(store);
        var table = WeakTable(cache, sst);

        cache.Remove(RetainedMemtable.KeyFor(sst));
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        table.IsAlive.Should().BeFalse("only the cache held the table, so its memory is free once the cache lets it go");
        (await db.GetAsync(Key(42))).Should().Equal(Value(42));

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
        static WeakReference WeakTable(IBlockCache cache, string sst) => new(Kept(cache, sst)!.Table);
    }

    [Fact]
    public async Task A_block_cache_of_the_applications_own_keeps_no_memtable()
    {
        var store = new InMemoryObjectStore();
        var cache = new DictionaryCache();
        await using var db = await SlateDb.Builder("db", store).WithOptions(Options()).WithBlockCache(cache).OpenAsync();
        await WriteRowsAsync(db, 0, Rows);
        await FlushMemtableAsync(db);

        var sst = await NewestL0PathAsync(store);
        Kept(cache, sst).Should().BeNull("another cache may not expect an entry of this type or size");
        FirstBlockCached(cache, sst).Should().BeTrue("the flush cached blocks instead");
        (await db.GetAsync(Key(7))).Should().Equal(Value(7));
    }

    /// <summary>An application's own cache: unbounded, thread-safe.</summary>
    private sealed class DictionaryCache : IBlockCache
    {
        private readonly System.Collections.Concurrent.ConcurrentDictionary<BlockCacheKey, object> _entries = new();

        public bool TryGet(BlockCacheKey key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out object? value) => _entries.TryGetValue(key, out value);

        public void Set(BlockCacheKey key, object value, long sizeBytes) => _entries[key] = value;

        public void Remove(BlockCacheKey key) => _entries.TryRemove(key, out _);
    }

    [Fact]
    public async Task With_cache_blocks_on_flush_off_nothing_is_kept()
    {
        var store = new InMemoryObjectStore();
        using var cache = new MemoryBlockCache();
        await using var db = await SlateDb.Builder("db", store).WithOptions(Options(cacheBlocksOnFlush: false)).WithBlockCache(cache).OpenAsync();
        await WriteRowsAsync(db, 0, Rows);
        await FlushMemtableAsync(db);

        Kept(cache, await NewestL0PathAsync(store)).Should().BeNull();
        cache.DataSizeBytes.Should().Be(0);
    }
}
