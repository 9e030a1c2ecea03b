namespace SlateDB;

/// <summary>Settings of the compactor (SlateDB's <c>CompactorOptions</c>); defaults as SlateDB's.</summary>
public sealed record CompactorOptions
{
    /// <summary>How often the compactor reads the manifest and schedules compactions. Default 5 s.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long manifest updates are retried before giving up. Default 300 s.</summary>
    public TimeSpan ManifestUpdateTimeout { get; init; } = TimeSpan.FromSeconds(300);

    /// <summary>
    /// The largest SST a compaction writes before starting the next one of the sorted run (SlateDB v0.15:
    /// <c>worker.max_sst_size</c>). Default 256 MiB.
    /// </summary>
    public long MaxSstSize { get; init; } = 256L * 1024 * 1024;

    /// <summary>How many compactions may run at once. Default 4.</summary>
    public int MaxConcurrentCompactions { get; init; } = 4;

    /// <summary>How many blocks a compaction fetches in parallel (SlateDB v0.15: <c>worker.max_fetch_tasks</c>). Default 4.</summary>
    public int MaxFetchTasks { get; init; } = 4;

    /// <summary>
    /// Scheduler options as string pairs (size-tiered: <c>min_compaction_sources</c> 4, <c>max_compaction_sources</c> 8,
    /// <c>include_size_threshold</c> 4.0). Compared by content.
    /// </summary>
    public IReadOnlyDictionary<string, string> SchedulerOptions { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// When no two input SSTs of a compaction share a key, make the output run of the inputs' SSTs as they are, without
    /// reading or rewriting them (retention is then not applied to those rows, as in SlateDB). Default false.
    /// </summary>
    public bool EnableTrivialMove { get; init; }

    /// <summary>
    /// The embedded compaction worker's settings (default: compactions run in the compactor's process). Null: the
    /// compactor only coordinates, and <see cref="Compaction.CompactionWorker"/>s in other processes run the
    /// compactions (SlateDB RFC-0025; <c>.compactions</c> is then written as version 2, see docs/compaction-workers.md).
    /// </summary>
    public CompactionWorkerOptions? Worker { get; init; } = new();

    /// <summary>The compactor's metric level (which of its metrics are recorded: Debug adds the Debug ones); null inherits the database's.</summary>
    public MetricLevel? MetricLevel { get; init; }

    /// <summary>How often a coordinator with external workers (<see cref="Worker"/> null) looks for compactions they finished, to commit them. Default 1 s.</summary>
    public TimeSpan CommitCompactedInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a compaction worker may send no heartbeat before the coordinator reclaims its compaction for another worker. Default 30 s.</summary>
    public TimeSpan WorkerHeartbeatTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Retries of the compactor's (and a compaction worker's) object-store requests; null retries transient failures without
    /// bound. An embedded compactor retries on a store of its own when this differs from the database's bound, unless a
    /// local disk cache is in front (docs/configuration.md).
    /// </summary>
    public int? ObjectStoreMaxRetries { get; init; }

    /// <inheritdoc/>
    public bool Equals(CompactorOptions? other) =>
        other is not null
        && PollInterval == other.PollInterval
        && ManifestUpdateTimeout == other.ManifestUpdateTimeout
        && MaxSstSize == other.MaxSstSize
        && MaxConcurrentCompactions == other.MaxConcurrentCompactions
        && MaxFetchTasks == other.MaxFetchTasks
        && SameEntries(SchedulerOptions, other.SchedulerOptions)
        && EnableTrivialMove == other.EnableTrivialMove
        && Equals(Worker, other.Worker)
        && MetricLevel == other.MetricLevel
        && CommitCompactedInterval == other.CommitCompactedInterval
        && WorkerHeartbeatTimeout == other.WorkerHeartbeatTimeout
        && ObjectStoreMaxRetries == other.ObjectStoreMaxRetries;

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(PollInterval);
        hash.Add(ManifestUpdateTimeout);
        hash.Add(MaxSstSize);
        hash.Add(MaxConcurrentCompactions);
        hash.Add(MaxFetchTasks);
        hash.Add(SchedulerOptions.Count);
        hash.Add(EnableTrivialMove);
        hash.Add(Worker);
        hash.Add(MetricLevel);
        hash.Add(CommitCompactedInterval);
        hash.Add(WorkerHeartbeatTimeout);
        hash.Add(ObjectStoreMaxRetries);
        return hash.ToHashCode();
    }

    private static bool SameEntries(IReadOnlyDictionary<string, string> a, IReadOnlyDictionary<string, string> b) =>
        ReferenceEquals(a, b) || (a.Count == b.Count && a.All(pair => b.TryGetValue(pair.Key, out var value) && value == pair.Value));
}
