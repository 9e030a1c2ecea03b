using SlateDB.Caching;
using SlateDB.Storage;
using Xunit.Abstractions;
using static SlateDB.Tests.Read.ReadTestKit;

namespace SlateDB.Tests.Read;

/// <summary>
/// What reads cost in object-store requests, counted by an <see cref="InstrumentedObjectStore"/> under the database:
/// point gets through the cached index and bloom filter, scans block by block or with read-ahead, and the block cache.
/// </summary>
public sealed class IoAccountingTests(ITestOutputHelper output)
{
    private static readonly ReadOptions s_cold = new() { CacheBlocks = false };

    private static byte[] Key(int i) => B($"key{i:D6}");

    private static byte[] Value(int i) => B($"value-{i:D6}-0123456789abcdef");

    /// <summary>Options for I/O counting: no manifest polling during the measurements.</summary>
    private static SlateDbOptions Options(long l0SstSizeBytes = 64L * 1024 * 1024) =>
        TestOptions(l0SstSizeBytes, minFilterKeys: 100) with { ManifestPollInterval = TimeSpan.FromHours(1) };

    /// <summary>Writes <paramref name="keys"/> (in batches) and flushes them to L0; returns the database reopened on an empty cache.</summary>
    private static async Task<SlateDb> BuildAsync(InstrumentedObjectStore store, IBlockCache? cache, IEnumerable<int> keys, SlateDbOptions options, int flushEvery = int.MaxValue)
    {
        await using (var writer = await SlateDb.Builder("db", store).WithOptions(options).WithBlockCacheDisabled().OpenAsync())
        {
            var batch = new WriteBatch();
            var written = 0;
            foreach (var i in keys)
            {
                batch.Put(Key(i), Value(i));
                if (batch.Count == 1_000)
                {
                    await writer.WriteAsync(batch);
                    batch = new WriteBatch();
                }

                if (++written % flushEvery == 0)
                {
                    if (!batch.IsEmpty)
                    {
                        await writer.WriteAsync(batch);
                        batch = new WriteBatch();
                    }

                    await FlushMemtableAsync(writer);
                }
            }

            if (!batch.IsEmpty)
            {
                await writer.WriteAsync(batch);
            }

            await FlushMemtableAsync(writer);
        }

        var builder = SlateDb.Builder("db", store).WithOptions(options);
        return await (cache is null ? builder.WithBlockCacheDisabled() : builder.WithBlockCache(cache)).OpenAsync();
    }

    /// <summary>The requests <paramref name="read"/> makes.</summary>
    private static async Task<ObjectStoreStats> Measure(InstrumentedObjectStore store, Func<Task> read)
    {
        store.ResetStats();
        await read();
        return store.Stats;
    }

    [Fact]
    public async Task A_cold_get_of_a_present_key_costs_one_ranged_get_once_index_and_filter_are_cached()
    {
        var inner = new InMemoryObjectStore();
        var store = new InstrumentedObjectStore(inner);
        using var cache = new MemoryBlockCache();
        // Irregular gaps between keys, so some blocks start with a key whose index entry is the whole key.
        var random = new Random(77);
        var present = Enumerable.Range(0, 30_000).Where(_ => random.Next(3) != 0).ToList();
        await using var db = await BuildAsync(store, cache, present, Options());
        var (sst, bytes) = (await DbInspector.L0FilesAsync(inner)).Should().ContainSingle().Subject;
        sst.BlockCount.Should().BeGreaterThan(50);

        // Warm-up: the first read reads the block, and the index and filter (one HEAD, one ranged GET) unless the
        // database's preload at open has loaded them already (or joins that load, whose HEAD came before the reset).
        var warmUp = await Measure(store, async () => (await db.GetAsync(Key(present[0]), s_cold)).Should().NotBeNull());
        warmUp.Heads.Should().BeLessThanOrEqualTo(1);
        warmUp.RangeGets.Should().BeInRange(1, 2);

        // The first key of every block (whose index key is often the whole key) and random keys.
        var firstKeys = BlockFirstKeys(sst, bytes);
        var wholeKeySeparators = Enumerable.Range(1, sst.BlockCount - 1).Count(b => sst.Index.Blocks[b].FirstKey.Length == Key(0).Length);
        wholeKeySeparators.Should().BeGreaterThan(10, "the test needs blocks whose index key is their whole first key");
        var probes = firstKeys.Concat(Enumerable.Range(0, 1_000).Select(_ => present[random.Next(present.Count)])).ToList();
        var metadataHits = cache.Hits;
        foreach (var i in probes)
        {
            var stats = await Measure(store, async () => (await db.GetAsync(Key(i), s_cold)).Should().Equal(Value(i)));
            stats.RangeGets.Should().Be(1, "a cold get of {0} reads its block once", S(Key(i)));
            (stats.Requests - stats.RangeGets).Should().Be(0, "nothing but the block is read for {0}", S(Key(i)));
        }

        cache.Hits.Should().BeGreaterThanOrEqualTo(metadataHits + probes.Count, "every get found the index and filter in the cache");
        output.WriteLine($"{probes.Count} cold gets over {sst.BlockCount} blocks ({wholeKeySeparators} indexed by their whole first key): one ranged GET each");
    }

    [Fact]
    public async Task A_warm_get_costs_nothing_and_gets_across_several_l0_ssts_read_only_the_sst_holding_the_key()
    {
        var inner = new InMemoryObjectStore();
        var store = new InstrumentedObjectStore(inner);
        using var cache = new MemoryBlockCache();

        // Four L0 SSTs over the same key range (keys interleaved), so only the bloom filters tell them apart.
        var keys = Enumerable.Range(0, 4).SelectMany(sst => Enumerable.Range(0, 5_000).Select(i => (i * 4) + sst));
        await using var db = await BuildAsync(store, cache, keys, Options(), flushEvery: 5_000);
        var files = await DbInspector.L0FilesAsync(inner);
        files.Should().HaveCount(4);
        foreach (var (file, _) in files)
        {
            (await db.GetAsync(file.Info.FirstEntry!.Value, s_cold)).Should().NotBeNull();
        }

        var random = new Random(78);
        long total = 0;
        const int gets = 2_000;
        for (var n = 0; n < gets; n++)
        {
            var i = random.Next(20_000);
            var stats = await Measure(store, async () => (await db.GetAsync(Key(i), s_cold)).Should().Equal(Value(i)));
            stats.RangeGets.Should().BeGreaterThanOrEqualTo(1);
            (stats.Requests - stats.RangeGets).Should().Be(0);
            total += stats.RangeGets;
        }

        output.WriteLine($"{gets} cold gets across 4 L0 SSTs: {total} ranged GETs");
        total.Should().BeLessThanOrEqualTo(gets + (gets * 3 / 50), "the other SSTs' filters let through about 1% of probes each");

        // With CacheBlocks (the default) the second get of a key is served from the block cache.
        await db.GetAsync(Key(123));
        var hits = cache.Hits;
        var warm = await Measure(store, async () => (await db.GetAsync(Key(123))).Should().Equal(Value(123)));
        warm.Requests.Should().Be(0);
        cache.Hits.Should().BeGreaterThan(hits);
    }

    [Fact]
    public async Task A_get_of_an_absent_key_reads_no_block_in_at_least_99_percent_of_tries()
    {
        var inner = new InMemoryObjectStore();
        var store = new InstrumentedObjectStore(inner);
        using var cache = new MemoryBlockCache();
        await using var db = await BuildAsync(store, cache, Enumerable.Range(0, 20_000).Select(i => i * 2), Options());
        (await db.GetAsync(Key(0))).Should().NotBeNull();

        // Odd keys: absent, yet inside the SST's key range, so only the bloom filter can rule them out.
        var random = new Random(79);
        var free = 0;
        const int tries = 10_000;
        for (var n = 0; n < tries; n++)
        {
            var i = (random.Next(20_000) * 2) + 1;
            var stats = await Measure(store, async () => (await db.GetAsync(Key(i))).Should().BeNull());
            (stats.Requests - stats.RangeGets).Should().Be(0);
            free += stats.RangeGets == 0 ? 1 : 0;
        }

        output.WriteLine($"{free} of {tries} absent-key gets read no block ({tries - free} bloom false positives)");
        free.Should().BeGreaterThanOrEqualTo(tries * 99 / 100);
    }

    [Fact]
    public async Task Scans_read_each_block_at_most_once_fewer_requests_with_read_ahead_and_none_once_cached()
    {
        const int rows = 100_000;
        var inner = new InMemoryObjectStore();
        var store = new InstrumentedObjectStore(inner);
        using var cache = new MemoryBlockCache();
        await using var db = await BuildAsync(store, cache, Enumerable.Range(0, rows), Options(l0SstSizeBytes: 1024 * 1024));
        var files = await DbInspector.L0FilesAsync(inner);
        var blocks = files.Sum(f => f.File.BlockCount);
        var dataBytes = files.Sum(f => (long)f.File.DataEnd);
        files.Should().HaveCountGreaterThan(1);

        // Warm-up: one read per SST loads its index and filter.
        foreach (var (file, _) in files)
        {
            (await db.GetAsync(file.Info.FirstEntry!.Value, s_cold)).Should().NotBeNull();
        }

        async Task<(ObjectStoreStats Stats, int Rows)> ScanAsync(ScanOptions options)
        {
            var count = 0;
            var stats = await Measure(store, async () =>
            {
                var expected = 0;
                await foreach (var row in db.ScanAsync(KeyRange.All, options))
                {
                    row.Key.ToArray().Should().Equal(Key(expected++));
                    count++;
                }
            });
            return (stats, count);
        }

        var oneByOne = await ScanAsync(new ScanOptions { MaxReadAheadBytes = 0 });
        oneByOne.Rows.Should().Be(rows);
        oneByOne.Stats.RangeGets.Should().BeLessThanOrEqualTo(blocks).And.BeGreaterThan(blocks * 9 / 10);
        (oneByOne.Stats.Requests - oneByOne.Stats.RangeGets).Should().Be(0);

        // The defaults start block by block and grow the reads while the scan stays sequential (up to 256 KiB).
        var adaptive = await ScanAsync(new ScanOptions());
        adaptive.Rows.Should().Be(rows);
        adaptive.Stats.RangeGets.Should().BeLessThan(blocks / 10).And.BeLessThanOrEqualTo((files.Count * 10) + (dataBytes / (256 * 1024)));
        (adaptive.Stats.Requests - adaptive.Stats.RangeGets).Should().Be(0);

        var readAhead = await ScanAsync(new ScanOptions { ReadAheadBytes = 1024 * 1024, MaxFetchTasks = 2 });
        readAhead.Rows.Should().Be(rows);
        readAhead.Stats.RangeGets.Should().BeLessThanOrEqualTo(files.Count + (dataBytes / (1024 * 1024)) + 1).And.BeLessThan(blocks / 20);

        var parallel = await ScanAsync(new ScanOptions { ReadAheadBytes = 64 * 1024, MaxFetchTasks = 4 });
        parallel.Rows.Should().Be(rows);
        parallel.Stats.RangeGets.Should().BeLessThan(blocks / 8);

        var (dataHits, dataMisses) = (cache.Hits, cache.Misses);
        var caching = await ScanAsync(new ScanOptions { CacheBlocks = true, ReadAheadBytes = 256 * 1024 });
        caching.Rows.Should().Be(rows);
        (cache.Misses - dataMisses).Should().BeGreaterThanOrEqualTo(blocks, "the first caching scan finds no block in the cache");

        (dataHits, dataMisses) = (cache.Hits, cache.Misses);
        var cached = await ScanAsync(new ScanOptions());
        cached.Rows.Should().Be(rows);
        cached.Stats.Requests.Should().Be(0, "every block is in the cache");
        (cache.Hits - dataHits).Should().BeGreaterThanOrEqualTo(blocks);
        (cache.Misses - dataMisses).Should().Be(0);
        output.WriteLine($"{rows} rows in {files.Count} L0 SSTs, {blocks} blocks ({dataBytes} bytes): {oneByOne.Stats.RangeGets} GETs block by block, {adaptive.Stats.RangeGets} with the default adaptive read-ahead, " +
            $"{readAhead.Stats.RangeGets} with 1 MiB read-ahead, {parallel.Stats.RangeGets} with 64 KiB x 4, {caching.Stats.RangeGets} caching, {cached.Stats.RangeGets} once cached");
    }

    [Fact]
    public async Task With_the_block_cache_disabled_every_read_goes_to_the_store()
    {
        var inner = new InMemoryObjectStore();
        var store = new InstrumentedObjectStore(inner);
        await using var db = await BuildAsync(store, cache: null, Enumerable.Range(0, 20_000), Options(l0SstSizeBytes: 256 * 1024));
        var files = await DbInspector.L0FilesAsync(inner);
        var blocks = files.Sum(f => f.File.BlockCount);

        // Each get opens the SST again (HEAD, index and filter) and reads its block, however often it is repeated.
        for (var n = 0; n < 3; n++)
        {
            var stats = await Measure(store, async () => (await db.GetAsync(Key(20_000 - 1))).Should().Equal(Value(20_000 - 1)));
            stats.Heads.Should().BeGreaterThanOrEqualTo(1);
            stats.RangeGets.Should().BeGreaterThanOrEqualTo(2);
        }

        for (var n = 0; n < 2; n++)
        {
            var blockByBlock = new ScanOptions { CacheBlocks = true, MaxReadAheadBytes = 0 };
            var stats = await Measure(store, async () => (await ToListAsync(db.ScanAsync(KeyRange.All, blockByBlock))).Should().HaveCount(20_000));
            stats.Heads.Should().Be(files.Count);
            stats.RangeGets.Should().Be(files.Count + blocks, "each SST's metadata and every block, again on every scan");
        }
    }

    /// <summary>The first key of every block of <paramref name="sst"/>, as a key number.</summary>
    private static List<int> BlockFirstKeys(SlateDB.Sst.SstFile sst, ReadOnlyMemory<byte> bytes)
    {
        var keys = new List<int>();
        for (var b = 0; b < sst.BlockCount; b++)
        {
            var range = sst.BlockRange(b);
            var rows = sst.DecodeBlock(bytes.Slice((int)range.Offset, (int)range.Length)).CreateIterator();
            rows.SeekToFirst();
            keys.Add(int.Parse(S(rows.Current.Key)[3..], System.Globalization.CultureInfo.InvariantCulture));
        }

        return keys;
    }
}
