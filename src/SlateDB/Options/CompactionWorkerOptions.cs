namespace SlateDB;

/// <summary>
/// Settings of the compaction worker (SlateDB v0.15's <c>CompactionWorkerOptions</c>, the <c>worker</c> key of
/// <c>compactor_options</c>); defaults as SlateDB's. The worker's <c>max_sst_size</c> and <c>max_fetch_tasks</c> are
/// <see cref="CompactorOptions.MaxSstSize"/> and <see cref="CompactorOptions.MaxFetchTasks"/>, which the in-process
/// compactor uses. A <see cref="Compaction.CompactionWorker"/> acts upon every value here (docs/compaction-workers.md).
/// A compactor with an embedded worker (this record non-null in <see cref="CompactorOptions.Worker"/>) executes in its
/// own process and acts upon <see cref="MaxConcurrentCompactions"/> (at most this many of its compactions run at once),
/// <see cref="BytesToFetch"/> and <see cref="MaxSubcompactions"/>; as SlateDB's embedded worker, it writes with the
/// database's codec and filter threshold and records at the compactor's metric level, and it neither polls nor
/// heartbeats (it runs what it schedules at once and holds its own jobs): see docs/configuration.md.
/// </summary>
public sealed record CompactionWorkerOptions
{
    /// <summary>How many compactions the worker runs at once. Default 4.</summary>
    public int MaxConcurrentCompactions { get; init; } = 4;

    /// <summary>How often the worker looks for compactions to claim. Default 5 s.</summary>
    public TimeSpan CompactionsPollInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How often the worker reports that it is alive. Default 10 s.</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Bytes of adjacent input blocks fetched by one read while compacting (read-ahead size). Default 2 MiB.</summary>
    public long BytesToFetch { get; init; } = 2L * 1024 * 1024;

    /// <summary>
    /// How many key ranges (subcompactions, RFC-0028) a compaction is split into at most, merged in parallel; 1 or
    /// less: no split. Acted upon by the in-process compactor (embedded or standalone). Default 4.
    /// </summary>
    public int MaxSubcompactions { get; init; } = 4;

    /// <summary>A standalone worker's output SSTs with fewer keys than this get no bloom filter. Default 1000.</summary>
    public int MinFilterKeys { get; init; } = 1000;

    /// <summary>
    /// The codec of a standalone worker's output SSTs. Null (the default; JSON <c>null</c>): the database's codec when
    /// the worker was given the database's settings (<see cref="Compaction.CompactionWorkerBuilder.WithDbOptions"/>),
    /// otherwise the codec of each compaction's newest input SST, so the output matches what the writer writes (SlateDB
    /// requires the two to match; its <c>null</c> means uncompressed). <see cref="SlateDB.CompressionCodec.None"/>
    /// writes uncompressed.
    /// </summary>
    public CompressionCodec? CompressionCodec { get; init; }

    /// <summary>
    /// A standalone worker's metric level (which of its metrics are recorded); null: <see cref="SlateDB.MetricLevel.Info"/>,
    /// or the level of the database settings given to its builder.
    /// </summary>
    public MetricLevel? MetricLevel { get; init; }
}
