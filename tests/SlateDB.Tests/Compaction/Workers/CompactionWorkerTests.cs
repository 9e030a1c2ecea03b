using SlateDB.Common;
using SlateDB.Compaction;
using SlateDB.Manifest;
using SlateDB.Storage;
using static SlateDB.Tests.Compaction.CompactionTestKit;

namespace SlateDB.Tests.Compaction.Workers;

/// <summary>A coordinator (compactor with no embedded worker) and compaction workers in this process, over one in-memory store.</summary>
public sealed class CompactionWorkerTests
{
    private static readonly SlateDbOptions WriterOptions = SlateDbOptions.Default with
    {
        FlushInterval = null,
        CompactorOptions = null,
        GarbageCollectorOptions = null,
        MinFilterKeys = 1,
    };

    private static readonly CompactorOptions Coordinator = new()
    {
        Worker = null,
        PollInterval = TimeSpan.FromMilliseconds(50),
        CommitCompactedInterval = TimeSpan.FromMilliseconds(20),
        WorkerHeartbeatTimeout = TimeSpan.FromMilliseconds(600),
    };

    private static readonly CompactionWorkerOptions Fast = new()
    {
        MaxConcurrentCompactions = 2,
        CompactionsPollInterval = TimeSpan.FromMilliseconds(30),
        HeartbeatInterval = TimeSpan.FromMilliseconds(50),
    };

    private static async Task WriteL0Async(SlateDb db, int flushes, int keys)
    {
        for (var f = 0; f < flushes; f++)
        {
            var batch = new WriteBatch();
            for (var i = 0; i < keys; i++)
            {
                batch.Put(B(Key(i * flushes + f)), B($"v{f}"));
            }

            await db.WriteAsync(batch);
            await db.FlushAsync(new FlushOptions { FlushType = FlushType.MemTable });
        }
    }

    private static Task<CompactionWorker> WorkerAsync(IObjectStore store, string id, CompactionWorkerOptions? options = null) =>
        CompactionWorker.Builder("db", store).WithOptions(options ?? Fast).WithWorkerId(() => id).StartAsync();

    [Fact]
    public async Task A_coordinator_hands_a_full_compaction_to_a_worker_commits_it_and_leaves_version_1_at_stop()
    {
        var store = new InMemoryObjectStore();
        await using var db = await SlateDb.OpenAsync("db", store, WriterOptions);
        await WriteL0Async(db, flushes: 4, keys: 300);
        var admin = SlateDbAdmin.For("db", store);
        await using var worker1 = await WorkerAsync(store, "worker-1");
        await using var worker2 = await WorkerAsync(store, "worker-2");

        var compactor = await Compactor.Builder("db", store).WithOptions(Coordinator).WithSeed(5).WithPollingDisabled().StartAsync();
        CompactionResult? result;
        await using (compactor)
        {
            (await admin.ReadCompactionsAsync())!.FormatVersion.Should().Be(2, "a coordinator with workers writes SlateDB 0.15's version 2");
            result = await compactor.CompactFullAsync().WaitAsync(TimeSpan.FromSeconds(30));
            result.Should().NotBeNull();
            var record = (await admin.ReadCompactionAsync(result!.Id))!;
            record.Status.Should().Be(CompactionJobStatus.Completed);
            record.WorkerId.Should().BeOneOf("worker-1", "worker-2");
            record.Destination.Should().Be(result.Plan.Destination);
            (worker1.CompletedCompactions + worker2.CompletedCompactions).Should().Be(1);
        }

        var manifest = await admin.ReadManifestAsync();
        manifest.L0.Should().BeEmpty();
        manifest.SortedRuns.Should().ContainSingle().Which.Ssts.Should().HaveCount(result!.OutputSsts);
        var final = (await admin.ReadCompactionsAsync())!;
        final.FormatVersion.Should().Be(1, "a stopped coordinator leaves the file as SlateDB 0.12.1 reads it");
        final.Compactions.Should().OnlyContain(c => c.Status == CompactionJobStatus.Completed || c.Status == CompactionJobStatus.Failed);
        final.Compactions.Should().OnlyContain(c => c.WorkerId == null);
        for (var i = 0; i < 1200; i += 37)
        {
            (await db.GetAsync(B(Key(i)))).Should().NotBeNull();
        }
    }

    [Fact]
    public async Task A_claim_whose_worker_stops_heartbeating_is_reclaimed_and_completed_by_another_worker()
    {
        var store = new InMemoryObjectStore();
        await using var db = await SlateDb.OpenAsync("db", store, WriterOptions);
        await WriteL0Async(db, flushes: 3, keys: 200);
        await using var compactor = await Compactor.Builder("db", store).WithOptions(Coordinator).WithSeed(5).StartAsync();
        var admin = SlateDbAdmin.For("db", store);

        // A worker that claims the job and dies at once: written by hand as its claim would be.
        var submitted = (await admin.SubmitCompactionAsync(CompactionRequest.Full))!;
        var file = new CompactionsFile(store, new DbPaths("db"), TimeProvider.System, TimeSpan.FromSeconds(30)) { Format = 2 };
        (await file.AttachAsync(CancellationToken.None)).Should().BeTrue();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        var claimed = false;
        while (!claimed && DateTime.UtcNow < deadline)
        {
            await file.RefreshAsync(CancellationToken.None);
            claimed = await file.TryUpdateAsync(
                records => records.Any(r => r.Id.ToString() == submitted.Id && r.Status == CompactionStatus.Scheduled && r.Worker is null)
                    ? [.. records.Select(r => r.Id.ToString() == submitted.Id ? r with { Status = CompactionStatus.Running, Worker = new WorkerSpec("dead", (ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()) } : r)]
                    : null,
                CancellationToken.None);
            await Task.Delay(10);
        }

        claimed.Should().BeTrue("the coordinator schedules the submitted compaction for workers");
        (await admin.ReadCompactionAsync(submitted.Id))!.WorkerId.Should().Be("dead");

        await using var survivor = await WorkerAsync(store, "survivor");
        CompactionInfo? done = null;
        while (DateTime.UtcNow < deadline.AddSeconds(10))
        {
            done = await admin.ReadCompactionAsync(submitted.Id);
            if (done?.Status == CompactionJobStatus.Completed)
            {
                break;
            }

            await Task.Delay(50);
        }

        done!.Status.Should().Be(CompactionJobStatus.Completed);
        done.WorkerId.Should().Be("survivor", "the silent claim was reclaimed and taken by the live worker");
        survivor.CompletedCompactions.Should().Be(1);
        (await admin.ReadManifestAsync()).L0.Should().BeEmpty();
        (await db.GetAsync(B(Key(5)))).Should().NotBeNull();
    }

    [Fact]
    public async Task A_stopping_worker_hands_its_job_back_at_once()
    {
        var store = new InMemoryObjectStore();
        await using var db = await SlateDb.OpenAsync("db", store, WriterOptions);
        await WriteL0Async(db, flushes: 2, keys: 20000);
        await using var compactor = await Compactor.Builder("db", store).WithOptions(Coordinator with { WorkerHeartbeatTimeout = TimeSpan.FromMinutes(10) }).WithSeed(5).StartAsync();
        var admin = SlateDbAdmin.For("db", store);
        var submitted = (await admin.SubmitCompactionAsync(CompactionRequest.Full))!;

        var first = await WorkerAsync(store, "first", Fast with { CompactionsPollInterval = TimeSpan.FromMilliseconds(5) });
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (first.ActiveCompactions == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(1);
        }

        await first.DisposeAsync();
        var state = (await admin.ReadCompactionAsync(submitted.Id))!;
        if (state.Status != CompactionJobStatus.Compacted && state.Status != CompactionJobStatus.Completed)
        {
            state.Status.Should().Be(CompactionJobStatus.Scheduled, "a graceful stop releases the claim (no waiting for the 10-minute timeout)");
            state.WorkerId.Should().BeNull();
            await using var second = await WorkerAsync(store, "second");
            while (DateTime.UtcNow < deadline.AddSeconds(20) && (await admin.ReadCompactionAsync(submitted.Id))?.Status != CompactionJobStatus.Completed)
            {
                await Task.Delay(50);
            }

            (await admin.ReadCompactionAsync(submitted.Id))!.WorkerId.Should().Be("second");
        }

        (await admin.ReadManifestAsync()).L0.Should().BeEmpty();
    }

    [Fact]
    public async Task A_writer_whose_embedded_compactor_has_no_worker_gets_its_L0s_compacted_by_an_external_worker()
    {
        var store = new InMemoryObjectStore();
        await using var worker = await WorkerAsync(store, "external");
        await using var db = await SlateDb.OpenAsync("db", store, WriterOptions with { CompactorOptions = Coordinator });
        await WriteL0Async(db, flushes: 5, keys: 100);

        var admin = SlateDbAdmin.For("db", store);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((await admin.ReadManifestAsync()).SortedRuns.Count == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        (await admin.ReadManifestAsync()).SortedRuns.Should().NotBeEmpty("the scheduler's L0 compaction ran on the worker");
        worker.CompletedCompactions.Should().BeGreaterThan(0);
        (await db.GetAsync(B(Key(3)))).Should().NotBeNull();
    }
}
