using SlateDB.Common;
using SlateDB.Manifest;

namespace SlateDB.Compaction;

internal sealed partial class CompactorRuntime
{
    /// <summary>Starts executing a recorded compaction in the background. Call under the lock.</summary>
    private RunningCompaction Launch(Ulid id, CompactionPlan plan, ManifestCore core)
    {
        if (!RunsHere(id, plan, core))
        {
            return LaunchRemote(id, plan, core);
        }

        var job = CompactionRules.Resolve(id, core, plan);
        var running = new RunningCompaction(id, plan) { Progress = new RecordedProgress(this, id, ResumeContextOf(id)) };
        _running[id] = running;
        CompactorLog.CompactionStarted(_c.Logger, id.ToString(), plan.Inputs.Count, plan.Destination);
        running.Completion = Task.Run(() => ExecuteAndCommitAsync(running, job), CancellationToken.None);
        return running;
    }

    private async Task<CompactionResult?> ExecuteAndCommitAsync(RunningCompaction running, CompactionJob job)
    {
        var token = _stop.Token;
        CompactionOutput? output = null;
        try
        {
            using var activity = Diagnostics.DbTracing.Start("slatedb.compaction", _c.Components.Metrics.DbName);
            activity?.SetTag("slatedb.compaction.id", running.Id.ToString());
            output = _c.Options.EnableTrivialMove && TrivialMove.TryOutput(job) is { } moved
                ? new CompactionOutput(moved, job.InputBytes, job.InputBytes, RowsRead: 0, RowsWritten: 0, TimeSpan.Zero)
                : await _executor.ExecuteAsync(job, running.Progress, token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Stopped: the record stays running, so the next compactor redoes it; what was written is garbage.
            running.Failure = new OperationCanceledException("The compactor stopped.");
            await ForgetAsync(running).ConfigureAwait(false);
            return null;
        }
        catch (Exception e)
        {
            running.Failure = e;
            CompactorLog.CompactionFailed(_c.Logger, running.Id.ToString(), running.Plan.ToString(), e);
        }

        var result = await FinishAsync(running, output).ConfigureAwait(false);
        if (result is not null && _c.OnCommitted is { } onCommitted)
        {
            try
            {
                await onCommitted(CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                CompactorLog.NotifyFailed(_c.Logger, e);
            }
        }

        return result;
    }

    /// <summary>
    /// Commits a finished compaction (manifest, then <c>.compactions</c>) or records a failed one. Returns the result
    /// when the manifest took it.
    /// </summary>
    private async Task<CompactionResult?> FinishAsync(RunningCompaction running, CompactionOutput? output)
    {
        var token = _stop.Token;
        await _lock.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            if (FencedError is { } fenced)
            {
                running.Failure = fenced;
                return null;
            }

            CompactionResult? result = null;
            if (output is not null)
            {
                try
                {
                    await GuardAsync(() => _manifest.UpdateAsync((id, manifest) => Commit(id, manifest, running.Plan, output.Run), token)).ConfigureAwait(false);
                    result = new CompactionResult(
                        running.Id.ToString(), running.Plan, output.InputBytes, output.OutputBytes, output.Run.Views.Count, output.RowsRead, output.RowsWritten, output.Duration)
                    {
                        Subcompactions = output.Subcompactions,
                        ResumedSubcompactions = output.ResumedSubcompactions,
                    };
                }
                catch (SlateDbException e) when (e.CloseReason == CloseReason.Fenced)
                {
                    running.Failure = e;
                    return null;
                }
                catch (OperationCanceledException) when (token.IsCancellationRequested)
                {
                    running.Failure = new OperationCanceledException("The compactor stopped.");
                    return null;
                }
                catch (Exception e)
                {
                    running.Failure = e;
                    CompactorLog.CompactionFailed(_c.Logger, running.Id.ToString(), running.Plan.ToString(), e);
                }
            }

            var status = result is not null ? CompactionStatus.Completed : CompactionStatus.Failed;
            var outputs = result is not null ? output!.Run.Views.Select(view => view.Sst).ToArray() : [];
            try
            {
                await GuardAsync(() => _file.UpdateAsync(
                    records => CompactionsFile.Trim(records.Select(record => record.Id == running.Id ? record with { Status = status, OutputSsts = outputs } : record)),
                    token)).ConfigureAwait(false);
            }
            catch (Exception e) when (result is not null && e is not SlateDbException { CloseReason: CloseReason.Fenced })
            {
                // The manifest has the compaction; only its record is stale, and the next compactor drops it (its
                // inputs are gone from the manifest).
                CompactorLog.PollFailed(_c.Logger, e);
            }
            catch (Exception e) when (result is null)
            {
                CompactorLog.PollFailed(_c.Logger, e);
            }

            if (result is not null)
            {
                CompactorLog.CompactionCommitted(
                    _c.Logger, result.Id, result.Plan.Inputs.Count, result.Plan.Destination, result.InputBytes, result.OutputBytes, (long)result.Duration.TotalMilliseconds);
                CompactorLog.CompactionDetails(_c.Logger, result.Id, result.Plan.ToString(), result.OutputSsts, result.RowsRead, result.RowsWritten);
            }

            _c.Components.Metrics.CompactionFinished(result is not null, result?.InputBytes ?? 0, result?.OutputBytes ?? 0, result?.OutputSsts ?? 0, result?.Duration ?? TimeSpan.Zero);
            if (result is not null && output is not null)
            {
                _c.Components.Metrics.CompactionRanges(output.Subcompactions, output.ResumedSubcompactions);
            }

            return result;
        }
        finally
        {
            _running.Remove(running.Id);
            _lock.Release();
            _wake.Set();
        }
    }

    /// <summary>
    /// The manifest change of a commit: the compaction applied, a checkpoint on the version it replaces, and the
    /// borrowed SSTs it rewrote dropped from the external database entries (a clone).
    /// </summary>
    private DbManifest Commit(ulong replacedId, DbManifest latest, CompactionPlan plan, SortedRun output)
    {
        if (CompactionRules.IsApplied(latest.Core, plan, output))
        {
            return latest;
        }

        var core = CompactionRules.ApplyFinished(latest.Core, plan, output);

        // As SlateDB: pin the version that still names the inputs for 15 minutes, so garbage collection leaves them
        // to readers that are still on it. Expired checkpoints of this kind (unnamed, exactly that lifetime) go.
        var now = _c.Time.GetUtcNow();
        var checkpoints = core.Checkpoints
            .Where(checkpoint => !(checkpoint.Name is null && checkpoint.ExpireTime is { } expire && expire - checkpoint.CreateTime == CheckpointLifetime && expire <= now))
            .Append(new Checkpoint(_c.Ids.NewUuid(), replacedId, now + CheckpointLifetime, now, Name: null))
            .ToArray();
        return Clones.ExternalSsts.Prune(latest, core with { Checkpoints = checkpoints });
    }

    private async Task ForgetAsync(RunningCompaction running)
    {
        await _lock.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            _running.Remove(running.Id);
        }
        finally
        {
            _lock.Release();
        }
    }
}
