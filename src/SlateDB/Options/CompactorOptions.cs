namespace SlateDB;

/// <summary>Settings of the compactor (SlateDB's <c>CompactorOptions</c>); defaults as SlateDB's.</summary>
public sealed record CompactorOptions
{
    /// <summary>How often the compactor reads the manifest and schedules compactions. Default 5 s.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long manifest updates are retried before giving up. Default 300 s.</summary>
    public TimeSpan ManifestUpdateTimeout { get; init; } = TimeSpan.FromSeconds(300);

    /// <summary>The largest SST a compaction writes before starting the next one of the sorted run. Default 256 MiB.</summary>
    public long MaxSstSize { get; init; } = 256L * 1024 * 1024;

    /// <summary>How many compactions may run at once. Default 4.</summary>
    public int MaxConcurrentCompactions { get; init; } = 4;

    /// <summary>How many blocks a compaction fetches in parallel. Default 4.</summary>
    public int MaxFetchTasks { get; init; } = 4;

    /// <summary>
    /// Scheduler options as string pairs (size-tiered: <c>min_compaction_sources</c> 4, <c>max_compaction_sources</c> 8,
    /// <c>include_size_threshold</c> 4.0).
    /// </summary>
    public IReadOnlyDictionary<string, string> SchedulerOptions { get; init; } = new Dictionary<string, string>();
}
