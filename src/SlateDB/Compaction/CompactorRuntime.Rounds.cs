using SlateDB.Common;
using SlateDB.Manifest;

namespace SlateDB.Compaction;

internal sealed partial class CompactorRuntime
{
    /// <summary>
    /// One scheduling round, waiting for the compactions it starts to commit. Returns what they did.
    /// </summary>
    /// <exception cref="SlateDbException">Closed/Fenced: a newer compactor took over. Unavailable: a compaction failed.</exception>
    public async Task<IReadOnlyList<CompactionResult>> RunOnceAsync(CancellationToken cancellationToken)
    {
        ThrowIfFenced();
        List<RunningCompaction> started;
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            started = await RoundAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _lock.Release();
        }

        var results = await Task.WhenAll(started.Select(running => running.Completion)).ConfigureAwait(false);
        ThrowIfFenced();
        var failed = started.Where(running => running.Failure is not null).ToArray();
        if (failed.Length > 0)
        {
            throw new SlateDbException(SlateDbErrorKind.Unavailable, $"{failed.Length} of {started.Count} compactions failed; the first: {failed[0].Plan}.", failed[0].Failure);
        }

        return results.OfType<CompactionResult>().ToArray();
    }

    /// <summary>
    /// Runs an operator's request and waits for it to commit: plans it on the newest manifest, waits while it would
    /// overlap running compactions (scheduling nothing new meanwhile), then runs it. Null when there is nothing to
    /// compact.
    /// </summary>
    /// <exception cref="SlateDbException">Invalid: the plan breaks a rule. Unavailable: it failed. Closed/Fenced.</exception>
    public async Task<CompactionResult?> SubmitAsync(CompactionRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ThrowIfFenced();
        Interlocked.Increment(ref _manualWaiters);
        var waiting = true;
        try
        {
            while (true)
            {
                RunningCompaction? job = null;
                Task? runningFinished = null;
                await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    ThrowIfFenced();
                    await RefreshAsync(cancellationToken).ConfigureAwait(false);
                    var core = _manifest.Current.Core;
                    var active = _running.Values.Select(running => running.Plan).ToArray();
                    var plan = request.Plan ?? FullPlan(core.Tree, request.IncludesL0, active);
                    if (plan is null)
                    {
                        return null;
                    }

                    var problem = CompactionRules.Check(core.Tree, plan, active);
                    if (problem is not null && CompactionRules.Check(core.Tree, plan, []) is null)
                    {
                        runningFinished = Task.WhenAny(_running.Values.Select(running => running.Completion));
                    }
                    else
                    {
                        problem ??= _c.Scheduler.Validate(CompactionRules.SchedulerState(core.Tree, active), plan);
                        if (problem is not null)
                        {
                            throw new SlateDbException(SlateDbErrorKind.Invalid, $"The compaction {plan} cannot run: {problem}.");
                        }

                        var id = _c.Ids.NewUlid();
                        await RecordAsync([(id, plan)], [], cancellationToken).ConfigureAwait(false);
                        job = Launch(id, plan, core);
                    }
                }
                finally
                {
                    _lock.Release();
                }

                if (job is not null)
                {
                    Interlocked.Decrement(ref _manualWaiters);
                    waiting = false;
                    var result = await job.Completion.WaitAsync(cancellationToken).ConfigureAwait(false);
                    ThrowIfFenced();
                    return result ?? throw new SlateDbException(SlateDbErrorKind.Unavailable, $"The compaction {job.Plan} failed.", job.Failure);
                }

                await runningFinished!.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            if (waiting)
            {
                Interlocked.Decrement(ref _manualWaiters);
            }
        }
    }

    /// <summary>
    /// Every sorted run, and with <paramref name="includeL0"/> every L0 view, into the lowest run (a new run when
    /// there is none). Null when there is nothing to compact.
    /// </summary>
    internal static CompactionPlan? FullPlan(LsmTreeState tree, bool includeL0, IReadOnlyList<CompactionPlan> active)
    {
        var inputs = new List<CompactionInput>();
        if (includeL0)
        {
            inputs.AddRange(tree.L0.Select(view => CompactionInput.L0View(view.Id.ToString())));
        }

        inputs.AddRange(tree.Compacted.Select(run => CompactionInput.SortedRun(run.Id)));
        if (inputs.Count == 0)
        {
            return null;
        }

        var destination = tree.Compacted.Count > 0
            ? tree.Compacted.Min(run => run.Id)
            : SizeTieredCompactionScheduler.NextFreshRunId(CompactionRules.SchedulerState(tree, active));
        return new CompactionPlan(inputs, destination);
    }

    /// <summary>
    /// Rereads state, starts resumable or submitted compactions and the scheduler's proposals (up to the concurrency
    /// limit), and records them as running. Call under the lock. Returns what it started.
    /// </summary>
    private async Task<List<RunningCompaction>> RoundAsync(CancellationToken cancellationToken)
    {
        ThrowIfFenced();
        await RefreshAsync(cancellationToken).ConfigureAwait(false);
        await TendWorkersAsync(cancellationToken).ConfigureAwait(false);
        var core = _manifest.Current.Core;
        var tree = core.Tree;
        var limit = ConcurrencyLimit;
        var active = _running.Values.Select(running => running.Plan).ToList();
        var toStart = new List<(Ulid Id, CompactionPlan Plan)>();
        var toFail = new List<Ulid>();

        // Submitted records: resumed after a restart, or asked for by another process.
        foreach (var record in _file.Current.Compactions)
        {
            if (_running.ContainsKey(record.Id) || CompactionsFile.IsFinished(record.Status))
            {
                continue;
            }

            if (record.Status != CompactionStatus.Submitted)
            {
                // Running, yet not ours: left by a writer that broke the protocol.
                toFail.Add(record.Id);
                continue;
            }

            if (active.Count >= limit)
            {
                break;
            }

            var plan = CompactionRules.FromSpec(record.Spec, SizeTieredCompactionScheduler.NextFreshRunId(CompactionRules.SchedulerState(tree, active)));
            var problem = CheckPlan(tree, plan, active);
            if (problem is not null && CheckPlan(tree, plan, []) is null)
            {
                // It only overlaps running compactions: leave it submitted until they finish.
                continue;
            }

            if (problem is not null)
            {
                CompactorLog.CompactionRejected(_c.Logger, record.Id.ToString(), plan.ToString(), problem);
                toFail.Add(record.Id);
                continue;
            }

            toStart.Add((record.Id, plan));
            active.Add(plan);
        }

        if (Volatile.Read(ref _manualWaiters) == 0 && active.Count < limit)
        {
            foreach (var plan in _c.Scheduler.Propose(CompactionRules.SchedulerState(tree, active)))
            {
                if (active.Count >= limit)
                {
                    break;
                }

                var id = _c.Ids.NewUlid();
                var problem = CheckPlan(tree, plan, active);
                if (problem is not null)
                {
                    CompactorLog.CompactionRejected(_c.Logger, id.ToString(), plan.ToString(), problem);
                    continue;
                }

                toStart.Add((id, plan));
                active.Add(plan);
            }
        }

        if (toStart.Count == 0 && toFail.Count == 0)
        {
            return [];
        }

        await RecordAsync(toStart, toFail, cancellationToken).ConfigureAwait(false);
        return toStart.Select(item => Launch(item.Id, item.Plan, core)).ToList();
    }

    private string? CheckPlan(LsmTreeState tree, CompactionPlan plan, IReadOnlyCollection<CompactionPlan> active) =>
        CompactionRules.Check(tree, plan, active) ?? _c.Scheduler.Validate(CompactionRules.SchedulerState(tree, active), plan);

    /// <summary>Rereads <c>.compactions</c>, then the manifest (the order readers of compactor state use).</summary>
    private Task RefreshAsync(CancellationToken cancellationToken) => GuardAsync(async () =>
    {
        await _file.RefreshAsync(cancellationToken).ConfigureAwait(false);
        await _manifest.RefreshAsync(cancellationToken).ConfigureAwait(false);
    });

    /// <summary>Records compactions as running (before any of their output is written) and others as failed.</summary>
    private Task RecordAsync(IReadOnlyList<(Ulid Id, CompactionPlan Plan)> started, IReadOnlyList<Ulid> failed, CancellationToken cancellationToken) =>
        GuardAsync(() => _file.UpdateAsync(
            records =>
            {
                var byId = records.ToDictionary(record => record.Id);
                foreach (var (id, plan) in started)
                {
                    // A resumed compaction keeps its recorded ranges and outputs (see CompactorRuntime.Progress).
                    var context = byId.TryGetValue(id, out var previous) ? previous.Context : null;
                    byId[id] = new CompactionRecord(id, CompactionRules.ToSpec(plan), StartStatus(id, plan), [], null, context);
                }

                foreach (var id in failed)
                {
                    if (byId.TryGetValue(id, out var record))
                    {
                        byId[id] = record with { Status = CompactionStatus.Failed, OutputSsts = [] };
                    }
                }

                return CompactionsFile.Trim(byId.Values);
            },
            cancellationToken));
}
