namespace SlateDB;

/// <summary>Where an open <see cref="SlateDb"/> instance is in its life.</summary>
public enum DbOpenState
{
    /// <summary>Open: reads and writes are accepted.</summary>
    Open,

    /// <summary>A close has started: new writes are refused while buffered data is written out.</summary>
    Closing,

    /// <summary>Closed by the application.</summary>
    Closed,

    /// <summary>Another writer opened the same database; this instance may never write again.</summary>
    Fenced,

    /// <summary>A fatal background failure stopped the database.</summary>
    Failed,
}

/// <summary>
/// A snapshot of a database's state, read from memory without I/O (see <see cref="SlateDb.Status"/>): cheap enough
/// for health checks and dashboards polled often.
/// </summary>
public sealed record DbStatus
{
    /// <summary>Where the instance is in its life.</summary>
    public required DbOpenState State { get; init; }

    /// <summary>Why the instance closed; <see cref="SlateDB.CloseReason.None"/> while it is open or closing.</summary>
    public required CloseReason CloseReason { get; init; }

    /// <summary>The last sequence number that is durable in object storage.</summary>
    public required long DurableSequence { get; init; }

    /// <summary>The last sequence number committed (visible to reads).</summary>
    public required long CommittedSequence { get; init; }

    /// <summary>The id of the manifest version this writer last read or wrote.</summary>
    public required ulong ManifestId { get; init; }

    /// <summary>The writer epoch this instance claimed when it opened.</summary>
    public required ulong WriterEpoch { get; init; }

    /// <summary>L0 SSTs in the writer's view of the LSM tree (all segments).</summary>
    public required int L0SstCount { get; init; }

    /// <summary>Compacted sorted runs in the writer's view of the LSM tree (all segments).</summary>
    public required int SortedRunCount { get; init; }

    /// <summary>Estimated bytes held in memtables and not yet flushed to L0.</summary>
    public required long UnflushedBytes { get; init; }

    /// <summary>True while at least one write waits because unflushed bytes reached <see cref="SlateDbOptions.MaxUnflushedBytes"/>.</summary>
    public required bool WritersHeldByBackpressure { get; init; }
}
