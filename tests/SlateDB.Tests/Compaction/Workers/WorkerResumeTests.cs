using System.Diagnostics.Metrics;
using SlateDB.Common;
using SlateDB.Compaction;
using SlateDB.Format;
using SlateDB.Manifest;
using SlateDB.Storage;
using static SlateDB.Tests.Compaction.CompactionTestKit;

namespace SlateDB.Tests.Compaction.Workers;

/// <summary>
/// A worker that dies mid-job (its store starts failing every write: no more output, progress or heartbeats) and the
/// worker that takes the reclaimed job over: it resumes the recorded subcompaction progress, writes with its own
/// codec and filter threshold, and records the compaction metrics at its metric level.
/// </summary>
public sealed class WorkerResumeTests
{
    private const int Flushes = 3;
    private const int Keys = 400;

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

    /// <summary>The workers' database settings: small output SSTs, no retries (a failed write fails at once).</summary>
    private static readonly SlateDbOptions WorkerDbOptions = WriterOptions with
    {
        CompactorOptions = new CompactorOptions { Worker = null, MaxSstSize = 4096, ObjectStoreMaxRetries = 0 },
    };

    private static readonly CompactionWorkerOptions Fast = new()
    {
        MaxConcurrentCompactions = 1,
        MaxSubcompactions = 1,
        CompactionsPollInterval = TimeSpan.FromMilliseconds(30),
        HeartbeatInterval = TimeSpan.FromMilliseconds(50),
    };

    [Fact]
    public async Task A_job_reclaimed_from_a_dead_worker_resumes_its_recorded_progress_without_losing_or_duplicating_rows()
    {
        var store = new InMemoryObjectStore();
        await using var db = await SlateDb.OpenAsync("db", store, WriterOptions);
        for (var f = 0; f < Flushes; f++)
        {
            var batch = new WriteBatch();
            for (var i = 0; i < Keys; i++)
            {
                batch.Put(B(Key(i * Flushes + f)), B($"v{f}"));
            }

            await db.WriteAsync(batch);
            await db.FlushAsync(new FlushOptions { FlushType = FlushType.MemTable });
        }

        await using var compactor = await Compactor.Builder("db", store).WithOptions(Coordinator).WithSeed(5).StartAsync();
        var admin = SlateDbAdmin.For("db", store);
        var submitted = (await admin.SubmitCompactionAsync(CompactionRequest.Full))!;

        // The first worker dies after its fifth output SST: every write of its fails from then on.
        var dying = new DyingStore(store, dieAtCompactedPut: 5);
        var doomed = await CompactionWorker.Builder("db", dying).WithDbOptions(WorkerDbOptions).WithOptions(Fast with { MinFilterKeys = 1 }).WithWorkerId(() => "doomed").StartAsync();
        await dying.Died.WaitAsync(TimeSpan.FromSeconds(30));

        var file = new CompactionsFile(store, new DbPaths("db"), TimeProvider.System, TimeSpan.FromSeconds(30)) { Format = 2 };
        (await file.AttachAsync(CancellationToken.None)).Should().BeTrue();
        var progress = file.Current.Compactions.Single(r => r.Id.ToString() == submitted.Id).Context;
        progress.Should().NotBeNull("the worker records its progress as it writes");
        var kept = progress!.Subcompactions.SelectMany(sub => sub.OutputSsts).Select(sst => sst.Id).ToHashSet();
        kept.Should().NotBeEmpty();

        // The survivor: its own codec and filter threshold, metrics at Debug (the subcompaction counter is Debug).
        // A meter factory of the test's own: other tests run workers named "survivor" at the same time.
        var measured = new List<(string Name, long Value, bool? Resumed)>();
        using var meters = new Engine.TestMeterFactory();
        using var listener = Listen(meters, "survivor", measured);
        var survivorOptions = Fast with { CompressionCodec = CompressionCodec.Zstd, MinFilterKeys = 1_000_000, MetricLevel = MetricLevel.Debug };
        await using (doomed)
        await using (var survivor = await CompactionWorker.Builder("db", store).WithDbOptions(WorkerDbOptions).WithOptions(survivorOptions).WithWorkerId(() => "survivor").WithMeterFactory(meters).StartAsync())
        {
            var deadline = DateTime.UtcNow.AddSeconds(30);
            CompactionInfo? done = null;
            while (DateTime.UtcNow < deadline)
            {
                done = await admin.ReadCompactionAsync(submitted.Id);
                if (done?.Status == CompactionJobStatus.Completed)
                {
                    break;
                }

                await Task.Delay(50);
            }

            done!.Status.Should().Be(CompactionJobStatus.Completed);
            done.WorkerId.Should().Be("survivor");
            survivor.CompletedCompactions.Should().Be(1);
        }

        var manifest = (await new ManifestStore(store, new DbPaths("db")).ReadLatestAsync(CancellationToken.None))!.Value.Manifest;
        manifest.Core.Tree.L0.Should().BeEmpty();
        var run = manifest.Core.Tree.Compacted.Should().ContainSingle().Subject;
        var ids = run.Views.Select(view => view.Sst.Id).ToList();
        ids.Should().Contain(kept, "the dead worker's recorded SSTs are part of the result, not rewritten");
        var fresh = run.Views.Where(view => !kept.Contains(view.Sst.Id)).Select(view => view.Sst.Info).ToList();
        fresh.Should().NotBeEmpty();
        fresh.Should().OnlyContain(info => info.Compression == SstCompression.Zstd && info.FilterLen == 0, "the survivor writes with its codec and no filter below its threshold");
        run.Views.Where(view => kept.Contains(view.Sst.Id)).Should().OnlyContain(view => view.Sst.Info.Compression == SstCompression.None && view.Sst.Info.FilterLen > 0);

        await db.RefreshManifestAsync(CancellationToken.None);
        var rows = new List<(string Key, string Value)>();
        await foreach (var row in db.ScanPrefixAsync("key"))
        {
            rows.Add((S(row.Key), S(row.Value)));
        }

        rows.Should().HaveCount(Keys * Flushes, "no row is lost or written twice");
        rows.Select(r => r.Key).Should().OnlyHaveUniqueItems().And.BeInAscendingOrder(StringComparer.Ordinal);
        for (var n = 0; n < Keys * Flushes; n++)
        {
            rows[n].Should().Be((Key(n), $"v{n % Flushes}"));
        }

        lock (measured)
        {
            measured.Should().Contain(m => m.Name == "slatedb.compactor.subcompactions" && m.Resumed == true && m.Value > 0, "the survivor resumed the range");
            measured.Where(m => m.Name == "slatedb.compactor.bytes_compacted").Sum(m => m.Value).Should().BePositive();
            measured.Where(m => m.Name == "slatedb.compactor.ssts_written").Sum(m => m.Value).Should().Be(ids.Count);
        }
    }

    /// <summary>Collects the compactor measurements of <paramref name="meters"/> tagged with <paramref name="workerId"/>.</summary>
    private static MeterListener Listen(IMeterFactory meters, string workerId, List<(string Name, long Value, bool? Resumed)> measured)
    {
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Scope == meters && instrument.Meter.Name == SlateDB.Diagnostics.SlateDbMeter.Name && instrument.Name.StartsWith("slatedb.compactor.", StringComparison.Ordinal))
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            string? worker = null;
            bool? resumed = null;
            foreach (var tag in tags)
            {
                if (tag.Key == "worker")
                {
                    worker = tag.Value as string;
                }
                else if (tag.Key == "resumed")
                {
                    resumed = tag.Value as bool?;
                }
            }

            if (worker == workerId)
            {
                lock (measured)
                {
                    measured.Add((instrument.Name, value, resumed));
                }
            }
        });
        listener.Start();
        return listener;
    }

    /// <summary>From its <c>n</c>th compacted SST put on, every write fails (the worker is as good as dead).</summary>
    private sealed class DyingStore(IObjectStore inner, int dieAtCompactedPut) : IObjectStore
    {
        private readonly TaskCompletionSource _died = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _compactedPuts;

        public Task Died => _died.Task;

        public ValueTask<ObjectContent?> GetAsync(string path, CancellationToken cancellationToken) => inner.GetAsync(path, cancellationToken);

        public ValueTask<ObjectContent?> GetRangeAsync(string path, ByteRange range, CancellationToken cancellationToken) => inner.GetRangeAsync(path, range, cancellationToken);

        public ValueTask<ObjectMetadata?> HeadAsync(string path, CancellationToken cancellationToken) => inner.HeadAsync(path, cancellationToken);

        public ValueTask<PutResult> PutAsync(string path, ReadOnlyMemory<byte> data, PutMode mode, CancellationToken cancellationToken)
        {
            if (path.Contains("/compacted/", StringComparison.Ordinal) && Interlocked.Increment(ref _compactedPuts) >= dieAtCompactedPut)
            {
                _died.TrySetResult();
            }

            if (_died.Task.IsCompleted)
            {
                throw new InvalidOperationException("The worker's process is gone.");
            }

            return inner.PutAsync(path, data, mode, cancellationToken);
        }

        public ValueTask DeleteAsync(string path, CancellationToken cancellationToken) => inner.DeleteAsync(path, cancellationToken);

        public IAsyncEnumerable<ObjectMetadata> ListAsync(string prefix, CancellationToken cancellationToken) => inner.ListAsync(prefix, cancellationToken);
    }
}
