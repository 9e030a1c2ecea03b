using Microsoft.Extensions.Logging;
using SlateDB.Common;
using SlateDB.Composition;
using SlateDB.Manifest;
using SlateDB.Manifest.Codec;

namespace SlateDB.Compaction.Workers;

/// <summary>
/// The loop of a compaction worker (SlateDB RFC-0025): it polls <c>.compactions</c> (jittered around the poll interval)
/// for compactions the coordinator scheduled and no worker holds, claims up to its capacity with one compare-and-swap
/// (status Running, its worker id, a heartbeat), resolves each against a manifest read after the claim, executes it
/// with the compactor's executor and writes the result as Compacted (output SSTs) for the coordinator to commit. Every
/// heartbeat interval it refreshes the heartbeat of the jobs it still holds; a job found reclaimed (another worker or
/// none holds it) is cancelled and its output abandoned. A failed job and, on a graceful stop, every job held are
/// released (Scheduled, no worker) for another worker. All writes go through the attached state file, which keeps the
/// coordinator's epoch and writes version 2. File operations are serialised by one async lock.
/// </summary>
internal sealed class WorkerRuntime : IAsyncDisposable
{
    private readonly DbComponents _components;
    private readonly CompactionWorkerOptions _options;
    private readonly CompactionsFile _file;
    private readonly CompactionExecutor _executor;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _lock = new(1, 1);
    private readonly Dictionary<Ulid, OwnedJob> _jobs = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly AsyncSignal _wake = new();
    private readonly Lock _stopLock = new();
    private Task _loop = Task.CompletedTask;
    private Task? _stopTask;
    private bool _attached;
    private long _completed;

    public WorkerRuntime(DbComponents components, CompactionWorkerOptions options, CompactionExecutorSettings settings, string workerId, TimeSpan updateTimeout)
    {
        _components = components;
        _options = options;
        WorkerId = workerId;
        _file = new CompactionsFile(components.Store, components.Paths, components.TimeProvider, updateTimeout) { Format = CompactionsCodec.Version2 };
        _executor = new CompactionExecutor(components.Tables, components.Ids, components.TimeProvider, settings, components.Merge);
        _logger = components.LoggerFactory.CreateLogger("SlateDB.CompactionWorker");
    }

    public string WorkerId { get; }

    public Task Completion => _loop;

    public long CompletedCompactions => Interlocked.Read(ref _completed);

    public int ActiveCompactions
    {
        get
        {
            lock (_jobs)
            {
                return _jobs.Count;
            }
        }
    }

    private TimeProvider Time => _components.TimeProvider;

    private ulong NowMs => (ulong)Time.GetUtcNow().ToUnixTimeMilliseconds();

    public void Start()
    {
        WorkerLog.Started(_logger, WorkerId, _components.Path, _options.MaxConcurrentCompactions);
        _loop = Task.Run(LoopAsync, CancellationToken.None);
    }

    public Task StopAsync()
    {
        lock (_stopLock)
        {
            _stopTask ??= StopCoreAsync();
            return _stopTask;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _lock.Dispose();
        _stop.Dispose();
        _components.Dispose();
    }

    private async Task StopCoreAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        OwnedJob[] jobs;
        lock (_jobs)
        {
            jobs = [.. _jobs.Values];
        }

        await Task.WhenAll(jobs.Select(job => job.Task)).ConfigureAwait(false);
        WorkerLog.Stopped(_logger, WorkerId);
    }

    private async Task LoopAsync()
    {
        var token = _stop.Token;
        var nextHeartbeat = Time.GetTimestamp();
        while (!token.IsCancellationRequested)
        {
            _wake.Reset();
            try
            {
                if (Time.GetElapsedTime(nextHeartbeat) >= TimeSpan.Zero)
                {
                    nextHeartbeat = Time.GetTimestamp() + (long)(_options.HeartbeatInterval.TotalSeconds * Time.TimestampFrequency);
                    await HeartbeatAsync(token).ConfigureAwait(false);
                }

                await PollAndClaimAsync(token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                WorkerLog.LoopFailed(_logger, WorkerId, e);
            }

            // Wait a jittered poll interval (half to one and a half of it), the next heartbeat, or a finished job.
            var poll = _options.CompactionsPollInterval * (0.5 + _components.Random.NextDouble());
            var untilHeartbeat = -Time.GetElapsedTime(nextHeartbeat);
            var wait = untilHeartbeat < poll ? (untilHeartbeat > TimeSpan.Zero ? untilHeartbeat : TimeSpan.Zero) : poll;
            using var delay = CancellationTokenSource.CreateLinkedTokenSource(token);
            await Task.WhenAny(_wake.WaitAsync(), Task.Delay(wait, Time, delay.Token)).ConfigureAwait(false);
            await delay.CancelAsync().ConfigureAwait(false);
        }
    }

    private int Capacity()
    {
        lock (_jobs)
        {
            return _options.MaxConcurrentCompactions - _jobs.Count;
        }
    }

    private bool Owns(Ulid id)
    {
        lock (_jobs)
        {
            return _jobs.ContainsKey(id);
        }
    }

    /// <summary>Reads the newest state; false while the database has no compactor state yet.</summary>
    private async Task<bool> RefreshAsync(CancellationToken cancellationToken)
    {
        if (!_attached)
        {
            _attached = await _file.AttachAsync(cancellationToken).ConfigureAwait(false);
            return _attached;
        }

        await _file.RefreshAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    private static bool Claimable(CompactionRecord record) =>
        record.Status == CompactionStatus.Scheduled && record.Worker is null && record.Spec is TieredCompactionSpec && record.Spec.Segment.IsEmpty;

    private async Task PollAndClaimAsync(CancellationToken token)
    {
        if (Capacity() <= 0)
        {
            return;
        }

        List<CompactionRecord> claimed = [];
        await _lock.WaitAsync(token).ConfigureAwait(false);
        try
        {
            if (!await RefreshAsync(token).ConfigureAwait(false) || !_file.Current.Compactions.Any(Claimable))
            {
                return;
            }

            var capacity = Capacity();
            var wrote = await _file.TryUpdateAsync(
                records =>
                {
                    claimed = [.. records.Where(record => Claimable(record) && !Owns(record.Id)).Take(capacity)];
                    if (claimed.Count == 0)
                    {
                        return null;
                    }

                    var ids = claimed.Select(record => record.Id).ToHashSet();
                    var worker = new WorkerSpec(WorkerId, NowMs);
                    return [.. records.Select(record => ids.Contains(record.Id) ? record with { Status = CompactionStatus.Running, Worker = worker } : record)];
                },
                token).ConfigureAwait(false);
            if (!wrote)
            {
                return;
            }

            // Resolve against a manifest read after the claim: the coordinator writes the manifest before the state
            // file, so this manifest is at least as new as the state the claim was made on.
            var (_, manifest) = await _components.Manifests.ReadLatestAsync(token).ConfigureAwait(false)
                ?? throw new SlateDbException(SlateDbErrorKind.Invalid, $"There is no database at '{_components.Path}' (no manifest).");
            foreach (var record in claimed)
            {
                var spec = (TieredCompactionSpec)record.Spec;
                var plan = CompactionRules.FromSpec(spec, spec.Destination) with { Destination = spec.Destination };
                if (CompactionRules.Check(manifest.Core.Tree, plan, []) is { } problem)
                {
                    WorkerLog.ClaimInvalid(_logger, WorkerId, record.Id.ToString(), problem);
                    await ReleaseAsync(record.Id, token).ConfigureAwait(false);
                    continue;
                }

                WorkerLog.Claimed(_logger, WorkerId, record.Id.ToString());
                var job = CompactionRules.Resolve(record.Id, manifest.Core, plan);
                var owned = new OwnedJob(record.Id, CancellationTokenSource.CreateLinkedTokenSource(_stop.Token));
                lock (_jobs)
                {
                    _jobs[record.Id] = owned;
                    var progress = new WorkerProgress(this, record.Id, record.Context);
                    owned.Task = Task.Run(() => RunJobAsync(owned, job, progress), CancellationToken.None);
                }
            }
        }
        finally
        {
            _lock.Release();
        }
    }

    private async Task RunJobAsync(OwnedJob owned, CompactionJob job, WorkerProgress progress)
    {
        var started = Time.GetTimestamp();
        try
        {
            if (progress.Resumed is { } resumed)
            {
                WorkerLog.Resuming(_logger, WorkerId, owned.Id.ToString(), resumed.Subcompactions.Count, resumed.Subcompactions.Sum(sub => sub.OutputSsts.Count));
            }

            var output = await _executor.ExecuteAsync(job, progress, owned.Cancel.Token).ConfigureAwait(false);
            var ssts = output.Run.Views.Select(view => view.Sst).ToArray();
            await _lock.WaitAsync(CancellationToken.None).ConfigureAwait(false);
            try
            {
                // Written only while this worker still holds the job (the status check makes a reclaimed job's output
                // an orphan the collector removes).
                var wrote = await _file.TryUpdateAsync(
                    records => records.Any(record => record.Id == owned.Id && record.Status == CompactionStatus.Running && record.Worker?.WorkerId == WorkerId)
                        ? [.. records.Select(record => record.Id == owned.Id
                            ? record with { Status = CompactionStatus.Compacted, OutputSsts = ssts, Worker = new WorkerSpec(WorkerId, NowMs), Context = null }
                            : record)]
                        : null,
                    CancellationToken.None).ConfigureAwait(false);
                if (wrote)
                {
                    Interlocked.Increment(ref _completed);
                    _components.Metrics.CompactionFinished(true, output.InputBytes, output.OutputBytes, ssts.Length, output.Duration, WorkerId);
                    _components.Metrics.CompactionRanges(output.Subcompactions, output.ResumedSubcompactions, WorkerId);
                    WorkerLog.Compacted(_logger, WorkerId, owned.Id.ToString(), ssts.Length, output.OutputBytes, (long)Time.GetElapsedTime(started).TotalMilliseconds);
                }
                else
                {
                    WorkerLog.Lost(_logger, WorkerId, owned.Id.ToString());
                }
            }
            finally
            {
                _lock.Release();
            }
        }
        catch (OperationCanceledException) when (owned.Cancel.IsCancellationRequested)
        {
            if (!owned.Lost)
            {
                // Stopping: hand the job back at once instead of waiting for the heartbeat timeout.
                await ReleaseGuardedAsync(owned.Id).ConfigureAwait(false);
            }
        }
        catch (Exception e)
        {
            WorkerLog.JobFailed(_logger, WorkerId, owned.Id.ToString(), e);
            _components.Metrics.CompactionFinished(false, 0, 0, 0, TimeSpan.Zero, WorkerId);
            await ReleaseGuardedAsync(owned.Id).ConfigureAwait(false);
        }
        finally
        {
            lock (_jobs)
            {
                _jobs.Remove(owned.Id);
            }

            owned.Cancel.Dispose();
            _wake.Set();
        }
    }

    private async Task ReleaseGuardedAsync(Ulid id)
    {
        try
        {
            await _lock.WaitAsync(CancellationToken.None).ConfigureAwait(false);
            try
            {
                await ReleaseAsync(id, CancellationToken.None).ConfigureAwait(false);
            }
            finally
            {
                _lock.Release();
            }
        }
        catch (Exception e)
        {
            // The coordinator reclaims it after the heartbeat timeout instead.
            WorkerLog.LoopFailed(_logger, WorkerId, e);
        }
    }

    /// <summary>Hands a job this worker holds back to the pool (Scheduled, no worker). Call under the lock.</summary>
    private Task ReleaseAsync(Ulid id, CancellationToken cancellationToken) =>
        _file.TryUpdateAsync(
            records => records.Any(record => record.Id == id && record.Status == CompactionStatus.Running && record.Worker?.WorkerId == WorkerId)
                ? [.. records.Select(record => record.Id == id ? record with { Status = CompactionStatus.Scheduled, Worker = null } : record)]
                : null,
            cancellationToken);

    /// <summary>Refreshes the heartbeat of every job still held; cancels those found reclaimed.</summary>
    private async Task HeartbeatAsync(CancellationToken token)
    {
        Ulid[] ids;
        lock (_jobs)
        {
            ids = [.. _jobs.Keys];
        }

        if (ids.Length == 0)
        {
            return;
        }

        HashSet<Ulid> lost = [];
        await _lock.WaitAsync(token).ConfigureAwait(false);
        try
        {
            await RefreshAsync(token).ConfigureAwait(false);
            await _file.TryUpdateAsync(
                records =>
                {
                    lost = [.. ids.Where(id => !records.Any(record => record.Id == id && record.Status == CompactionStatus.Running && record.Worker?.WorkerId == WorkerId))];
                    if (lost.Count == ids.Length)
                    {
                        return null;
                    }

                    var beat = new WorkerSpec(WorkerId, NowMs);
                    return [.. records.Select(record => ids.Contains(record.Id) && !lost.Contains(record.Id) ? record with { Worker = beat } : record)];
                },
                token).ConfigureAwait(false);
        }
        finally
        {
            _lock.Release();
        }

        foreach (var id in lost)
        {
            OwnedJob? job;
            lock (_jobs)
            {
                _jobs.TryGetValue(id, out job);
            }

            if (job is not null)
            {
                WorkerLog.Lost(_logger, WorkerId, id.ToString());
                job.Lost = true;
                try
                {
                    await job.Cancel.CancelAsync().ConfigureAwait(false);
                }
                catch (ObjectDisposedException)
                {
                    // It finished meanwhile.
                }
            }
        }
    }

    /// <summary>
    /// Records a job's subcompaction progress (its ranges and the SSTs each has written) in its record while this worker
    /// holds it, so a worker that takes the job over after this one died resumes every range after its last written key.
    /// </summary>
    private async Task RecordProgressAsync(Ulid id, CompactionContext context, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _file.TryUpdateAsync(
                records => records.Any(record => record.Id == id && record.Status == CompactionStatus.Running && record.Worker?.WorkerId == WorkerId)
                    ? [.. records.Select(record => record.Id == id ? record with { Context = context } : record)]
                    : null,
                cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>A claimed job's progress: what an earlier holder recorded, and where this one records.</summary>
    private sealed class WorkerProgress(WorkerRuntime runtime, Ulid id, CompactionContext? resumed) : ICompactionProgress
    {
        public CompactionContext? Resumed => resumed is { Subcompactions.Count: > 0 } ? resumed : null;

        public Task RecordAsync(CompactionContext context, CancellationToken cancellationToken) => runtime.RecordProgressAsync(id, context, cancellationToken);
    }

    private sealed class OwnedJob(Ulid id, CancellationTokenSource cancel)
    {
        public Ulid Id => id;

        public CancellationTokenSource Cancel => cancel;

        public Task Task { get; set; } = Task.CompletedTask;

        private volatile bool _lost;

        public bool Lost
        {
            get => _lost;
            set => _lost = value;
        }
    }
}
