using SlateDB.Caching;

namespace SlateDB.Tests.Caching;

public class ClockCacheTests
{
    [Fact]
    public void Holds_no_more_than_its_capacity()
    {
        var cache = new ClockCache<int>(1000);
        for (var i = 0; i < 500; i++)
        {
            cache.Set(i, i, 37);
            cache.SizeBytes.Should().BeLessThanOrEqualTo(1000);
        }

        cache.Count.Should().Be(1000 / 37);
        cache.TryGet(499, out var newest).Should().BeTrue();
        newest.Should().Be(499);
        cache.TryGet(0, out _).Should().BeFalse("the oldest entries are evicted first");
    }

    [Fact]
    public void An_entry_read_since_the_hand_passed_gets_a_second_chance()
    {
        var cache = new ClockCache<string>(3);
        cache.Set("a", "A", 1);
        cache.Set("b", "B", 1);
        cache.Set("c", "C", 1);
        cache.TryGet("a", out _).Should().BeTrue();

        cache.Set("d", "D", 1);

        cache.TryGet("a", out var a).Should().BeTrue("it was read, so b (older and unread) goes instead");
        a.Should().Be("A");
        cache.TryGet("b", out _).Should().BeFalse();
        cache.TryGet("c", out _).Should().BeTrue();
        cache.TryGet("d", out _).Should().BeTrue();
        cache.SizeBytes.Should().Be(3);
    }

    [Fact]
    public void Replacing_an_entry_counts_only_the_new_size()
    {
        var cache = new ClockCache<int>(100);
        cache.Set(1, "old", 40);
        cache.Set(1, "new", 10);

        cache.SizeBytes.Should().Be(10);
        cache.Count.Should().Be(1);
        cache.TryGet(1, out var value).Should().BeTrue();
        value.Should().Be("new");
    }

    [Fact]
    public void An_entry_larger_than_the_capacity_is_not_kept_and_evicts_nothing()
    {
        var cache = new ClockCache<int>(100);
        cache.Set(1, "small", 10);
        cache.Set(2, "huge", 101);

        cache.TryGet(2, out _).Should().BeFalse();
        cache.TryGet(1, out _).Should().BeTrue();
        cache.SizeBytes.Should().Be(10);
    }

    [Fact]
    public void Remove_and_clear_release_their_bytes()
    {
        var cache = new ClockCache<int>(100);
        cache.Set(1, "x", 10);
        cache.Set(2, "y", 20);
        cache.Remove(1);
        cache.Remove(3);

        cache.TryGet(1, out _).Should().BeFalse();
        cache.SizeBytes.Should().Be(20);

        cache.Clear();
        cache.Count.Should().Be(0);
        cache.SizeBytes.Should().Be(0);
    }

    [Fact]
    public void Sizes_stay_consistent_under_concurrent_sets_gets_and_removes()
    {
        const int seed = 2026;
        var cache = new ClockCache<int>(5_000);
        var threads = Enumerable.Range(0, 4).Select(t => new Thread(() =>
        {
            var random = new Random(seed + t);
            for (var i = 0; i < 50_000; i++)
            {
                var key = random.Next(400);
                switch (random.Next(10))
                {
                    case < 5:
                        if (cache.TryGet(key, out var value))
                        {
                            ((int)value).Should().Be(SizeOf(key));
                        }

                        break;
                    case < 9:
                        cache.Set(key, SizeOf(key), SizeOf(key));
                        break;
                    default:
                        cache.Remove(key);
                        break;
                }
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        long present = 0;
        for (var key = 0; key < 400; key++)
        {
            if (cache.TryGet(key, out _))
            {
                present += SizeOf(key);
            }
        }

        cache.SizeBytes.Should().Be(present, $"the counted size must equal the entries held (seed {seed})");
        cache.SizeBytes.Should().BeLessThanOrEqualTo(5_000);
        cache.Count.Should().BeGreaterThan(0);

        static int SizeOf(int key) => 10 + (key % 50);
    }

    [Fact]
    public void A_slab_is_charged_until_its_last_entry_leaves()
    {
        var cache = new ClockCache<int>(100);
        var slab = new CacheSlab();
        for (var key = 0; key < 4; key++)
        {
            cache.Set(key, key, 10, slab);
        }

        cache.SizeBytes.Should().Be(40);
        cache.Remove(0);
        cache.Remove(1);
        cache.Remove(2);
        cache.SizeBytes.Should().Be(40, "the slab's memory is alive while one of its entries is");
        cache.Count.Should().Be(1);

        cache.Remove(3);
        cache.SizeBytes.Should().Be(0);
        slab.Live.Should().Be(0);
    }

    [Fact]
    public void The_hand_evicts_a_slab_whole()
    {
        var cache = new ClockCache<int>(120);
        var slab = new CacheSlab();
        for (var key = 0; key < 5; key++)
        {
            cache.Set(key, key, 20, slab);
        }

        for (var key = 1; key < 5; key++)
        {
            cache.TryGet(key, out _).Should().BeTrue();
        }

        cache.Set(100, "other", 40);

        // Entry by entry, evicting 0 would free nothing, 1-4 (read) would get a second chance and the new entry would
        // go: the whole slab goes instead, and frees its bytes at once.
        cache.SizeBytes.Should().Be(40);
        cache.TryGet(100, out _).Should().BeTrue();
        for (var key = 0; key < 5; key++)
        {
            cache.TryGet(key, out _).Should().BeFalse();
        }

        slab.Live.Should().Be(0);
    }

    [Fact]
    public void Replacing_a_slab_entry_keeps_the_slab_charged()
    {
        var cache = new ClockCache<int>(1000);
        var slab = new CacheSlab();
        cache.Set(1, "a", 100, slab);
        cache.Set(2, "b", 100, slab);

        cache.Set(1, "own", 30);

        cache.SizeBytes.Should().Be(230, "the replaced entry's slab is still alive through entry 2");
        cache.Remove(2);
        cache.SizeBytes.Should().Be(30);
    }

    [Fact]
    public void Clear_forgets_slab_entries()
    {
        var cache = new ClockCache<int>(1000);
        var slab = new CacheSlab();
        cache.Set(1, "a", 100, slab);
        cache.Set(2, "b", 100, slab);

        cache.Clear();
        cache.Set(3, "c", 50, slab);
        cache.Remove(3);

        cache.SizeBytes.Should().Be(0, "after the clear the slab counts only its new entry");
        slab.Live.Should().Be(0);
    }

    [Fact]
    public void A_slabs_unowned_bytes_are_charged_with_its_first_entry_and_freed_with_its_last()
    {
        var cache = new ClockCache<int>(1000);
        var slab = new CacheSlab(unownedBytes: 50);
        cache.Set(1, "a", 100, slab);
        cache.Set(2, "b", 100, slab);
        cache.SizeBytes.Should().Be(250);

        cache.Remove(1);
        cache.SizeBytes.Should().Be(250);
        cache.Remove(2);
        cache.SizeBytes.Should().Be(0);
    }

    [Fact]
    public void A_slab_entry_larger_than_the_capacity_is_not_kept_or_charged()
    {
        var cache = new ClockCache<int>(100);
        var slab = new CacheSlab(unownedBytes: 30);
        cache.Set(1, "huge", 101, slab);

        cache.SizeBytes.Should().Be(0);
        slab.Live.Should().Be(0);
        cache.Set(2, "small", 20, slab);
        cache.SizeBytes.Should().Be(50, "the unowned bytes come with the first entry kept");
    }

    [Fact]
    public void A_replaced_slab_entry_is_freed_when_the_hand_takes_its_slab()
    {
        var cache = new ClockCache<int>(100);
        var slab = new CacheSlab();
        cache.Set(1, "a", 30, slab);
        cache.Set(2, "b", 30, slab);
        cache.Set(1, "own", 10);
        cache.SizeBytes.Should().Be(70, "entry 1's old bytes stay charged while entry 2 holds the slab");

        cache.Set(3, "c", 40); // 110 > 100: the hand reaches entry 2 and takes the slab, with entry 1's old bytes.

        cache.SizeBytes.Should().Be(50);
        cache.TryGet(1, out var replaced).Should().BeTrue();
        replaced.Should().Be("own");
        cache.TryGet(2, out _).Should().BeFalse();
        cache.TryGet(3, out _).Should().BeTrue();
    }
}
