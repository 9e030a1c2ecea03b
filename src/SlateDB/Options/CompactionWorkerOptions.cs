namespace SlateDB;

/// <summary>
/// Settings of the compaction worker (SlateDB v0.15's <c>CompactionWorkerOptions</c>, the <c>worker</c> key of
/// <c>compactor_options</c>); defaults as SlateDB's. The worker's <c>max_sst_size</c> and <c>max_fetch_tasks</c> are
/// <see cref="CompactorOptions.MaxSstSize"/> and <see cref="CompactorOptions.MaxFetchTasks"/>, which the in-process
/// compactor uses. A <see cref="Compaction.CompactionWorker"/> acts upon <see cref="MaxConcurrentCompactions"/>,
/// <see cref="CompactionsPollInterval"/> and <see cref="HeartbeatInterval"/> (docs/compaction-workers.md); the
/// compactor's embedded execution does not, and the other values are kept (and written back by
/// <see cref="SlateDbOptions.ToJson"/>) but not acted upon yet: see docs/configuration.md.
/// </summary>
public sealed record CompactionWorkerOptions
{
    /// <summary>How many compactions the worker runs at once. Default 4.</summary>
    public int MaxConcurrentCompactions { get; init; } = 4;

    /// <summary>How often the worker looks for compactions to claim. Default 5 s.</summary>
    public TimeSpan CompactionsPollInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How often the worker reports that it is alive. Default 10 s.</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Bytes read per fetch. Default 2 MiB.</summary>
    public long BytesToFetch { get; init; } = 2L * 1024 * 1024;

    /// <summary>
    /// How many key ranges (subcompactions, RFC-0028) a compaction is split into at most, merged in parallel; 1 or
    /// less: no split. Acted upon by the in-process compactor (embedded or standalone). Default 4.
    /// </summary>
    public int MaxSubcompactions { get; init; } = 4;

    /// <summary>Output SSTs with fewer rows than this get no filter. Default 1000.</summary>
    public int MinFilterKeys { get; init; } = 1000;

    /// <summary>The codec of the worker's output SSTs. Default none.</summary>
    public CompressionCodec CompressionCodec { get; init; } = CompressionCodec.None;

    /// <summary>The worker's metric level; null inherits the database's.</summary>
    public MetricLevel? MetricLevel { get; init; }
}
