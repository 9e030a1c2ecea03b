namespace SlateDB.Compaction;

/// <summary>What a compaction filter is told about its job (SlateDB's <c>CompactionJobContext</c>).</summary>
public sealed record CompactionJobContext
{
    /// <summary>The id of the sorted run the compaction writes.</summary>
    public required uint Destination { get; init; }

    /// <summary>
    /// True when the destination is the oldest sorted run of the tree (nothing older lies beneath it), so a dropped row
    /// cannot bring back an older version of its key.
    /// </summary>
    public required bool IsDestinationLastRun { get; init; }

    /// <summary>The compaction's "now" for expiry, in the database clock's milliseconds (the manifest's last L0 clock tick).</summary>
    public required long CompactionClockTick { get; init; }

    /// <summary>
    /// The lowest sequence a live snapshot may read at, as the writer last recorded it (when it had no snapshot, the
    /// last sequence it flushed). A row at or below it may be what a snapshot reads.
    /// </summary>
    public required ulong RetentionMinSequence { get; init; }

    /// <summary>The key range this filter sees: every key, or one range of a compaction split into subcompactions.</summary>
    public required KeyRange Range { get; init; }

    /// <summary>The compactor's clock (the time provider it was built with).</summary>
    public required TimeProvider Time { get; init; }
}
