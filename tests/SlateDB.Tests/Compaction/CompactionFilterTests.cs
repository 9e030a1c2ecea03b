using System.Collections.Concurrent;
using System.Text;
using SlateDB.Compaction;
using SlateDB.Format;
using static SlateDB.Tests.Compaction.CompactionTestKit;

namespace SlateDB.Tests.Compaction;

/// <summary>Compaction filters in the executor: decisions, what is offered, the job context and the end hook.</summary>
public sealed class CompactionFilterTests
{
    private static RowEntry Put(string key, string value, ulong seq, long? expireTs = null) => RowEntry.Put(B(key), B(value), seq, createTs: (long)seq, expireTs);

    private static RowEntry Delete(string key, ulong seq) => RowEntry.Delete(B(key), seq, createTs: (long)seq);

    private static string Describe(IEnumerable<RowEntry> rows) =>
        string.Join(" ", rows.Select(r => r.Kind switch
        {
            RowKind.Tombstone => $"{S(r.Key)}@{r.Seq}=X",
            RowKind.Merge => $"{S(r.Key)}@{r.Seq}=+{S(r.Value)}",
            _ => $"{S(r.Key)}@{r.Seq}={S(r.Value)}" + (r.ExpireTs is { } e ? $"~{e}" : string.Empty),
        }));

    private static CompactionExecutor Executor(CompactionTestKit kit, ICompactionFilterSupplier filters, int maxSubcompactions = 1, long maxSstSize = 256L * 1024 * 1024) =>
        new(kit.Tables, kit.Ids, TimeProvider.System, new CompactionExecutorSettings(kit.Tables.Settings, maxSstSize, 4, CompactionExecutorSettings.DefaultReadAheadBytes, maxSubcompactions), filters: filters);

    [Fact]
    public async Task Rows_are_kept_dropped_rewritten_and_tombstoned_as_the_filter_decides()
    {
        var kit = new CompactionTestKit();
        var l0 = await kit.SstAsync([Put("drop:a", "1", 10), Put("up:b", "hello", 11, expireTs: 500), Put("del:c", "x", 12), Put("keep:d", "d", 13), Put("merge:e", "m", 14)]);
        var run = await kit.RunAsync(0, [Put("drop:a", "old", 1), Put("keep:d", "d0", 2)]);
        var supplier = new PrefixFilterSupplier();
        var job = Job([l0], [run], 0, new RetentionPolicy(100, 0, DropTombstones: false));

        var output = await Executor(kit, supplier).ExecuteAsync(job, CancellationToken.None);

        // drop:a leaves no tombstone, so nothing of the key is written (its older version was shadowed, not kept).
        Describe(await kit.ReadAsync(output.Run)).Should().Be("del:c@12=X keep:d@13=d merge:e@14=+M up:b@11=HELLO~500");
        supplier.Created.Should().ContainSingle();
        supplier.Created[0].Ended.Should().Be(1);
        supplier.Created[0].Seen.Should().Equal("del:c", "drop:a", "keep:d", "merge:e", "up:b");
        var context = supplier.Contexts.Single();
        context.Destination.Should().Be(0);
        context.IsDestinationLastRun.Should().BeFalse();
        context.RetentionMinSequence.Should().Be(100);
        context.Range.Start.HasValue.Should().BeFalse();
        context.Range.End.HasValue.Should().BeFalse();
    }

    [Fact]
    public async Task Versions_kept_only_for_a_snapshot_are_not_offered_and_stay_as_they_are()
    {
        var kit = new CompactionTestKit();
        var l0 = await kit.SstAsync([Put("drop:a", "new", 9)]);
        var run = await kit.RunAsync(3, [Put("drop:a", "snap", 4), Put("drop:a", "older", 2)]);
        var supplier = new PrefixFilterSupplier();

        // A snapshot at 5 reads drop:a@4: the filter sees only the newest version; the one for the snapshot is written unchanged.
        var output = await Executor(kit, supplier).ExecuteAsync(Job([l0], [run], 3, new RetentionPolicy(5, 0, DropTombstones: true)), CancellationToken.None);

        Describe(await kit.ReadAsync(output.Run)).Should().Be("drop:a@4=snap");
        supplier.Created[0].Seen.Should().Equal("drop:a");
        supplier.Contexts.Single().IsDestinationLastRun.Should().BeTrue();
    }

    [Fact]
    public async Task Merge_operands_down_to_the_first_value_are_offered()
    {
        var kit = new CompactionTestKit();
        var l0 = await kit.SstAsync([RowEntry.MergeOperand(B("k"), B("m2"), 8), RowEntry.MergeOperand(B("k"), B("m1"), 7), Put("k", "base", 6)]);
        var offered = new List<string>();
        var supplier = new DelegateSupplier(entry =>
        {
            offered.Add($"{entry.Kind}:{Encoding.UTF8.GetString(entry.Value.Span)}");
            return entry.Kind == WalRowKind.Merge && entry.Value.Span.SequenceEqual("m1"u8) ? CompactionFilterDecision.Drop : CompactionFilterDecision.Keep;
        });

        var output = await Executor(kit, supplier).ExecuteAsync(Job([l0], [], 0, new RetentionPolicy(100, 0, DropTombstones: false)), CancellationToken.None);

        offered.Should().Equal("Merge:m2", "Merge:m1", "Value:base");
        Describe(await kit.ReadAsync(output.Run)).Should().Be("k@8=+m2 k@6=base");
    }

    [Fact]
    public async Task A_failing_filter_fails_the_compaction()
    {
        var kit = new CompactionTestKit();
        var l0 = await kit.SstAsync([Put("a", "1", 1), Put("b", "2", 2)]);
        var supplier = new DelegateSupplier(_ => throw new InvalidDataException("filter broke"));

        var act = () => Executor(kit, supplier).ExecuteAsync(Job([l0], [], 0, new RetentionPolicy(100, 0, false)), CancellationToken.None);

        (await act.Should().ThrowAsync<InvalidDataException>()).WithMessage("filter broke");
    }

    [Fact]
    public async Task Each_subcompaction_gets_its_own_filter_and_end_hook()
    {
        var kit = new CompactionTestKit();
        var groups = Enumerable.Range(0, 8).Select(g => Enumerable.Range(g * 500, 500).Select(i => Put(Key(i), $"v{i}", (ulong)i + 1)).ToArray()).ToArray();
        var run = await kit.RunAsync(0, groups);
        var supplier = new PrefixFilterSupplier();

        var output = await Executor(kit, supplier, maxSubcompactions: 4).ExecuteAsync(Job([], [run], 0, new RetentionPolicy(10_000, 0, false)), CancellationToken.None);

        output.Subcompactions.Should().Be(4);
        supplier.Created.Should().HaveCount(4);
        supplier.Created.Should().OnlyContain(filter => filter.Ended == 1);
        supplier.Created.Sum(filter => filter.Seen.Count).Should().Be(4000);
        supplier.Contexts.Select(c => c.Range).Should().OnlyHaveUniqueItems();
        (await kit.ReadAsync(output.Run)).Select(r => S(r.Key)).Should().Equal(Enumerable.Range(0, 4000).Select(Key));
    }

    /// <summary>drop: → Drop, up: → upper-cased value, del: → tombstone, merge: → upper-cased merge operand.</summary>
    internal sealed class PrefixFilterSupplier : ICompactionFilterSupplier
    {
        public ConcurrentQueue<CompactionJobContext> ContextQueue { get; } = new();

        public ConcurrentQueue<PrefixFilter> CreatedQueue { get; } = new();

        public List<CompactionJobContext> Contexts => [.. ContextQueue];

        public List<PrefixFilter> Created => [.. CreatedQueue];

        public ValueTask<ICompactionFilter> CreateFilterAsync(CompactionJobContext context, CancellationToken cancellationToken)
        {
            ContextQueue.Enqueue(context);
            var filter = new PrefixFilter();
            CreatedQueue.Enqueue(filter);
            return ValueTask.FromResult<ICompactionFilter>(filter);
        }

        public static CompactionFilterDecision Decide(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
        {
            if (key.StartsWith("drop:"u8))
            {
                return CompactionFilterDecision.Drop;
            }

            if (key.StartsWith("up:"u8))
            {
                return CompactionFilterDecision.ModifyValue(Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(value).ToUpperInvariant()));
            }

            if (key.StartsWith("del:"u8))
            {
                return CompactionFilterDecision.ToTombstone;
            }

            return key.StartsWith("merge:"u8)
                ? CompactionFilterDecision.ModifyMergeOperand(Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(value).ToUpperInvariant()))
                : CompactionFilterDecision.Keep;
        }
    }

    internal sealed class PrefixFilter : ICompactionFilter
    {
        public List<string> Seen { get; } = [];

        public int Ended { get; private set; }

        public ValueTask<CompactionFilterDecision> FilterAsync(CompactionFilterEntry entry, CancellationToken cancellationToken)
        {
            Ended.Should().Be(0, "no row comes after the end hook");
            Seen.Add(Encoding.UTF8.GetString(entry.Key.Span));
            return ValueTask.FromResult(PrefixFilterSupplier.Decide(entry.Key.Span, entry.Value.Span));
        }

        public ValueTask OnCompactionEndAsync(CancellationToken cancellationToken)
        {
            Ended++;
            return ValueTask.CompletedTask;
        }
    }

    private sealed class DelegateSupplier(Func<CompactionFilterEntry, CompactionFilterDecision> decide) : ICompactionFilterSupplier, ICompactionFilter
    {
        public ValueTask<ICompactionFilter> CreateFilterAsync(CompactionJobContext context, CancellationToken cancellationToken) => ValueTask.FromResult<ICompactionFilter>(this);

        public ValueTask<CompactionFilterDecision> FilterAsync(CompactionFilterEntry entry, CancellationToken cancellationToken) => ValueTask.FromResult(decide(entry));

        public ValueTask OnCompactionEndAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }
}
