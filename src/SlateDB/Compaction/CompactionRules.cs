using SlateDB.Common;
using SlateDB.Manifest;

namespace SlateDB.Compaction;

/// <summary>
/// The structural rules of compactions over one LSM tree, whatever scheduler proposed them, and the conversions
/// between the scheduler's public view and the manifest.
/// </summary>
internal static class CompactionRules
{
    /// <summary>What a scheduler sees of a tree and the compactions in flight.</summary>
    public static CompactionSchedulerState SchedulerState(LsmTreeState tree, IEnumerable<CompactionPlan> active) => new(
        tree.L0.Select(view => new L0ViewInfo(view.Id.ToString(), view.Sst.EstimatedSize)).ToArray(),
        tree.Compacted.Select(run => new SortedRunInfo(run.Id, run.EstimatedSize, run.Views.Count)).ToArray(),
        active.ToArray());

    /// <summary>
    /// Null when <paramref name="plan"/> may run on <paramref name="tree"/> next to <paramref name="active"/>;
    /// otherwise why not. The rules keep reads correct: the inputs exist and are a contiguous window of the tree (L0
    /// newest to oldest, then runs from the highest id down) that takes the oldest L0 view whenever it takes any, so
    /// the output can sit where the inputs were; with sorted-run inputs the destination is the lowest of them, with L0
    /// inputs only it is a new id above every run; and nothing overlaps a running compaction.
    /// </summary>
    public static string? Check(LsmTreeState tree, CompactionPlan plan, IReadOnlyCollection<CompactionPlan> active)
    {
        if (plan.Inputs.Count == 0)
        {
            return "it has no inputs";
        }

        if (plan.Inputs.Distinct().Count() != plan.Inputs.Count)
        {
            return "it names an input twice";
        }

        var logical = tree.L0.Select(view => CompactionInput.L0View(view.Id.ToString()))
            .Concat(tree.Compacted.Select(run => CompactionInput.SortedRun(run.Id)))
            .ToList();
        var start = logical.IndexOf(plan.Inputs[0]);
        if (start < 0)
        {
            return $"its input {plan.Inputs[0]} is not in the tree";
        }

        for (var i = 0; i < plan.Inputs.Count; i++)
        {
            if (start + i >= logical.Count || !logical[start + i].Equals(plan.Inputs[i]))
            {
                return logical.Contains(plan.Inputs[i])
                    ? "its inputs are not a contiguous window of the tree (L0 newest to oldest, then sorted runs from the highest id down)"
                    : $"its input {plan.Inputs[i]} is not in the tree";
            }
        }

        if (plan.HasL0Inputs && start + plan.Inputs.Count < tree.L0.Count)
        {
            return "it takes L0 views but not the oldest one, so its output would be read after older data";
        }

        if (plan.HasSortedRunInputs)
        {
            var lowest = plan.Inputs.Where(input => input.IsSortedRun).Min(input => input.SortedRunId);
            if (plan.Destination != lowest)
            {
                return $"its destination SR({plan.Destination}) is not the lowest sorted run among its inputs, SR({lowest})";
            }
        }
        else if (tree.Compacted.Count > 0 && plan.Destination <= tree.Compacted.Max(run => run.Id))
        {
            return $"it compacts L0 only, so its destination SR({plan.Destination}) must be above every existing sorted run";
        }

        foreach (var other in active)
        {
            if (other.Inputs.Intersect(plan.Inputs).Any() || other.Destination == plan.Destination
                || plan.Inputs.Contains(CompactionInput.SortedRun(other.Destination)))
            {
                return $"it overlaps the running compaction {other}";
            }

            if (plan.HasL0Inputs && other.HasL0Inputs)
            {
                return "an L0 compaction is running already";
            }
        }

        return null;
    }

    /// <summary>Resolves a checked plan against the tree: the input views and runs, and the retention rules.</summary>
    public static CompactionJob Resolve(Ulid id, ManifestCore core, CompactionPlan plan)
    {
        var tree = core.Tree;
        var views = plan.Inputs.Where(input => !input.IsSortedRun)
            .Select(input => tree.L0.First(view => view.Id.ToString() == input.L0ViewId))
            .ToArray();
        var runs = plan.Inputs.Where(input => input.IsSortedRun)
            .Select(input => tree.Compacted.First(run => run.Id == input.SortedRunId))
            .ToArray();

        // The output is the last run when nothing older remains below it: no run with a lower id, and (L0 only) no
        // run at all. A plan always takes the oldest L0 view when it takes any, so no L0 view is older.
        var isLastRun = runs.Length > 0
            ? runs.Min(run => run.Id) == tree.Compacted.Min(run => run.Id)
            : tree.Compacted.Count == 0;
        var retention = new RetentionPolicy(core.RecentSnapshotMinSeq, core.LastL0ClockTick, DropTombstones: isLastRun);
        return new CompactionJob(id, plan, views, runs, retention);
    }

    /// <summary>The manifest's form of a plan.</summary>
    public static TieredCompactionSpec ToSpec(CompactionPlan plan) => new(
        ReadOnlyMemory<byte>.Empty,
        plan.Inputs.Select(input => input.IsSortedRun ? CompactionSource.SortedRun(input.SortedRunId) : CompactionSource.SstView(Ulid.Parse(input.L0ViewId!))).ToArray(),
        plan.Destination);

    /// <summary>
    /// The plan a stored spec describes. Version 1 of <c>.compactions</c> does not store destinations: with sorted-run
    /// inputs it is the lowest of them; with L0 inputs only, <paramref name="freshRunId"/> (a new id) is used.
    /// </summary>
    public static CompactionPlan FromSpec(CompactionSpec spec, uint freshRunId)
    {
        var inputs = spec.Sources.Select(source => source.IsSortedRun ? CompactionInput.SortedRun(source.SortedRunId) : CompactionInput.L0View(source.ViewId.ToString())).ToArray();
        var runs = inputs.Where(input => input.IsSortedRun).ToArray();
        return new CompactionPlan(inputs, runs.Length > 0 ? runs.Min(input => input.SortedRunId) : freshRunId);
    }

    /// <summary>
    /// True when <paramref name="latest"/> already holds the finished compaction: none of its L0 inputs is left, no
    /// input run other than the output's id is left, and the output run is there with exactly the output's SSTs (a
    /// reread after a commit the store wrongly reported as a conflict shows the commit itself).
    /// </summary>
    public static bool IsApplied(ManifestCore latest, CompactionPlan plan, SortedRun output)
    {
        ArgumentNullException.ThrowIfNull(latest);
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(output);
        var tree = latest.Tree;
        foreach (var input in plan.Inputs)
        {
            var left = input.IsSortedRun
                ? input.SortedRunId != output.Id && tree.Compacted.Any(run => run.Id == input.SortedRunId)
                : tree.L0.Any(view => view.Id.ToString() == input.L0ViewId);
            if (left)
            {
                return false;
            }
        }

        var run = tree.Compacted.FirstOrDefault(run => run.Id == output.Id);
        return output.Views.Count == 0
            ? run is null || !plan.Inputs.Any(input => input.IsSortedRun && input.SortedRunId == output.Id)
            : run is not null && run.Views.Select(view => view.Sst.Id).SequenceEqual(output.Views.Select(view => view.Sst.Id));
    }

    /// <summary>
    /// Applies a finished compaction to the newest manifest: its L0 inputs and input runs go, the output run is
    /// inserted in id order (highest first; a run with no SSTs is left out), the last-compacted L0 watermark moves to
    /// the newest L0 input, and everything else (the writer's L0 additions, WAL ids, sequence numbers, clock tick,
    /// snapshot sequence, checkpoints) stays as the newest manifest has it.
    /// </summary>
    /// <exception cref="InvalidOperationException">An input is no longer in the manifest (another compactor committed it).</exception>
    public static ManifestCore ApplyFinished(ManifestCore latest, CompactionPlan plan, SortedRun output)
    {
        var tree = latest.Tree;
        var l0Inputs = plan.Inputs.Where(input => !input.IsSortedRun).Select(input => Ulid.Parse(input.L0ViewId!)).ToHashSet();
        var runInputs = plan.Inputs.Where(input => input.IsSortedRun).Select(input => input.SortedRunId).ToHashSet();
        var missingViews = l0Inputs.Count(id => !tree.L0.Any(view => view.Id == id));
        var missingRuns = runInputs.Count(id => !tree.Compacted.Any(run => run.Id == id));
        if (missingViews > 0 || missingRuns > 0)
        {
            throw new InvalidOperationException($"The compaction {plan} cannot commit: {missingViews} of its L0 inputs and {missingRuns} of its sorted-run inputs are no longer in the manifest.");
        }

        if (!runInputs.Contains(output.Id) && tree.Compacted.Any(run => run.Id == output.Id))
        {
            throw new InvalidOperationException($"The compaction {plan} cannot commit: SR({output.Id}) exists and is not one of its inputs.");
        }

        var runs = new List<SortedRun>(tree.Compacted.Count + 1);
        var inserted = output.Views.Count == 0;
        foreach (var run in tree.Compacted)
        {
            if (!inserted && output.Id > run.Id)
            {
                runs.Add(output);
                inserted = true;
            }

            if (!runInputs.Contains(run.Id))
            {
                runs.Add(run);
            }
        }

        if (!inserted)
        {
            runs.Add(output);
        }

        var newTree = tree with
        {
            L0 = tree.L0.Where(view => !l0Inputs.Contains(view.Id)).ToArray(),
            Compacted = runs,
        };
        if (!plan.Inputs[0].IsSortedRun)
        {
            // Inputs list L0 newest first: the first one is the newest L0 view compacted.
            var newest = tree.L0.First(view => view.Id.ToString() == plan.Inputs[0].L0ViewId);
            newTree = newTree with
            {
                LastCompactedL0SstViewId = newest.Id,
                LastCompactedL0SstId = newest.Sst.Id.IsWal ? null : newest.Sst.Id.CompactedId,
            };
        }

        return latest with { Tree = newTree };
    }
}
