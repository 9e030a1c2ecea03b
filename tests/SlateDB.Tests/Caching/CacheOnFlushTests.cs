using SlateDB.Caching;
using SlateDB.Storage;
using static SlateDB.Tests.Read.ReadTestKit;

namespace SlateDB.Tests.Caching;

/// <summary>
/// Warm on write: an L0 flush puts the SST it wrote into the block cache (data blocks up to a cap, index and filter),
/// so gets straight after the flush read nothing back from the store.
/// </summary>
public sealed class CacheOnFlushTests
{
    private static byte[] Key(int i) => B($"key{i:D6}");

    private static byte[] Value(int i) => B($"value-{i:D6}-0123456789abcdef-0123456789abcdef");

    private static SlateDbOptions Options(bool cacheBlocksOnFlush = true) =>
        TestOptions(minFilterKeys: 100) with { ManifestPollInterval = TimeSpan.FromHours(1), CacheBlocksOnFlush = cacheBlocksOnFlush };

    private static async Task WriteAndFlushAsync(SlateDb db, int rows)
    {
        var batch = new WriteBatch();
        for (var i = 0; i < rows; i++)
        {
            batch.Put(Key(i), Value(i));
        }

        await db.WriteAsync(batch);
        await FlushMemtableAsync(db);
    }

    [Fact]
    public async Task Gets_straight_after_a_flush_are_served_from_the_blocks_the_flush_cached()
    {
        using var store = new InstrumentedObjectStore(new InMemoryObjectStore());
        using var cache = new MemoryBlockCache();
        await using var db = await SlateDb.Builder("db", store).WithOptions(Options()).WithBlockCache(cache).OpenAsync();
        await WriteAndFlushAsync(db, 5_000);

        cache.DataSizeBytes.Should().BeGreaterThan(5_000 * 40, "every data block of the flushed SST is cached");
        cache.MetadataSizeBytes.Should().BeGreaterThan(0);
        store.ResetStats();
        for (var i = 0; i < 5_000; i += 7)
        {
            (await db.GetAsync(Key(i))).Should().Equal(Value(i));
        }

        (await db.GetAsync(B("key999999x"))).Should().BeNull();
        store.Stats.Gets.Should().Be(0);
        store.Stats.RangeGets.Should().Be(0, "the flush left the data blocks, index and filter in the cache");
        store.Stats.Heads.Should().Be(0);
    }

    [Fact]
    public async Task With_cache_blocks_on_flush_off_a_flush_caches_index_and_filter_only()
    {
        using var store = new InstrumentedObjectStore(new InMemoryObjectStore());
        using var cache = new MemoryBlockCache();
        await using var db = await SlateDb.Builder("db", store).WithOptions(Options(cacheBlocksOnFlush: false)).WithBlockCache(cache).OpenAsync();
        await WriteAndFlushAsync(db, 5_000);

        cache.DataSizeBytes.Should().Be(0);
        cache.MetadataSizeBytes.Should().BeGreaterThan(0);
        store.ResetStats();
        (await db.GetAsync(Key(1234))).Should().NotBeNull();
        store.Stats.RangeGets.Should().Be(1, "the data block is read from the store; the index and filter were cached at the flush");
        store.Stats.Heads.Should().Be(0);
    }

    [Fact]
    public async Task A_flush_warms_at_most_a_quarter_of_the_data_capacity()
    {
        const long capacity = 128 * 1024;
        using var store = new InstrumentedObjectStore(new InMemoryObjectStore());
        using var cache = new MemoryBlockCache(dataCapacityBytes: capacity);
        await using var db = await SlateDb.Builder("db", store).WithOptions(Options()).WithBlockCache(cache).OpenAsync();
        await WriteAndFlushAsync(db, 5_000); // About 350 KB of data blocks.

        cache.DataSizeBytes.Should().BeGreaterThan(0).And.BeLessThanOrEqualTo(capacity / 4);

        // The first blocks (in key order) are the ones warmed.
        store.ResetStats();
        (await db.GetAsync(Key(0))).Should().NotBeNull();
        store.Stats.RangeGets.Should().Be(0);
        (await db.GetAsync(Key(4_999))).Should().NotBeNull();
        store.Stats.RangeGets.Should().Be(1);
    }

    [Fact]
    public void The_option_round_trips_through_settings_files_and_is_written_only_when_off()
    {
        SlateDbOptions.Default.CacheBlocksOnFlush.Should().BeTrue();
        SlateDbOptions.Default.ToJson().Should().NotContain("cache_blocks_on_flush");
        var off = SlateDbOptions.Default with { CacheBlocksOnFlush = false };
        off.ToJson().Should().Contain("\"cache_blocks_on_flush\": false");
        SlateDbOptions.FromJson(off.ToJson(), strict: true).Should().Be(off);
        off.FlushWarmCapBytes(new MemoryBlockCache()).Should().Be(0);
        SlateDbOptions.Default.FlushWarmCapBytes(new MemoryBlockCache(dataCapacityBytes: 800)).Should().Be(200);
        SlateDbOptions.Default.FlushWarmCapBytes(null).Should().Be(0);
    }

    [Fact]
    public async Task Flushes_stop_warming_once_the_cache_holds_a_quarter_of_its_data_capacity()
    {
        const long capacity = 4L * 1024 * 1024;
        using var store = new InstrumentedObjectStore(new InMemoryObjectStore());
        using var cache = new MemoryBlockCache(dataCapacityBytes: capacity);
        await using var db = await SlateDb.Builder("db", store).WithOptions(Options()).WithBlockCache(cache).OpenAsync();
        await WriteAndFlushAsync(db, 5_000); // About 350 KB of data blocks: fits whole under the 1 MiB quarter.
        var afterFirst = cache.DataSizeBytes;
        afterFirst.Should().BeGreaterThan(5_000 * 40);
        SlateDbOptions.Default.FlushWarmCapBytes(cache).Should().Be((capacity / 4) - afterFirst, "the next flush may warm what is left of the quarter");

        // Three more flushes of ~350 KB: together they would pass the quarter; warming stops at it.
        for (var round = 1; round <= 3; round++)
        {
            var batch = new WriteBatch();
            for (var i = 0; i < 5_000; i++)
            {
                batch.Put(B($"round{round}-{i:D6}"), Value(i));
            }

            await db.WriteAsync(batch);
            await FlushMemtableAsync(db);
        }

        cache.DataSizeBytes.Should().BeGreaterThan(afterFirst).And.BeLessThanOrEqualTo(capacity / 4);
        SlateDbOptions.Default.FlushWarmCapBytes(cache).Should().BeLessThan(8 * 1024, "less than two blocks are left of the quarter");

        // Reads still fill the cache past the quarter.
        for (var i = 0; i < 5_000; i += 50)
        {
            (await db.GetAsync(B($"round3-{i:D6}"))).Should().Equal(Value(i));
        }

        cache.DataSizeBytes.Should().BeGreaterThan(capacity / 4);
    }
}
