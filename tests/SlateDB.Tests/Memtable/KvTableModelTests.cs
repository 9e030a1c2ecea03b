using SlateDB.Format;
using SlateDB.Memtable;
using static SlateDB.Tests.Memtable.KvTableTestData;

namespace SlateDB.Tests.Memtable;

/// <summary>Random operations on a KvTable checked against a sorted model.</summary>
public sealed class KvTableModelTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(20260822)]
    public void Random_inserts_with_many_versions_match_the_model(int seed)
    {
        var (table, model, pool, random) = Build(seed, inserts: 4000, verifyEvery: 500);

        Verify(table, model, seed);
        var because = $"seed {seed}";
        var maxSeq = model.All.Max(r => r.Seq);
        for (var i = 0; i < 600; i++)
        {
            var key = random.Next(10) == 0 ? [.. pool[random.Next(pool.Count)], 0x00] : pool[random.Next(pool.Count)];
            var readSeq = random.Next(4) == 0 ? ulong.MaxValue : (ulong)random.NextInt64(0, (long)maxSeq + 2);
            var expected = model.Get(key, readSeq);
            var found = table.TryGet(key, readSeq, out var row);
            found.Should().Be(expected.HasValue, $"{because}, key {Convert.ToHexString(key)} maxSeq {readSeq}");
            if (expected.HasValue)
            {
                row.ShouldHoldSameContent(expected.Value, because);
            }
        }
    }

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    public void Ranges_in_both_directions_match_the_model(int seed)
    {
        var (table, model, pool, random) = Build(seed, inserts: 3000, verifyEvery: 0);

        for (var i = 0; i < 400; i++)
        {
            var start = Bound(random, pool);
            var end = random.Next(8) == 0 ? start : Bound(random, pool);
            var order = random.Next(2) == 0 ? IterationOrder.Ascending : IterationOrder.Descending;
            var expected = model.Range(start, end, order);
            var actual = Drain(table.Range(start, end, order));
            var because = $"seed {seed}, range {Describe(start)}..{Describe(end)} {order}";
            actual.Count.Should().Be(expected.Count, because);
            ShouldEqualRows(actual, expected, because);
        }
    }

    [Theory]
    [InlineData(21)]
    [InlineData(22)]
    [InlineData(23)]
    public void Seek_skips_forward_in_iteration_order_and_never_back(int seed)
    {
        var (table, model, pool, random) = Build(seed, inserts: 2000, verifyEvery: 0);

        for (var i = 0; i < 150; i++)
        {
            var start = Bound(random, pool);
            var end = Bound(random, pool);
            var order = random.Next(2) == 0 ? IterationOrder.Ascending : IterationOrder.Descending;
            var expected = new Queue<RowEntry>(model.Range(start, end, order));
            var iterator = table.Range(start, end, order);
            var log = new List<string>();
            for (var step = 0; step < 60; step++)
            {
                var because = $"seed {seed}, range {Describe(start)}..{Describe(end)} {order}, steps {string.Join(' ', log)}";
                if (random.Next(3) == 0)
                {
                    var target = random.Next(5) == 0 ? [.. pool[random.Next(pool.Count)], 0x7F] : pool[random.Next(pool.Count)];
                    log.Add($"seek:{Convert.ToHexString(target)}");
                    iterator.Seek(target);
                    while (expected.Count > 0 && IsBefore(expected.Peek().Key.Span, target, order))
                    {
                        expected.Dequeue();
                    }
                }
                else
                {
                    log.Add("next");
                    var moved = iterator.TryNext(out var row);
                    moved.Should().Be(expected.Count > 0, because);
                    if (moved)
                    {
                        Describe(row).Should().Be(Describe(expected.Dequeue()), because);
                    }
                }
            }
        }
    }

    private static bool IsBefore(ReadOnlySpan<byte> key, byte[] target, IterationOrder order)
    {
        var c = KvTableModel.CompareKeys(key, target);
        return order == IterationOrder.Ascending ? c < 0 : c > 0;
    }

    private static (KvTable Table, KvTableModel Model, List<byte[]> Pool, Random Random) Build(int seed, int inserts, int verifyEvery)
    {
        var random = new Random(seed);
        var pool = KeyPool(random, 500);
        var hot = pool.Take(15).ToList();
        var table = new KvTable((ulong)seed);
        var model = new KvTableModel();
        var inserted = new List<RowEntry>();
        ulong nextSeq = 1;
        for (var i = 0; i < inserts; i++)
        {
            RowEntry row;
            var dice = random.Next(100);
            if (dice < 4 && inserted.Count > 0)
            {
                // Same key and seq again: the table replaces the row.
                var old = inserted[random.Next(inserted.Count)];
                row = Row(random, old.Key.ToArray(), old.Seq);
            }
            else
            {
                var key = dice < 35 ? hot[random.Next(hot.Count)] : pool[random.Next(pool.Count)];
                // Mostly increasing seqs, sometimes an older one (as when replaying).
                var seq = dice < 45 ? (ulong)random.NextInt64(1, (long)nextSeq + 1) * 1000 + 7 : nextSeq++ * 1000;
                row = Row(random, key, seq);
            }

            table.Put(row);
            model.Put(row);
            inserted.Add(row);
            if (verifyEvery > 0 && (i + 1) % verifyEvery == 0)
            {
                Verify(table, model, seed);
            }
        }

        return (table, model, pool, random);
    }

    private static void Verify(KvTable table, KvTableModel model, int seed)
    {
        var because = $"seed {seed}";
        var expected = model.All.ToList();
        var ascending = Drain(table.Iterate());
        ascending.Count.Should().Be(expected.Count, because);
        ShouldEqualRows(ascending, expected, because);
        ShouldEqualRows(
            Drain(table.Range(KeyBound.Unbounded, KeyBound.Unbounded, IterationOrder.Descending)),
            model.Range(KeyBound.Unbounded, KeyBound.Unbounded, IterationOrder.Descending),
            because);

        table.EntryCount.Should().Be(expected.Count, because);
        table.EstimatedSize.Should().Be(expected.Sum(r => KvTable.EstimateSize(r)), because);
        table.FirstSeq.Should().Be(expected.Min(r => r.Seq), because);
        table.LastSeq.Should().Be(expected.Max(r => r.Seq), because);
        table.LastTick.Should().Be(model.MaxCreateTs, because);
    }
}
