using SlateDB.Common;
using SlateDB.Format;
using SlateDB.Iterators;
using SlateDB.Manifest;
using SlateDB.Sst;
using SlateDB.Storage;
using SlateDB.Tests.Read;
using static SlateDB.Tests.Read.ReadTestKit;

namespace SlateDB.Tests.Iterators;

/// <summary>An SST read through a view with a visible range (a clone or projection) shows only the keys in that range.</summary>
public sealed class SstRowIteratorTests
{
    [Fact]
    public async Task A_view_with_a_visible_range_shows_only_its_keys_to_scans_and_gets()
    {
        const int seed = 31337;
        var tables = new TableStore(new InMemoryObjectStore(), new DbPaths("db"), TestOptions(minFilterKeys: 1), cache: null);
        var builder = new SstBuilder(tables.Settings, SstKind.Compacted);
        var keys = Enumerable.Range(0, 600).Select(i => B($"k{i:D4}")).ToList();
        foreach (var key in keys)
        {
            builder.Add(RowEntry.Put(key, B("v-" + S(key) + "-padding-to-fill-several-blocks"), 1));
        }

        var handle = await tables.WriteCompactedAsync(new Ulid(9, 9), builder, CancellationToken.None);
        var random = new Random(seed);
        for (var trial = 0; trial < 300; trial++)
        {
            var visible = new BytesRange(RandomBound(random), RandomBound(random));
            var view = new SsTableView(new Ulid(9, 10), handle, visible);
            var scan = ModelRange.Random(random, () => RandomKey(random), () => B("k0" + random.Next(10)));
            foreach (var order in new[] { IterationOrder.Ascending, IterationOrder.Descending })
            {
                var fetch = new BlockFetch(random.Next(2) == 0 ? 1 : 16 * 1024, 1 + random.Next(3), CacheBlocks: false);
                var iterator = new SstRowIterator(tables, view, scan.Range, order, fetch);
                var actual = new List<string>();
                while (await iterator.MoveNextAsync(CancellationToken.None))
                {
                    actual.Add(S(iterator.Current.Key));
                }

                var expected = keys.Where(k => scan.Contains(k) && KeyRanges.Contains(visible, k)).Select(k => S(k)).ToList();
                if (order == IterationOrder.Descending)
                {
                    expected.Reverse();
                }

                actual.Should().Equal(expected, "seed {0}, trial {1}: scan {2} {3} through view {4} .. {5}", seed, trial, scan, order, visible.Start, visible.End);
            }

            var probe = keys[random.Next(keys.Count)];
            var found = await tables.GetAsync(view, probe, ulong.MaxValue, cacheBlocks: false, CancellationToken.None);
            (found is not null).Should().Be(KeyRanges.Contains(visible, probe), "seed {0}, trial {1}: get {2}", seed, trial, S(probe));
        }
    }

    private static byte[] RandomKey(Random random) => B(random.Next(8) == 0 ? "k" : $"k{random.Next(620):D4}" + (random.Next(4) == 0 ? "x" : ""));

    private static BytesBound RandomBound(Random random) => random.Next(3) switch
    {
        0 => BytesBound.Unbounded,
        1 => BytesBound.Included(RandomKey(random)),
        _ => BytesBound.Excluded(RandomKey(random)),
    };
}
