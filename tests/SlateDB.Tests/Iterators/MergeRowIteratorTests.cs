using SlateDB.Format;
using SlateDB.Iterators;
using SlateDB.Tests.Read;
using static SlateDB.Tests.Read.ReadTestKit;

namespace SlateDB.Tests.Iterators;

/// <summary>
/// The k-way merge (a heap of source indices) and the iterator above it, against sorted models: seeded random sources
/// with keys repeated within and across sources, steps that complete at once or later, in both orders.
/// </summary>
public sealed class MergeRowIteratorTests
{
    [Theory]
    [InlineData(IterationOrder.Ascending, 101)]
    [InlineData(IterationOrder.Descending, 202)]
    [InlineData(IterationOrder.Ascending, 303)]
    public async Task Merges_rows_in_key_order_then_newest_sequence_then_source_listed_first(IterationOrder order, int seed)
    {
        var random = new Random(seed);
        for (var trial = 0; trial < 200; trial++)
        {
            var sources = RandomSources(random, order);
            var expected = sources
                .SelectMany((rows, source) => rows.Select(row => (Row: row, Source: source)))
                .OrderBy(x => x.Row.Key.ToArray(), order == IterationOrder.Ascending ? OrdinalBytes.Instance : Comparer<byte[]>.Create((a, b) => OrdinalBytes.Instance.Compare(b, a)))
                .ThenByDescending(x => x.Row.Seq)
                .ThenBy(x => x.Source)
                .Select(x => Describe(x.Row))
                .ToList();

            var merge = new MergeRowIterator([.. sources.Select(rows => new ListRowIterator(rows, new Random(random.Next())))], order);
            var actual = new List<string>();
            while (await merge.MoveNextAsync(CancellationToken.None))
            {
                actual.Add(Describe(merge.Current));
            }

            actual.Should().Equal(expected, "seed {0}, trial {1}: {2} sources of {3} rows", seed, trial, sources.Count, string.Join("/", sources.Select(s => s.Count)));
            (await merge.MoveNextAsync(CancellationToken.None)).Should().BeFalse("seed {0}, trial {1}: the merge stays at its end", seed, trial);
        }
    }

    [Theory]
    [InlineData(IterationOrder.Ascending, 11)]
    [InlineData(IterationOrder.Descending, 12)]
    public async Task The_iterator_returns_each_keys_newest_visible_version_and_the_newest_source_wins_a_tie(IterationOrder order, int seed)
    {
        var random = new Random(seed);
        for (var trial = 0; trial < 200; trial++)
        {
            var sources = RandomSources(random, order);
            var maxSeq = (ulong)random.Next(1, 40);

            // Per key: the visible version with the highest sequence; among equal sequences the source listed first.
            var expected = new SortedDictionary<byte[], (RowEntry Row, int Source)>(OrdinalBytes.Instance);
            for (var source = 0; source < sources.Count; source++)
            {
                foreach (var row in sources[source])
                {
                    if (row.Seq > maxSeq)
                    {
                        continue;
                    }

                    var key = row.Key.ToArray();
                    if (!expected.TryGetValue(key, out var best) || row.Seq > best.Row.Seq || (row.Seq == best.Row.Seq && source < best.Source))
                    {
                        expected[key] = (row, source);
                    }
                }
            }

            var model = expected.Values.Where(x => !x.Row.IsTombstone).Select(x => $"{S(x.Row.Key)}={S(x.Row.Value)}@{x.Row.Seq}").ToList();
            if (order == IterationOrder.Descending)
            {
                model.Reverse();
            }

            var iterator = new DbIterator(
                _ => new MergeRowIterator([.. sources.Select(rows => new ListRowIterator(rows, new Random(random.Next())))], order),
                KeyRange.All,
                order,
                maxSeq,
                () => 0,
                onDispose: null);
            var actual = new List<string>();
            while (await iterator.NextAsync() is { } kv)
            {
                actual.Add($"{S(kv.Key)}={S(kv.Value)}@{kv.Sequence}");
            }

            actual.Should().Equal(model, "seed {0}, trial {1}: max sequence {2}, {3} sources", seed, trial, maxSeq, sources.Count);
            (await iterator.NextAsync()).Should().BeNull("seed {0}, trial {1}: the iterator stays at its end", seed, trial);
        }
    }

    [Fact]
    public async Task No_sources_or_only_empty_ones_merge_to_nothing_and_one_source_passes_through()
    {
        (await new MergeRowIterator([], IterationOrder.Ascending).MoveNextAsync(CancellationToken.None)).Should().BeFalse();
        var empty = new MergeRowIterator([new ListRowIterator([], new Random(1)), new ListRowIterator([], new Random(2))], IterationOrder.Descending);
        (await empty.MoveNextAsync(CancellationToken.None)).Should().BeFalse();

        var rows = Enumerable.Range(0, 100).Select(i => RowEntry.Put(B($"k{i:D3}"), B($"v{i}"), (ulong)i)).ToList();
        var single = new MergeRowIterator([new ListRowIterator([], new Random(3)), new ListRowIterator(rows, new Random(4))], IterationOrder.Ascending);
        var seen = new List<RowEntry>();
        while (await single.MoveNextAsync(CancellationToken.None))
        {
            seen.Add(single.Current);
        }

        seen.Should().Equal(rows);
    }

    [Fact]
    public async Task Disposing_the_merge_or_the_iterator_above_it_disposes_every_source()
    {
        var rows = Enumerable.Range(0, 10).Select(i => RowEntry.Put(B($"k{i}"), B("v"), 1)).ToList();
        var sources = new[] { new ListRowIterator(rows, new Random(6)), new ListRowIterator([], new Random(7)) };
        using (var merge = new MergeRowIterator(sources, IterationOrder.Ascending))
        {
            (await merge.MoveNextAsync(CancellationToken.None)).Should().BeTrue();
        }

        sources.Should().OnlyContain(source => source.Disposed);

        var opened = new List<ListRowIterator>();
        var iterator = new DbIterator(
            _ =>
            {
                var source = new ListRowIterator(rows, new Random(opened.Count));
                opened.Add(source);
                return new MergeRowIterator([source], IterationOrder.Ascending);
            },
            KeyRange.All, IterationOrder.Ascending, ulong.MaxValue, () => 0, null);
        (await iterator.NextAsync()).Should().NotBeNull();
        await iterator.SeekAsync(B("k5"));
        opened.Select(source => source.Disposed).Should().Equal([true, false], "a seek disposes the sources of the old position");
        await iterator.DisposeAsync();
        opened.Should().OnlyContain(source => source.Disposed);
    }

    [Fact]
    public async Task A_source_that_fails_fails_the_iterator_for_good()
    {
        var rows = Enumerable.Range(0, 10).Select(i => RowEntry.Put(B($"k{i}"), B("v"), 1)).ToList();
        var failing = new ListRowIterator(rows, new Random(5), failAfter: 4);
        var iterator = new DbIterator(_ => new MergeRowIterator([failing], IterationOrder.Ascending), KeyRange.All, IterationOrder.Ascending, ulong.MaxValue, () => 0, null);
        var returned = 0;
        var act = async () =>
        {
            while (await iterator.NextAsync() is not null)
            {
                returned++;
            }
        };

        await act.Should().ThrowAsync<InvalidDataException>();
        returned.Should().Be(3, "the fourth key's versions were still being gathered when the source failed");
        (await iterator.Awaiting(i => i.NextAsync()).Should().ThrowAsync<SlateDbException>()).Which.Kind.Should().Be(SlateDbErrorKind.Invalid);
    }

    /// <summary>1 to 6 sources over a small key space; each in <paramref name="order"/>, versions of a key newest first.</summary>
    private static List<List<RowEntry>> RandomSources(Random random, IterationOrder order)
    {
        var count = random.Next(4) == 0 ? 1 : random.Next(2, 7);
        var sources = new List<List<RowEntry>>();
        for (var s = 0; s < count; s++)
        {
            var rows = new List<RowEntry>();
            var size = random.Next(5) == 0 ? 0 : random.Next(1, 60);
            for (var i = 0; i < size; i++)
            {
                var key = B($"k{random.Next(40):D2}" + (random.Next(6) == 0 ? "x" : string.Empty));
                var seq = (ulong)random.Next(1, 50);
                rows.Add(random.Next(5) == 0 ? RowEntry.Delete(key, seq) : RowEntry.Put(key, B($"s{s}-{i}"), seq));
            }

            // One version per (key, sequence) within a source, as stored; equal versions may repeat across sources.
            rows = [.. rows.DistinctBy(r => (S(r.Key), r.Seq))];
            rows.Sort((a, b) =>
            {
                var byKey = a.Key.Span.SequenceCompareTo(b.Key.Span);
                return byKey != 0 ? (order == IterationOrder.Ascending ? byKey : -byKey) : b.Seq.CompareTo(a.Seq);
            });
            sources.Add(rows);
        }

        return sources;
    }

    private static string Describe(RowEntry row) => $"{S(row.Key)}@{row.Seq}:{(row.IsTombstone ? "-" : S(row.Value))}";

    /// <summary>Rows from a list; each step completes at once or only after a yield, at random.</summary>
    private sealed class ListRowIterator(IReadOnlyList<RowEntry> rows, Random random, int failAfter = -1) : IRowIterator
    {
        private int _next;

        public RowEntry Current { get; private set; }

        public bool Disposed { get; private set; }

        public ValueTask<bool> MoveNextAsync(CancellationToken cancellationToken) =>
            random.Next(3) == 0 ? LaterAsync() : new ValueTask<bool>(Step());

        public void Dispose() => Disposed = true;

        private async ValueTask<bool> LaterAsync()
        {
            await Task.Yield();
            return Step();
        }

        private bool Step()
        {
            if (_next == failAfter)
            {
                throw new InvalidDataException("the source failed");
            }

            if (_next >= rows.Count)
            {
                return false;
            }

            Current = rows[_next++];
            return true;
        }
    }
}
