using SlateDB.Caching;

namespace SlateDB.Tests.Caching;

/// <summary>The clock cache's own hash table: growth, chains of colliding keys, and lock-free reads while it changes.</summary>
public class ClockCacheBucketsTests
{
    [Fact]
    public void Every_entry_is_found_after_the_table_grows_many_times_and_removals_unlink_only_their_own()
    {
        var cache = new ClockCache<int>(long.MaxValue);
        for (var key = 0; key < 20_000; key++)
        {
            cache.Set(key, key * 3, 1);
        }

        cache.Count.Should().Be(20_000);
        for (var key = 0; key < 20_000; key += 2)
        {
            cache.Remove(key);
        }

        cache.Count.Should().Be(10_000);
        for (var key = 0; key < 20_000; key++)
        {
            var found = cache.TryGet(key, out var value);
            found.Should().Be(key % 2 == 1, $"key {key}");
            if (found)
            {
                value.Should().Be(key * 3);
            }
        }
    }

    [Fact]
    public void Keys_that_share_a_hash_are_told_apart_and_unlinked_from_any_place_in_their_chain()
    {
        var cache = new ClockCache<Colliding>(long.MaxValue);
        for (var id = 0; id < 10; id++)
        {
            cache.Set(new Colliding(id), $"v{id}", 1);
        }

        cache.Remove(new Colliding(0));
        cache.Remove(new Colliding(5));
        cache.Remove(new Colliding(9));
        cache.Set(new Colliding(3), "replaced", 1);

        cache.Count.Should().Be(7);
        for (var id = 0; id < 10; id++)
        {
            var found = cache.TryGet(new Colliding(id), out var value);
            found.Should().Be(id is not (0 or 5 or 9), $"id {id}");
            if (found)
            {
                value.Should().Be(id == 3 ? "replaced" : $"v{id}");
            }
        }
    }

    [Fact]
    public void Hashes_that_differ_only_in_high_bits_still_spread_over_the_buckets()
    {
        var cache = new ClockCache<int>(long.MaxValue);
        for (var i = 0; i < 4_096; i++)
        {
            cache.Set(i << 20, i, 1);
        }

        for (var i = 0; i < 4_096; i++)
        {
            cache.TryGet(i << 20, out var value).Should().BeTrue();
            value.Should().Be(i);
        }

        cache.LongestChain().Should().BeLessThan(16, "the bucket index mixes every bit of the hash");
    }

    [Fact]
    public void Readers_never_see_another_keys_value_or_hang_while_the_table_grows_and_entries_come_and_go()
    {
        const int seed = 7;
        var cache = new ClockCache<int>(long.MaxValue);
        for (var key = 0; key < 1_000; key++)
        {
            cache.Set(key, key, 1);
        }

        var done = 0;
        var wrong = 0;
        long hits = 0;
        var readers = Enumerable.Range(0, 3).Select(t => new Thread(() =>
        {
            var random = new Random(seed + t);
            while (Volatile.Read(ref done) == 0)
            {
                var key = random.Next(50_000);
                if (cache.TryGet(key, out var value))
                {
                    Interlocked.Increment(ref hits);
                    if ((int)value != key)
                    {
                        Interlocked.Increment(ref wrong);
                    }
                }
            }
        })).ToList();
        readers.ForEach(r => r.Start());

        var writer = new Random(seed);
        for (var key = 1_000; key < 50_000; key++)
        {
            cache.Set(key, key, 1);
            if (writer.Next(4) == 0)
            {
                cache.Remove(writer.Next(key));
            }
        }

        Volatile.Write(ref done, 1);
        readers.ForEach(r => r.Join());

        wrong.Should().Be(0);
        hits.Should().BeGreaterThan(0);
        for (var key = 0; key < 1_000; key++)
        {
            // Set before the readers started; present unless the writer removed it.
            if (cache.TryGet(key, out var value))
            {
                value.Should().Be(key);
            }
        }

        var present = Enumerable.Range(0, 50_000).Count(key => cache.TryGet(key, out _));
        present.Should().Be(cache.Count, "every linked entry is found once the writer is done");
    }

    /// <summary>A key whose hash is the same for every id.</summary>
    private readonly record struct Colliding(int Id)
    {
        public override int GetHashCode() => 42;
    }
}
