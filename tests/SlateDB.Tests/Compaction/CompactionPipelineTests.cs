using SlateDB.Compaction;
using SlateDB.Format;
using SlateDB.Manifest;
using SlateDB.Sst;
using SlateDB.Testing;
using static SlateDB.Tests.Compaction.CompactionTestKit;

namespace SlateDB.Tests.Compaction;

/// <summary>
/// The executor's two stages (merge and retention on one thread, SST building and upload on another): batches that
/// overflow with one key's versions, many small output SSTs, and failures of either stage ending the job with the
/// right error instead of a hang.
/// </summary>
public sealed class CompactionPipelineTests
{
    [Fact]
    public async Task A_key_with_more_versions_than_a_batch_holds_keeps_every_version_in_order()
    {
        var kit = new CompactionTestKit();
        var rows = new List<RowEntry>();
        for (var i = 0; i < 1500; i++)
        {
            rows.Add(RowEntry.Put(B(Key(i)), B("v"), (ulong)(10_000 + i), createTs: 1));
        }

        // 3000 versions of one key in the middle of the key space, all visible to a snapshot at sequence 0.
        for (var v = 1; v <= 3000; v++)
        {
            rows.Add(RowEntry.Put(B(Key(700) + "x"), B($"v{v}"), (ulong)v, createTs: 1));
        }

        var sst = await kit.SstAsync(rows);
        var job = Job([sst], [], 0, new RetentionPolicy(0, 0, DropTombstones: true));

        var output = await kit.Executor().ExecuteAsync(job, CancellationToken.None);

        var read = await kit.ReadAsync(output.Run);
        output.RowsWritten.Should().Be(4500);
        read.Should().HaveCount(4500);
        read.Select(r => S(r.Key) + "@" + r.Seq).Should().Equal(
            rows.OrderBy(r => S(r.Key), StringComparer.Ordinal).ThenByDescending(r => r.Seq).Select(r => S(r.Key) + "@" + r.Seq));
    }

    [Fact]
    public async Task Many_small_outputs_hold_every_row_once_and_never_split_a_key()
    {
        var kit = new CompactionTestKit();
        var random = new Random(5);
        var inputs = new List<SsTableView>();
        ulong seq = 1;
        for (var s = 0; s < 4; s++)
        {
            var rows = Enumerable.Range(0, 3000).Select(_ => random.Next(5000)).Distinct()
                .Select(k => RowEntry.Put(B(Key(k)), B(new string('v', 40)), seq++, createTs: 1)).ToList();
            inputs.Insert(0, await kit.SstAsync(rows));
        }

        var job = Job(inputs, [], 0, new RetentionPolicy(seq / 2, 0, DropTombstones: true));
        var output = await kit.Executor(maxSstSize: 8 * 1024).ExecuteAsync(job, CancellationToken.None);

        output.Run.Views.Count.Should().BeGreaterThan(10);
        var keysPerSst = new List<HashSet<string>>();
        foreach (var view in output.Run.Views)
        {
            var run = new SortedRun(9, [view]);
            keysPerSst.Add((await kit.ReadAsync(run)).Select(r => S(r.Key)).ToHashSet());
        }

        for (var i = 1; i < keysPerSst.Count; i++)
        {
            keysPerSst[i].Overlaps(keysPerSst[i - 1]).Should().BeFalse("all versions of a key are in one SST");
        }

        var all = await kit.ReadAsync(output.Run);
        all.Select(r => (S(r.Key), r.Seq)).Should().OnlyHaveUniqueItems();
        all.Should().HaveCount((int)output.RowsWritten);
    }

    [Fact]
    public async Task A_failing_upload_fails_the_job_with_its_own_error()
    {
        var kit = new CompactionTestKit();
        var rows = Enumerable.Range(0, 20_000).Select(i => RowEntry.Put(B(Key(i)), B(new string('v', 100)), (ulong)i + 1, createTs: 1)).ToList();
        var sst = await kit.SstAsync(rows);
        var faulty = new FaultInjectingObjectStore(kit.Store, new FaultInjectionOptions
        {
            PermanentFailureProbability = 1,
            Operations = FaultOperations.Puts,
        });
        var tables = new TableStore(faulty, kit.Paths, kit.Options, cache: null);
        var executor = new CompactionExecutor(tables, kit.Ids, TimeProvider.System, new CompactionExecutorSettings(tables.Settings, 16 * 1024, 4, CompactionExecutorSettings.DefaultReadAheadBytes));

        var run = () => executor.ExecuteAsync(Job([sst], [], 0, new RetentionPolicy(0, 0, DropTombstones: true)), CancellationToken.None);

        (await run.Should().ThrowAsync<Exception>().WaitAsync(TimeSpan.FromSeconds(30)))
            .Which.Should().NotBeAssignableTo<OperationCanceledException>("the upload's failure is the cause, not the merge stopping");
    }

    [Fact]
    public async Task A_failing_read_fails_the_job_with_its_own_error_and_uploads_nothing_more()
    {
        var kit = new CompactionTestKit();
        var rows = Enumerable.Range(0, 20_000).Select(i => RowEntry.Put(B(Key(i)), B(new string('v', 100)), (ulong)i + 1, createTs: 1)).ToList();
        var sst = await kit.SstAsync(rows);
        var faulty = new FaultInjectingObjectStore(kit.Store, new FaultInjectionOptions
        {
            PermanentFailureProbability = 1,
            Operations = FaultOperations.GetRange,
        });
        var tables = new TableStore(faulty, kit.Paths, kit.Options, cache: null);
        var executor = new CompactionExecutor(tables, kit.Ids, TimeProvider.System, new CompactionExecutorSettings(tables.Settings, 16 * 1024, 4, 4096));

        var run = () => executor.ExecuteAsync(Job([sst], [], 0, new RetentionPolicy(0, 0, DropTombstones: true)), CancellationToken.None);

        (await run.Should().ThrowAsync<Exception>().WaitAsync(TimeSpan.FromSeconds(30)))
            .Which.Should().NotBeAssignableTo<OperationCanceledException>();
    }

    [Fact]
    public async Task Cancellation_stops_both_stages()
    {
        var kit = new CompactionTestKit();
        var rows = Enumerable.Range(0, 50_000).Select(i => RowEntry.Put(B(Key(i)), B(new string('v', 100)), (ulong)i + 1, createTs: 1)).ToList();
        var sst = await kit.SstAsync(rows);
        using var cancel = new CancellationTokenSource();
        await cancel.CancelAsync();

        var run = () => kit.Executor(maxSstSize: 16 * 1024).ExecuteAsync(Job([sst], [], 0, new RetentionPolicy(0, 0, DropTombstones: true)), cancel.Token);

        await run.Should().ThrowAsync<OperationCanceledException>().WaitAsync(TimeSpan.FromSeconds(30));
    }
}
