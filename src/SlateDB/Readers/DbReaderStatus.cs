namespace SlateDB;

/// <summary>A <see cref="DbReader"/>'s state, read from memory without I/O (see <see cref="DbReader.Status"/>).</summary>
public sealed record DbReaderStatus
{
    /// <summary>The reader's mode.</summary>
    public required DbReaderMode Mode { get; init; }

    /// <summary>True once the reader is disposed.</summary>
    public required bool Closed { get; init; }

    /// <summary>The manifest version the reader reads.</summary>
    public required ulong ManifestId { get; init; }

    /// <summary>The checkpoint it reads through (its own in managed mode, the given one in checkpoint mode); null when following the newest manifest.</summary>
    public Guid? CheckpointId { get; init; }

    /// <summary>The highest sequence number reads can see: every durable write up to it is visible.</summary>
    public required long DurableSequence { get; init; }

    /// <summary>The last WAL id replayed (the manifest's replay point when none was).</summary>
    public required ulong LastReplayedWalId { get; init; }

    /// <summary>L0 SSTs in the view.</summary>
    public required int L0SstCount { get; init; }

    /// <summary>Sorted runs in the view.</summary>
    public required int SortedRunCount { get; init; }

    /// <summary>Estimated bytes of replayed WAL rows held in memory.</summary>
    public required long ReplayedBytes { get; init; }

    /// <summary>When the view last changed or was confirmed current (the reader's clock).</summary>
    public required DateTimeOffset LastRefresh { get; init; }

    /// <summary>The last refresh's failure, if the last refresh failed (reads go on from the previous view); null otherwise.</summary>
    public string? LastRefreshError { get; init; }
}
