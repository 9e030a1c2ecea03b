using System.Globalization;
using SlateDB.Compaction;
using SlateDB.Format;
using SlateDB.Manifest;
using SlateDB.Storage;
using static SlateDB.Tests.Compaction.CompactionTestKit;

namespace SlateDB.Tests.Compaction;

/// <summary>Subcompactions (RFC-0028): range planning, parallel ranges equal to one range, and resuming an interrupted compaction.</summary>
public sealed class SubcompactionTests
{
    private static RowEntry Put(string key, string value, ulong seq) => RowEntry.Put(B(key), B(value), seq, createTs: (long)seq);

    private static string Describe(IEnumerable<RowEntry> rows) =>
        string.Join(" ", rows.Select(r => r.Kind == RowKind.Tombstone ? $"{S(r.Key)}@{r.Seq}=X" : $"{S(r.Key)}@{r.Seq}={S(r.Value)}"));

    private static CompactionExecutor Executor(CompactionTestKit kit, int maxSubcompactions, long maxSstSize = 4096) =>
        new(kit.Tables, kit.Ids, TimeProvider.System, new CompactionExecutorSettings(kit.Tables.Settings, maxSstSize, 4, CompactionExecutorSettings.DefaultReadAheadBytes, maxSubcompactions));

    /// <summary>A sorted run of 8 SSTs of 500 keys, and an L0 SST that updates every 7th key and deletes every 11th.</summary>
    private static async Task<CompactionJob> JobAsync(CompactionTestKit kit)
    {
        var groups = Enumerable.Range(0, 8).Select(g => Enumerable.Range(g * 500, 500).Select(i => Put(Key(i), $"v{i}", (ulong)i + 1)).ToArray()).ToArray();
        var run = await kit.RunAsync(0, groups);
        var updates = Enumerable.Range(0, 4000).Where(i => i % 7 == 0 || i % 11 == 0)
            .Select(i => i % 11 == 0 ? RowEntry.Delete(B(Key(i)), 10_000 + (ulong)i) : Put(Key(i), $"u{i}", 10_000 + (ulong)i));
        var l0 = await kit.SstAsync(updates);
        return Job([l0], [run], 0, new RetentionPolicy(100_000, 0, DropTombstones: true));
    }

    /// <summary>The SSTs of a run hold disjoint key ranges, in key order.</summary>
    private static void Disjoint(SortedRun run)
    {
        for (var i = 1; i < run.Views.Count; i++)
        {
            run.Views[i - 1].Sst.Info.LastEntry!.Value.Span.SequenceCompareTo(run.Views[i].Sst.Info.FirstEntry!.Value.Span).Should().BeNegative();
        }
    }

    [Fact]
    public void Boundaries_split_the_input_bytes_evenly_and_never_below_the_largest_input()
    {
        static List<(ReadOnlyMemory<byte>, long)> Anchors() => Enumerable.Range(0, 100).Select(i => ((ReadOnlyMemory<byte>)B(Key(i)), 10L)).ToList();

        var four = SubcompactionPlanner.Select(Anchors(), 4, minRangeBytes: 10);
        four.Should().HaveCount(4);
        four[0].Start.IsBounded.Should().BeFalse();
        four[^1].End.IsBounded.Should().BeFalse();
        four.Select(r => r.End).Take(3).Should().Equal(new[] { 25, 50, 75 }.Select(i => BytesBound.Excluded(B(Key(i)))));
        for (var i = 1; i < four.Count; i++)
        {
            four[i].Start.Should().Be(BytesBound.Included(four[i - 1].End.Key));
        }

        SubcompactionPlanner.Select(Anchors(), 4, minRangeBytes: 500).Should().HaveCount(2, "a range is never smaller than the largest input SST");
        SubcompactionPlanner.Select(Anchors(), 4, minRangeBytes: 1000).Should().Equal(BytesRange.All);
        SubcompactionPlanner.Select(Anchors(), 1, minRangeBytes: 10).Should().Equal(BytesRange.All);
    }

    [Fact]
    public async Task Parallel_ranges_write_what_one_range_writes()
    {
        var kit = new CompactionTestKit();
        var job = await JobAsync(kit);

        var single = await Executor(kit, 1).ExecuteAsync(job, CancellationToken.None);
        var split = await Executor(kit, 4).ExecuteAsync(job, CancellationToken.None);

        single.Subcompactions.Should().Be(1);
        split.Subcompactions.Should().Be(4);
        Describe(await kit.ReadAsync(split.Run)).Should().Be(Describe(await kit.ReadAsync(single.Run)));
        split.RowsRead.Should().Be(single.RowsRead);
        split.RowsWritten.Should().Be(single.RowsWritten);
        Disjoint(split.Run);
    }

    [Fact]
    public async Task An_interrupted_compaction_resumes_each_range_after_its_last_recorded_sst()
    {
        var kit = new CompactionTestKit();
        var job = await JobAsync(kit);
        var expected = Describe(await kit.ReadAsync((await Executor(kit, 1).ExecuteAsync(job, CancellationToken.None)).Run));

        using var interrupt = new CancellationTokenSource();
        var first = new RecordingProgress(resumed: null, stopAfterOutputs: 6, interrupt);
        var attempt = () => Executor(kit, 4).ExecuteAsync(job, first, interrupt.Token);
        await attempt.Should().ThrowAsync<OperationCanceledException>();
        var recorded = first.Recorded[^1];
        recorded.Subcompactions.Should().HaveCount(4);
        var kept = recorded.Subcompactions.SelectMany(sub => sub.OutputSsts).Select(sst => sst.Id).ToHashSet();
        kept.Count.Should().BeGreaterThanOrEqualTo(6);

        var second = new RecordingProgress(recorded, stopAfterOutputs: int.MaxValue, interrupt: null);
        var output = await Executor(kit, 4).ExecuteAsync(job, second, CancellationToken.None);

        Describe(await kit.ReadAsync(output.Run)).Should().Be(expected, "no row is lost or written twice");
        output.Run.Views.Select(view => view.Sst.Id).Should().Contain(kept, "the SSTs of the first attempt are part of the result");
        output.ResumedSubcompactions.Should().BePositive();
        output.RowsRead.Should().BeLessThan(4000 + 4000 / 7 + 4000 / 11, "the resumed ranges skip what was written");
        second.Recorded[^1].Subcompactions.SelectMany(sub => sub.OutputSsts).Select(sst => sst.Id).Should().Equal(output.Run.Views.Select(view => view.Sst.Id));
        Disjoint(output.Run);
    }

    [Fact]
    public async Task A_compactor_stopped_mid_compaction_is_resumed_by_the_next_one_without_losing_or_duplicating_rows()
    {
        var store = new InMemoryObjectStore();
        var options = SlateDbOptions.Default with { FlushInterval = null, CompactorOptions = null, GarbageCollectorOptions = null, L0SstSizeBytes = 64 * 1024 };
        var model = new SortedDictionary<string, string>(StringComparer.Ordinal);
        await using (var db = await SlateDb.Builder("db", store).WithOptions(options).WithSeed(7).OpenAsync())
        {
            for (var round = 0; round < 6; round++)
            {
                var batch = new WriteBatch();
                for (var i = round; i < 6000; i += round + 1)
                {
                    var key = Key(i);
                    var value = string.Create(CultureInfo.InvariantCulture, $"r{round}-{i}");
                    batch.Put(key, value);
                    model[key] = value;
                }

                await db.WriteAsync(batch);
                await db.FlushAsync(new FlushOptions { FlushType = FlushType.MemTable });
            }
        }

        var compactorOptions = new CompactorOptions { MaxSstSize = 8 * 1024, Worker = new CompactionWorkerOptions { MaxSubcompactions = 4 } };
        var stalling = new StallingStore(store, stallAfterCompactedPuts: 8);
        var first = await Compactor.Builder("db", stalling).WithOptions(compactorOptions).WithPollingDisabled().StartAsync();
        var running = first.CompactFullAsync();
        await stalling.Stalled.WaitAsync(TimeSpan.FromSeconds(30));
        var file = new CompactionsFile(store, new DbPaths("db"), TimeProvider.System, TimeSpan.FromSeconds(30));
        HashSet<SsTableId> recorded = [];
        for (var wait = 0; wait < 200 && recorded.Count == 0; wait++)
        {
            var state = (await file.ReadLatestAsync(CancellationToken.None))!.Value.State;
            recorded = state.Compactions.SelectMany(c => c.Context?.Subcompactions ?? []).SelectMany(sub => sub.OutputSsts).Select(sst => sst.Id).ToHashSet();
            await Task.Delay(50);
        }

        await first.DisposeAsync();
        await running.Invoking(task => task).Should().ThrowAsync<Exception>();
        recorded.Should().NotBeEmpty("the first compactor recorded SSTs before it was stopped");

        await using var second = await Compactor.Builder("db", store).WithOptions(compactorOptions).WithPollingDisabled().StartAsync();
        var results = await second.RunOnceAsync();

        var result = results.Should().ContainSingle().Subject;
        result.ResumedSubcompactions.Should().BePositive();
        result.Subcompactions.Should().BeGreaterThan(1);
        var manifest = await new ManifestStore(store, new DbPaths("db")).ReadLatestAsync(CancellationToken.None);
        var tree = manifest!.Value.Manifest.Core.Tree;
        tree.L0.Should().BeEmpty();
        var run = tree.Compacted.Should().ContainSingle().Subject;
        run.Views.Select(view => view.Sst.Id).Should().Contain(recorded);

        var kit = new CompactionTestKit();
        var rows = await kit.ReadAsyncFrom(store, run);
        rows.Select(r => S(r.Key)).Should().Equal(model.Keys, "every key once, in order");
        rows.Select(r => S(r.Value)).Should().Equal(model.Values);

        await using var reopened = await SlateDb.Builder("db", store).WithOptions(options).OpenAsync();
        foreach (var (key, value) in model.Where((_, i) => i % 37 == 0))
        {
            (await reopened.GetAsync(key)).Should().Be(value);
        }
    }

    /// <summary>Keeps every recorded state; cancels <paramref name="interrupt"/> once the recorded outputs reach a count.</summary>
    private sealed class RecordingProgress(CompactionContext? resumed, int stopAfterOutputs, CancellationTokenSource? interrupt) : ICompactionProgress
    {
        private readonly Lock _lock = new();

        public List<CompactionContext> Recorded { get; } = [];

        public CompactionContext? Resumed => resumed;

        public Task RecordAsync(CompactionContext context, CancellationToken cancellationToken)
        {
            lock (_lock)
            {
                Recorded.Add(context);
            }

            if (context.Subcompactions.Sum(sub => sub.OutputSsts.Count) >= stopAfterOutputs)
            {
                interrupt?.Cancel();
            }

            return Task.CompletedTask;
        }
    }

    /// <summary>Passes everything through, except that compacted-SST writes after the first few wait until cancelled.</summary>
    private sealed class StallingStore(IObjectStore inner, int stallAfterCompactedPuts) : IObjectStore
    {
        private readonly TaskCompletionSource _stalled = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _compactedPuts;

        public Task Stalled => _stalled.Task;

        public ValueTask<ObjectContent?> GetAsync(string path, CancellationToken cancellationToken) => inner.GetAsync(path, cancellationToken);

        public ValueTask<ObjectContent?> GetRangeAsync(string path, ByteRange range, CancellationToken cancellationToken) => inner.GetRangeAsync(path, range, cancellationToken);

        public ValueTask<ObjectMetadata?> HeadAsync(string path, CancellationToken cancellationToken) => inner.HeadAsync(path, cancellationToken);

        public async ValueTask<PutResult> PutAsync(string path, ReadOnlyMemory<byte> data, PutMode mode, CancellationToken cancellationToken)
        {
            if (path.Contains("/compacted/", StringComparison.Ordinal) && Interlocked.Increment(ref _compactedPuts) > stallAfterCompactedPuts)
            {
                _stalled.TrySetResult();
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }

            return await inner.PutAsync(path, data, mode, cancellationToken);
        }

        public ValueTask DeleteAsync(string path, CancellationToken cancellationToken) => inner.DeleteAsync(path, cancellationToken);

        public IAsyncEnumerable<ObjectMetadata> ListAsync(string prefix, CancellationToken cancellationToken) => inner.ListAsync(prefix, cancellationToken);
    }
}
