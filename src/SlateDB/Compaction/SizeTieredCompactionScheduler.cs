namespace SlateDB.Compaction;

/// <summary>
/// The size-tiered scheduler (SlateDB's <c>SizeTieredCompactionScheduler</c>). Each proposal is either
/// <list type="bullet">
/// <item>at least <c>min_compaction_sources</c> L0 views (the oldest <c>max_compaction_sources</c> of them when there
/// are more) merged into a new sorted run whose id is one above every existing run and in-flight destination; or</item>
/// <item>a series of adjacent sorted runs, from some run down to older ones, where each next run is at most
/// <c>include_size_threshold</c> times the smallest run so far; at least <c>min_compaction_sources</c> of them, the
/// oldest <c>max_compaction_sources</c> when more, merged into the lowest (oldest) run.</item>
/// </list>
/// A candidate is dropped when it uses an input or destination an active compaction uses, or when its output would
/// itself be mergeable with the next older run while that run already heads a full series of similar runs
/// (backpressure: compact the older series first).
/// </summary>
internal sealed class SizeTieredCompactionScheduler(SizeTieredSchedulerOptions options, int maxConcurrentCompactions) : ICompactionScheduler
{
    public SizeTieredSchedulerOptions Options => options;

    public IReadOnlyList<CompactionPlan> Propose(CompactionSchedulerState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var l0 = state.L0.Select(view => new Sized(CompactionInput.L0View(view.ViewId), view.SizeBytes)).ToArray();
        var runs = state.SortedRuns.Select(run => new Sized(CompactionInput.SortedRun(run.Id), run.SizeBytes)).ToArray();
        var checker = new Checker(
            new ConflictChecker(state.ActiveCompactions),
            new BackpressureChecker(options, runs));
        var nextFreshId = NextFreshRunId(state);
        var proposals = new List<CompactionPlan>();
        while (state.ActiveCompactions.Count + proposals.Count < maxConcurrentCompactions)
        {
            var next = PickNext(l0, runs, checker, nextFreshId);
            if (next is null)
            {
                break;
            }

            if (!next.HasSortedRunInputs)
            {
                nextFreshId = next.Destination + 1;
            }

            checker.Conflicts.Add(next);
            proposals.Add(next);
        }

        return proposals;
    }

    /// <summary>Sources must be a contiguous window of the tree; with sorted runs, the destination is the lowest of them.</summary>
    public string? Validate(CompactionSchedulerState state, CompactionPlan plan)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(plan);
        var logical = state.L0.Select(view => CompactionInput.L0View(view.ViewId))
            .Concat(state.SortedRuns.Select(run => CompactionInput.SortedRun(run.Id)))
            .ToArray();
        if (!IsWindow(logical, plan.Inputs))
        {
            return "its inputs are not a contiguous window of the tree (L0 newest to oldest, then sorted runs from the highest id down)";
        }

        if (plan.HasSortedRunInputs)
        {
            var lowest = plan.Inputs.Where(input => input.IsSortedRun).Min(input => input.SortedRunId);
            if (plan.Destination != lowest)
            {
                return $"its destination SR({plan.Destination}) is not the lowest sorted run among its inputs, SR({lowest})";
            }
        }

        return null;
    }

    /// <summary>One above every existing run and every active compaction's destination (0 for an empty tree).</summary>
    internal static uint NextFreshRunId(CompactionSchedulerState state)
    {
        long highest = -1;
        foreach (var run in state.SortedRuns)
        {
            highest = Math.Max(highest, run.Id);
        }

        foreach (var active in state.ActiveCompactions)
        {
            highest = Math.Max(highest, active.Destination);
        }

        return (uint)(highest + 1);
    }

    private static bool IsWindow(CompactionInput[] logical, IReadOnlyList<CompactionInput> inputs)
    {
        if (inputs.Count == 0 || inputs.Count > logical.Length)
        {
            return false;
        }

        var start = Array.IndexOf(logical, inputs[0]);
        if (start < 0 || start + inputs.Count > logical.Length)
        {
            return false;
        }

        for (var i = 1; i < inputs.Count; i++)
        {
            if (!logical[start + i].Equals(inputs[i]))
            {
                return false;
            }
        }

        return true;
    }

    private CompactionPlan? PickNext(Sized[] l0, Sized[] runs, Checker checker, uint freshId)
    {
        // L0 first: the writer stalls when L0 fills up.
        if (l0.Length >= options.MinCompactionSources)
        {
            var candidates = ClampMax(l0);
            var nextRun = runs.Length > 0 ? runs[0] : (Sized?)null;
            if (checker.Allows(candidates, freshId, nextRun))
            {
                return Plan(candidates, freshId);
            }
        }

        for (var i = 0; i < runs.Length; i++)
        {
            var series = BuildCompactableRun(options.IncludeSizeThreshold, runs, i, checker);
            if (series.Count < options.MinCompactionSources)
            {
                continue;
            }

            var clamped = ClampMax(series);
            return Plan(clamped, clamped[^1].Input.SortedRunId);
        }

        return null;
    }

    /// <summary>Drops the newest sources beyond <c>max_compaction_sources</c>, keeping the oldest.</summary>
    private IReadOnlyList<Sized> ClampMax(IReadOnlyList<Sized> sources) =>
        sources.Count <= options.MaxCompactionSources ? sources : sources.Skip(sources.Count - options.MaxCompactionSources).ToArray();

    private static CompactionPlan Plan(IReadOnlyList<Sized> sources, uint destination) =>
        new(sources.Select(source => source.Input).ToArray(), destination);

    /// <summary>
    /// The longest series of runs from <paramref name="start"/> down where each run is at most
    /// <paramref name="threshold"/> times the smallest before it; with a checker, it stops before the first run whose
    /// addition the checker refuses.
    /// </summary>
    internal static List<Sized> BuildCompactableRun(float threshold, Sized[] runs, int start, Checker? checker)
    {
        var series = new List<Sized>();
        ulong? smallest = null;
        for (var i = start; i < runs.Length; i++)
        {
            var run = runs[i];
            if (smallest is { } min)
            {
                if (run.Size > (ulong)(min * threshold))
                {
                    break;
                }

                smallest = Math.Min(min, run.Size);
            }
            else
            {
                smallest = run.Size;
            }

            series.Add(run);
            if (checker is not null)
            {
                var nextRun = i + 1 < runs.Length ? runs[i + 1] : (Sized?)null;
                if (!checker.Allows(series, run.Input.SortedRunId, nextRun))
                {
                    series.RemoveAt(series.Count - 1);
                    break;
                }
            }
        }

        return series;
    }

    internal readonly record struct Sized(CompactionInput Input, ulong Size);

    /// <summary>Both checks a candidate must pass.</summary>
    internal sealed class Checker(ConflictChecker conflicts, BackpressureChecker backpressure)
    {
        public ConflictChecker Conflicts => conflicts;

        public bool Allows(IReadOnlyList<Sized> sources, uint destination, Sized? nextRun) =>
            conflicts.Allows(sources, destination) && backpressure.Allows(sources, nextRun);
    }

    /// <summary>Refuses candidates that touch an input or destination of an active compaction.</summary>
    internal sealed class ConflictChecker
    {
        private readonly HashSet<CompactionInput> _used = [];

        public ConflictChecker(IEnumerable<CompactionPlan> active)
        {
            foreach (var plan in active)
            {
                Add(plan);
            }
        }

        public void Add(CompactionPlan plan)
        {
            _used.UnionWith(plan.Inputs);
            _used.Add(CompactionInput.SortedRun(plan.Destination));
        }

        public bool Allows(IReadOnlyList<Sized> sources, uint destination) =>
            !sources.Any(source => _used.Contains(source.Input)) && !_used.Contains(CompactionInput.SortedRun(destination));
    }

    /// <summary>
    /// Refuses a candidate whose output (estimated as the sum of its inputs) could be merged with the next older run
    /// while that run already starts a series of <c>max_compaction_sources</c> similar runs: those should be compacted
    /// first, or small runs would pile up in front of them.
    /// </summary>
    internal sealed class BackpressureChecker
    {
        private readonly float _threshold;
        private readonly int _maxSources;
        private readonly Dictionary<uint, int> _seriesLengthByRun = [];

        public BackpressureChecker(SizeTieredSchedulerOptions options, Sized[] runs)
        {
            _threshold = options.IncludeSizeThreshold;
            _maxSources = options.MaxCompactionSources;
            for (var i = 0; i < runs.Length; i++)
            {
                _seriesLengthByRun[runs[i].Input.SortedRunId] = BuildCompactableRun(_threshold, runs, i, checker: null).Count;
            }
        }

        public bool Allows(IReadOnlyList<Sized> sources, Sized? nextRun)
        {
            if (nextRun is not { } next)
            {
                return true;
            }

            ulong output = 0;
            foreach (var source in sources)
            {
                output += source.Size;
            }

            if (next.Size > (ulong)(output * _threshold))
            {
                return true;
            }

            return _seriesLengthByRun.GetValueOrDefault(next.Input.SortedRunId) < _maxSources;
        }
    }
}
