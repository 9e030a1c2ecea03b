using SlateDB.Format;
using SlateDB.Memtable;
using static SlateDB.Tests.Memtable.KvTableTestData;

namespace SlateDB.Tests.Memtable;

public sealed class KvTableTests
{
    private const int U = (int)BoundKind.Unbounded;
    private const int I = (int)BoundKind.Included;
    private const int E = (int)BoundKind.Excluded;
    private static readonly byte[] s_k = [0x6B];

    [Fact]
    public void Empty_table_finds_nothing_and_has_no_seqs()
    {
        var table = new KvTable();

        table.TryGet(s_k, ulong.MaxValue, out _).Should().BeFalse();
        table.TryGet([], ulong.MaxValue, out _).Should().BeFalse();
        Drain(table.Iterate()).Should().BeEmpty();
        Drain(table.Range(KeyBound.Unbounded, KeyBound.Unbounded, IterationOrder.Descending)).Should().BeEmpty();
        table.IsEmpty.Should().BeTrue();
        table.Metadata.Should().Be(new KvTableMetadata(0, 0, null, null, long.MinValue));
    }

    [Fact]
    public void Versions_of_a_key_come_newest_first_and_reads_respect_max_seq()
    {
        var table = new KvTable();
        foreach (var seq in new ulong[] { 3, 1, 5, 2, 4 })
        {
            table.Put(seq == 4 ? RowEntry.Delete(s_k, seq) : RowEntry.Put(s_k, new byte[] { (byte)seq }, seq));
        }

        Drain(table.Iterate()).Select(r => r.Seq).Should().Equal(5UL, 4UL, 3UL, 2UL, 1UL);
        Drain(table.Range(KeyBound.Unbounded, KeyBound.Unbounded, IterationOrder.Descending))
            .Select(r => r.Seq).Should().Equal(5UL, 4UL, 3UL, 2UL, 1UL);

        table.TryGet(s_k, ulong.MaxValue, out var newest).Should().BeTrue();
        newest.Seq.Should().Be(5);
        table.TryGet(s_k, 4, out var tombstone).Should().BeTrue();
        tombstone.IsTombstone.Should().BeTrue("TryGet returns tombstones for the caller to interpret");
        table.TryGet(s_k, 3, out var three).Should().BeTrue();
        three.Value.ToArray().Should().Equal(3);
        table.TryGet(s_k, 0, out _).Should().BeFalse();
        table.TryGet([0x6B, 0x00], ulong.MaxValue, out _).Should().BeFalse();
        table.TryGet([], ulong.MaxValue, out _).Should().BeFalse();
    }

    [Fact]
    public void Keys_order_bytewise_unsigned_with_prefixes_first()
    {
        byte[][] sorted =
        [
            [], [0x00], [0x00, 0x00], [0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00], [0x01],
            [0x61], [0x61, 0x00], [0x61, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00], [0x61, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00],
            [0x61, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01], [0x61, 0x62], [0x7F], [0x80], [0xFF],
            [0xFF, 0xFF, 0xFF, 0xFF], [0xFF, 0xFF, 0xFF, 0xFF, 0x00], [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF],
        ];
        var table = new KvTable(7);
        var random = new Random(7);
        foreach (var index in Enumerable.Range(0, sorted.Length).OrderBy(_ => random.Next()))
        {
            table.Put(RowEntry.Put(sorted[index], s_k, (ulong)index + 1));
        }

        Drain(table.Iterate()).Select(r => r.Key.ToArray()).Should().BeEquivalentTo(sorted, o => o.WithStrictOrdering());
        Drain(table.Range(KeyBound.Unbounded, KeyBound.Unbounded, IterationOrder.Descending))
            .Select(r => r.Key.ToArray()).Should().BeEquivalentTo(sorted.Reverse(), o => o.WithStrictOrdering());
        foreach (var (key, index) in sorted.Select((k, i) => (k, i)))
        {
            table.TryGet(key, ulong.MaxValue, out var row).Should().BeTrue(Convert.ToHexString(key));
            row.Seq.Should().Be((ulong)index + 1);
        }
    }

    [Fact]
    public void Long_keys_sharing_their_inline_bytes_compare_on_the_rest()
    {
        var table = new KvTable(3);
        var keys = new List<byte[]>();
        for (var tail = 0; tail < 40; tail++)
        {
            var key = new byte[36 + (tail % 5)];
            key.AsSpan().Fill(0x42);
            key[^1] = (byte)(tail * 6);
            keys.Add(key);
        }

        foreach (var (key, i) in keys.Select((k, i) => (k, i)))
        {
            table.Put(RowEntry.Put(key, s_k, (ulong)i + 1));
        }

        var expected = keys.Order(Comparer<byte[]>.Create((a, b) => a.AsSpan().SequenceCompareTo(b))).ToList();
        Drain(table.Iterate()).Select(r => r.Key.ToArray()).Should().BeEquivalentTo(expected, o => o.WithStrictOrdering());
        table.TryGet(keys[7], ulong.MaxValue, out var row).Should().BeTrue();
        row.Seq.Should().Be(8);
    }

    [Fact]
    public void The_table_keeps_copies_so_callers_may_reuse_their_buffers()
    {
        var table = new KvTable();
        var key = new byte[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34 };
        var value = new byte[300_000];
        Array.Fill(value, (byte)7);
        var row = RowEntry.Put(key, value, 5, createTs: 11, expireTs: 99);
        table.Put(row, out var stored);
        var expected = RowEntry.Put(key.ToArray(), value.ToArray(), 5, createTs: 11, expireTs: 99);
        key[33] = 0;
        value[0] = 0;

        stored.ShouldHoldSameContent(expected, "the stored row is the table's copy");
        table.TryGet(expected.Key.Span, ulong.MaxValue, out var found).Should().BeTrue("a key longer than 32 bytes compares its tail from the copy");
        found.ShouldHoldSameContent(expected, "the buffers were changed after the put");
        table.TryGet(key, ulong.MaxValue, out _).Should().BeFalse();
        Drain(table.Iterate()).Single().ShouldHoldSameContent(expected, "iteration reads the copy too");
    }

    [Fact]
    public void Same_key_and_seq_replaces_the_row_and_adjusts_the_size()
    {
        var table = new KvTable();
        table.Put(RowEntry.Put(s_k, new byte[10], 9, createTs: 100));
        table.Put(RowEntry.Put(new byte[] { 0x6C }, new byte[1], 10));
        var sizeBefore = table.EstimatedSize;

        var replacement = RowEntry.MergeOperand(s_k, new byte[3], 9, createTs: 50, expireTs: 70);
        table.Put(replacement);

        table.EntryCount.Should().Be(2);
        table.EstimatedSize.Should().Be(sizeBefore - (1 + 10 + 8 + 8) + (1 + 3 + 8 + 8 + 8));
        table.TryGet(s_k, ulong.MaxValue, out var row).Should().BeTrue();
        row.ShouldHoldSameContent(replacement, "the replacement is what the table holds now");
        Drain(table.Iterate()).Should().HaveCount(2);
        table.LastTick.Should().Be(100, "the largest create_ts seen stays");
    }

    [Fact]
    public void Statistics_follow_the_inserts()
    {
        var table = new KvTable();
        table.Put(RowEntry.Put(new byte[] { 1, 2 }, new byte[5], 20, createTs: 7));
        table.Put(RowEntry.Delete(new byte[] { 3 }, 12, createTs: 9, expireTs: 11));
        table.Put(RowEntry.Put(new byte[] { 4 }, new byte[2], 30));

        table.Metadata.Should().Be(new KvTableMetadata(
            EntryCount: 3,
            EstimatedSize: (2 + 5 + 8 + 8) + (1 + 0 + 8 + 8 + 8) + (1 + 2 + 8),
            FirstSeq: 12,
            LastSeq: 30,
            LastTick: 9));
    }

    [Theory]
    [InlineData(I, 0x30, I, 0x30, new byte[] { 0x30 })]
    [InlineData(I, 0x30, E, 0x30, new byte[0])]
    [InlineData(E, 0x30, I, 0x30, new byte[0])]
    [InlineData(I, 0x50, I, 0x10, new byte[0])]
    [InlineData(E, 0x10, E, 0x30, new byte[] { 0x20 })]
    [InlineData(I, 0x11, E, 0x31, new byte[] { 0x20, 0x30 })]
    [InlineData(U, 0, E, 0x20, new byte[] { 0x10 })]
    [InlineData(E, 0x30, U, 0, new byte[] { 0x40 })]
    [InlineData(I, 0x41, U, 0, new byte[0])]
    [InlineData(U, 0, E, 0x10, new byte[0])]
    public void Range_bounds_select_the_right_keys(int startKindValue, byte start, int endKindValue, byte end, byte[] expectedKeys)
    {
        var startKind = (BoundKind)startKindValue;
        var endKind = (BoundKind)endKindValue;
        var table = new KvTable();
        foreach (var key in new byte[] { 0x10, 0x20, 0x30, 0x40 })
        {
            table.Put(RowEntry.Put(new[] { key }, s_k, 2));
            table.Put(RowEntry.Put(new[] { key }, s_k, 1));
        }

        var startBound = new KeyBound(startKind, startKind == BoundKind.Unbounded ? default : new[] { start });
        var endBound = new KeyBound(endKind, endKind == BoundKind.Unbounded ? default : new[] { end });
        var expected = expectedKeys.SelectMany(k => new[] { (k, 2UL), (k, 1UL) }).ToList();

        Drain(table.Range(startBound, endBound, IterationOrder.Ascending)).Select(r => (r.Key.Span[0], r.Seq))
            .Should().Equal(expected);
        Drain(table.Range(startBound, endBound, IterationOrder.Descending)).Select(r => (r.Key.Span[0], r.Seq))
            .Should().Equal(expected.GroupBy(e => e.k).Reverse().SelectMany(g => g));
    }

    [Fact]
    public void Put_after_freeze_throws()
    {
        var table = new KvTable();
        table.Put(RowEntry.Put(s_k, s_k, 1));
        table.Freeze();

        table.IsFrozen.Should().BeTrue();
        var act = () => table.Put(RowEntry.Put(s_k, s_k, 2));
        act.Should().Throw<InvalidOperationException>();
        table.EntryCount.Should().Be(1);
    }

    [Fact]
    public void Tower_heights_depend_only_on_the_seed()
    {
        static List<int> Heights(ulong seed)
        {
            var table = new KvTable(seed);
            for (var i = 0; i < 2000; i++)
            {
                table.Put(RowEntry.Put(BitConverter.GetBytes(i * 7919), s_k, (ulong)i));
            }

            var heights = new List<int>();
            for (var node = table.NextOf(KvTable.Head); node != KvTable.Head; node = table.NextOf(node))
            {
                heights.Add(table.HeightOf(node));
            }

            return heights;
        }

        var first = Heights(99);
        Heights(99).Should().Equal(first);
        Heights(100).Should().NotEqual(first);
        first.Should().OnlyContain(h => h >= 1 && h <= KvTable.MaxHeight);
        first.Count(h => h >= 2).Should().BeInRange(800, 1200, "about half the towers rise above level 0");
    }

    [Fact]
    public void Every_level_is_sorted_and_a_subset_of_the_one_below()
    {
        var random = new Random(5);
        var table = new KvTable(5);
        var pool = KeyPool(random, 300);
        for (var i = 0; i < 3000; i++)
        {
            table.Put(Row(random, pool[random.Next(pool.Count)], (ulong)random.Next(1, 500)));
        }

        var below = new HashSet<int>();
        for (var node = table.NextOf(KvTable.Head, 0); node != KvTable.Head; node = table.NextOf(node, 0))
        {
            below.Add(node);
        }

        for (var level = 1; level < KvTable.MaxHeight; level++)
        {
            var current = new HashSet<int>();
            var previous = KvTable.Head;
            for (var node = table.NextOf(KvTable.Head, level); node != KvTable.Head; node = table.NextOf(node, level))
            {
                below.Should().Contain(node, $"level {level}");
                table.HeightOf(node).Should().BeGreaterThan(level);
                if (previous != KvTable.Head)
                {
                    var c = KvTableModel.CompareKeys(table.KeyOf(previous), table.KeyOf(node));
                    (c < 0 || (c == 0 && table.RowOf(previous).Seq > table.RowOf(node).Seq)).Should().BeTrue($"level {level}");
                }

                previous = node;
                current.Add(node);
            }

            below = current;
        }
    }

    [Theory]
    [InlineData("user", 1)]
    [InlineData("", 2)]
    [InlineData("same-key", 3)]
    public void Keys_outside_the_sampled_hint_window_keep_their_order(string samplePrefix, int seed)
    {
        // The first HintSampleSize entries fix the hint window; later keys fall below, inside and above it.
        var random = new Random(seed);
        var keys = new List<byte[]>();
        for (var i = 0; i < KvTable.HintSampleSize; i++)
        {
            var suffix = samplePrefix == "same-key" ? string.Empty : random.NextInt64(1_000_000_000_000L).ToString("D12");
            keys.Add(System.Text.Encoding.ASCII.GetBytes(samplePrefix + suffix));
        }

        string[] later =
        [
            "", "a", "use", "user", "user\0", "user0", "user5", "user999999999999999", "usera", "v", "same", "same-kez",
            "same-key\0", "\u007f", "zzzzzzzzzzzzzzzzzzzzzzzz",
        ];
        keys.AddRange(later.Select(k => System.Text.Encoding.Latin1.GetBytes(k)));
        keys.Add([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]);
        for (var i = 0; i < 500; i++)
        {
            var key = new byte[random.Next(0, 20)];
            random.NextBytes(key);
            keys.Add(key);
        }

        var table = new KvTable((ulong)seed);
        var model = new KvTableModel();
        for (var i = 0; i < keys.Count; i++)
        {
            var row = RowEntry.Put(keys[i], s_k, (ulong)i + 1);
            table.Put(row);
            model.Put(row);
        }

        ShouldEqualRows(Drain(table.Iterate()), model.All.ToList(), $"seed {seed}");
        ShouldEqualRows(
            Drain(table.Range(KeyBound.Unbounded, KeyBound.Unbounded, IterationOrder.Descending)),
            model.Range(KeyBound.Unbounded, KeyBound.Unbounded, IterationOrder.Descending),
            $"seed {seed}");
        foreach (var key in keys)
        {
            table.TryGet(key, ulong.MaxValue, out var row).Should().BeTrue($"seed {seed}, key {Convert.ToHexString(key)}");
            row.ShouldHoldSameContent(model.Get(key, ulong.MaxValue)!.Value, $"seed {seed}, key {Convert.ToHexString(key)}");
        }
    }
}
