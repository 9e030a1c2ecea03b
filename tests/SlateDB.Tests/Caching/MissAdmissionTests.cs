using SlateDB.Caching;
using SlateDB.Storage;
using static SlateDB.Tests.Read.ReadTestKit;

namespace SlateDB.Tests.Caching;

/// <summary>
/// A nearly full block cache takes a get's missed block at its second miss (<see cref="MissAdmission"/>); a cache
/// with room takes every one.
/// </summary>
public class MissAdmissionTests
{
    private const int Rows = 40_000; // About 2.8 MB of data blocks, far more than the cache below.
    private const int Stride = 100; // Rows between two gets: more than a 4 KiB block holds.

    [Fact]
    public void A_block_is_admitted_at_its_second_miss_and_then_forgotten()
    {
        var admission = new MissAdmission(64L * 1024 * 1024);

        admission.SecondMiss(12345).Should().BeFalse("a first miss is only remembered");
        admission.SecondMiss(777).Should().BeFalse();
        admission.SecondMiss(12345).Should().BeTrue();
        admission.SecondMiss(12345).Should().BeFalse("the admission forgot it: another miss starts over");
        admission.SecondMiss(777).Should().BeTrue("another block's memory was not disturbed");
    }

    [Theory]
    [InlineData(1024L, 1024)]
    [InlineData(64L * 1024 * 1024, 16_384)]
    [InlineData(100L * 1024 * 1024, 32_768)]
    [InlineData(1L << 40, 1 << 20)]
    public void It_has_a_slot_per_4_KiB_of_capacity_as_a_power_of_two_within_bounds(long capacity, int slots) =>
        new MissAdmission(capacity).Slots.Should().Be(slots);

    [Fact]
    public async Task A_full_caches_first_miss_is_answered_without_caching_and_the_second_miss_caches_the_block()
    {
        using var store = new InstrumentedObjectStore(new InMemoryObjectStore());
        using var cache = new MemoryBlockCache(dataCapacityBytes: 64 * 1024);
        await using var db = await OpenFilledAsync(store, cache);

        // Blocks of their own until the cache is past 15/16 of its capacity: each is admitted while there is room.
        var n = 0;
        while (cache.DataSizeBytes < cache.DataCapacityBytes - (cache.DataCapacityBytes / 16))
        {
            n.Should().BeLessThan(Rows / Stride / 2, "the gets' blocks fill the cache");
            (await db.GetAsync(Key(n * Stride))).Should().Equal(Value(n * Stride));
            n++;
        }

        n.Should().BeGreaterThan(5, "blocks went in while the cache had room");
        var target = (n + 50) * Stride; // A block no get has read.

        (await ReadsOfGetAsync(db, store, target)).Should().Be(1, "the first miss reads the block");
        (await ReadsOfGetAsync(db, store, target)).Should().Be(1, "it was not cached: the second get misses again, and this time caches it");
        (await ReadsOfGetAsync(db, store, target)).Should().Be(0, "the block is in the cache");
    }

    [Fact]
    public async Task A_cache_with_room_takes_a_block_at_its_first_miss()
    {
        using var store = new InstrumentedObjectStore(new InMemoryObjectStore());
        using var cache = new MemoryBlockCache();
        await using var db = await OpenFilledAsync(store, cache);
        (await db.GetAsync(Key(0))).Should().Equal(Value(0)); // The SST's metadata, read once.

        (await ReadsOfGetAsync(db, store, 10 * Stride)).Should().Be(1, "the first get reads the block");
        (await ReadsOfGetAsync(db, store, 10 * Stride)).Should().Be(0, "the first miss cached it");
    }

    /// <summary>A database of <see cref="Rows"/> rows flushed to one SST whose blocks nothing cached yet.</summary>
    private static async Task<SlateDb> OpenFilledAsync(IObjectStore store, MemoryBlockCache cache)
    {
        var options = TestOptions(minFilterKeys: 100) with { ManifestPollInterval = TimeSpan.FromHours(1), CacheBlocksOnFlush = false, WarmCacheOnRandomReads = false };
        var db = await SlateDb.Builder("db", store).WithOptions(options).WithBlockCache(cache).OpenAsync();
        var batch = new WriteBatch();
        for (var i = 0; i < Rows; i++)
        {
            batch.Put(Key(i), Value(i));
        }

        await db.WriteAsync(batch);
        await FlushMemtableAsync(db);
        return db;
    }

    /// <summary>The store reads (whole or ranged GETs) one get of row <paramref name="i"/> makes.</summary>
    private static async Task<long> ReadsOfGetAsync(SlateDb db, InstrumentedObjectStore store, int i)
    {
        store.ResetStats();
        (await db.GetAsync(Key(i))).Should().Equal(Value(i));
        var stats = store.Stats;
        return stats.Gets + stats.RangeGets;
    }

    private static byte[] Key(int i) => B($"key{i:D6}");

    private static byte[] Value(int i) => B($"value-{i:D6}-0123456789abcdef-0123456789abcdef");
}
