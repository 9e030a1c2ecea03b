using System.Collections.Concurrent;
using SlateDB.Common;
using SlateDB.Compaction.Workers;
using SlateDB.Manifest;
using SlateDB.Manifest.Codec;

namespace SlateDB.Compaction;

/// <summary>
/// The coordinator's side of compaction workers (SlateDB RFC-0025), in use when <see cref="CompactorOptions.Worker"/> is
/// null: compactions are recorded Scheduled (version 2, destination stored) instead of executed here; each round the
/// coordinator reclaims Running compactions whose worker's heartbeat is older than
/// <see cref="CompactorOptions.WorkerHeartbeatTimeout"/> (back to Scheduled, no worker; their output is abandoned) and
/// commits Compacted ones exactly as a local compaction commits (manifest first, then Completed). Trivial moves still
/// run here. On a graceful stop the file is rewritten as version 1 with only finished records, so SlateDB 0.12.1 can
/// compact the database again; workers then find their jobs gone and abandon them.
/// </summary>
internal sealed partial class CompactorRuntime
{
    private readonly ConcurrentDictionary<Ulid, RemoteJob> _remote = [];
    private readonly List<Task> _remoteCommits = [];
    private Task _tending = Task.CompletedTask;

    /// <summary>
    /// How many compactions run at once: <see cref="CompactorOptions.MaxConcurrentCompactions"/>, and with the embedded
    /// worker at most its <see cref="CompactionWorkerOptions.MaxConcurrentCompactions"/> (SlateDB's embedded worker
    /// claims no more than that).
    /// </summary>
    private int ConcurrencyLimit => _c.Options.Worker is { } worker ? Math.Min(_c.Options.MaxConcurrentCompactions, worker.MaxConcurrentCompactions) : _c.Options.MaxConcurrentCompactions;

    /// <summary>True when compactions run on workers in other processes.</summary>
    private bool Remote => _c.Options.Worker is null;

    private TimeSpan LoopDelay => Remote && _c.Options.CommitCompactedInterval < _c.Options.PollInterval ? _c.Options.CommitCompactedInterval : _c.Options.PollInterval;

    private void InitWorkers()
    {
        _file.Format = Remote ? CompactionsCodec.Version2 : CompactionsCodec.Version1;
        _stop.Token.Register(() =>
        {
            foreach (var job in _remote.Values)
            {
                job.Running.Failure ??= new OperationCanceledException("The compactor stopped.");
                job.Done.TrySetResult(null);
            }
        });
    }

    /// <summary>
    /// With workers, starts the commit ticker (SlateDB's <c>CommitCompacted</c>): every
    /// <see cref="CompactorOptions.CommitCompactedInterval"/> while compactions are with the workers, reread
    /// <c>.compactions</c>, reclaim and commit. It runs whether or not the compactor polls.
    /// </summary>
    private void StartTending()
    {
        if (!Remote)
        {
            return;
        }

        _tending = Task.Run(
            async () =>
            {
                var token = _stop.Token;
                while (!token.IsCancellationRequested)
                {
                    try
                    {
                        await Task.Delay(_c.Options.CommitCompactedInterval, _c.Time, token).ConfigureAwait(false);
                        if (_remote.IsEmpty)
                        {
                            continue;
                        }

                        await _lock.WaitAsync(token).ConfigureAwait(false);
                        try
                        {
                            await GuardAsync(() => _file.RefreshAsync(token)).ConfigureAwait(false);
                            await TendWorkersAsync(token).ConfigureAwait(false);
                        }
                        finally
                        {
                            _lock.Release();
                        }
                    }
                    catch (OperationCanceledException) when (token.IsCancellationRequested)
                    {
                        return;
                    }
                    catch (SlateDbException e) when (e.Kind == SlateDbErrorKind.Closed)
                    {
                        return;
                    }
                    catch (Exception e)
                    {
                        CompactorLog.PollFailed(_c.Logger, e);
                    }
                }
            },
            CancellationToken.None);
    }

    /// <summary>Whether a compaction about to start executes in this process (always, unless workers run it).</summary>
    private bool RunsHere(Ulid id, CompactionPlan plan, ManifestCore core) =>
        !Remote || (_c.Options.EnableTrivialMove && TrivialMove.TryOutput(CompactionRules.Resolve(id, core, plan)) is not null);

    /// <summary>The status a compaction is recorded with when it starts: Running here, or Scheduled for the workers.</summary>
    private CompactionStatus StartStatus(Ulid id, CompactionPlan plan) =>
        RunsHere(id, plan, _manifest.Current.Core) ? CompactionStatus.Running : CompactionStatus.Scheduled;

    /// <summary>Hands a recorded (Scheduled) compaction to the workers. Call under the lock.</summary>
    private RunningCompaction LaunchRemote(Ulid id, CompactionPlan plan, ManifestCore core)
    {
        var job = CompactionRules.Resolve(id, core, plan);
        var running = new RunningCompaction(id, plan);
        var remote = new RemoteJob(running, job.InputBytes, _c.Time.GetTimestamp());
        running.Completion = remote.Done.Task;
        _running[id] = running;
        _remote[id] = remote;
        if (_stop.IsCancellationRequested)
        {
            remote.Done.TrySetResult(null);
        }

        WorkerLog.Scheduled(_c.Logger, id.ToString(), plan.Inputs.Count, plan.Destination);
        return running;
    }

    /// <summary>
    /// Reclaims compactions whose worker went silent and starts committing those workers reported Compacted. Call
    /// under the lock, after a refresh.
    /// </summary>
    private async Task TendWorkersAsync(CancellationToken cancellationToken)
    {
        if (!Remote || _remote.IsEmpty)
        {
            return;
        }

        var nowMs = (ulong)_c.Time.GetUtcNow().ToUnixTimeMilliseconds();
        var timeoutMs = (ulong)_c.Options.WorkerHeartbeatTimeout.TotalMilliseconds;
        bool Stale(CompactionRecord record) =>
            _remote.ContainsKey(record.Id) && record.Status == CompactionStatus.Running
            && (record.Worker is not { } worker || (nowMs > worker.LastHeartbeatMs && nowMs - worker.LastHeartbeatMs > timeoutMs));

        var stale = _file.Current.Compactions.Where(Stale).ToArray();
        if (stale.Length > 0)
        {
            await GuardAsync(() => _file.UpdateAsync(
                records => [.. records.Select(record => Stale(record) ? record with { Status = CompactionStatus.Scheduled, Worker = null } : record)],
                cancellationToken)).ConfigureAwait(false);
            foreach (var record in stale)
            {
                var silentMs = record.Worker is { } worker ? (long)(nowMs - Math.Min(nowMs, worker.LastHeartbeatMs)) : 0;
                WorkerLog.Reclaimed(_c.Logger, record.Id.ToString(), record.Worker?.WorkerId ?? "(none)", silentMs);
            }
        }

        foreach (var record in _file.Current.Compactions.Where(record => record.Status == CompactionStatus.Compacted))
        {
            if (!_remote.TryGetValue(record.Id, out var remote) || remote.Committing)
            {
                continue;
            }

            remote.Committing = true;
            var views = record.OutputSsts.Select(SsTableView.Identity).ToArray();
            var outputBytes = (long)record.OutputSsts.Aggregate(0UL, (sum, sst) => sum + sst.EstimatedSize);
            var output = new CompactionOutput(
                new SortedRun(remote.Running.Plan.Destination, views), remote.InputBytes, outputBytes, RowsRead: 0, RowsWritten: 0, _c.Time.GetElapsedTime(remote.Started));
            lock (_remoteCommits)
            {
                _remoteCommits.RemoveAll(task => task.IsCompleted);
                _remoteCommits.Add(Task.Run(() => CommitRemoteAsync(remote, output), CancellationToken.None));
            }
        }
    }

    /// <summary>Commits what a worker produced (as a local compaction commits) and completes its waiters.</summary>
    private async Task CommitRemoteAsync(RemoteJob remote, CompactionOutput output)
    {
        CompactionResult? result = null;
        try
        {
            result = await FinishAsync(remote.Running, output).ConfigureAwait(false);
            if (result is not null && _c.OnCommitted is { } onCommitted)
            {
                await onCommitted(CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (Exception e)
        {
            CompactorLog.NotifyFailed(_c.Logger, e);
        }
        finally
        {
            _remote.TryRemove(remote.Running.Id, out _);
            remote.Done.TrySetResult(result);
        }
    }

    /// <summary>
    /// At a graceful stop with workers: waits for commits in flight, then writes the state as version 1 with only the
    /// finished records (no worker fields), which SlateDB 0.12.1 reads.
    /// </summary>
    private async Task HandBackToVersion1Async()
    {
        if (!Remote)
        {
            return;
        }

        await _tending.ConfigureAwait(false);
        Task[] commits;
        lock (_remoteCommits)
        {
            commits = [.. _remoteCommits];
        }

        await Task.WhenAll(commits).ConfigureAwait(false);
        if (FencedError is not null)
        {
            return;
        }

        await _lock.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            using var timeout = new CancellationTokenSource(_c.Options.ManifestUpdateTimeout);
            await _file.RefreshAsync(timeout.Token).ConfigureAwait(false);
            _file.Format = CompactionsCodec.Version1;
            await _file.UpdateAsync(
                records => CompactionsFile.Trim(records.Where(record => CompactionsFile.IsFinished(record.Status)).Select(record => record with { Worker = null, Context = null })),
                timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // Fenced meanwhile, or the store failed: the next compactor's claim rewrites the file anyway.
            CompactorLog.PollFailed(_c.Logger, e);
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>A compaction handed to the workers: its waiters, input size and start time.</summary>
    private sealed class RemoteJob(RunningCompaction running, long inputBytes, long started)
    {
        public RunningCompaction Running => running;

        public long InputBytes => inputBytes;

        public long Started => started;

        public TaskCompletionSource<CompactionResult?> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool Committing { get; set; }
    }
}
