using SlateDB.Common;

namespace SlateDB.Manifest;

/// <summary>
/// One version of a database's manifest (Rust <c>Manifest</c>): the fencing epochs, the other databases it reads
/// SSTs from, and the database state. The version number is the file name, not part of the value.
/// </summary>
internal sealed record DbManifest(IReadOnlyList<ExternalDb> ExternalDbs, ManifestCore Core, ulong WriterEpoch, ulong CompactorEpoch)
{
    /// <summary>The first manifest of a new database (no external databases, epochs 0).</summary>
    public static DbManifest Initial(ManifestCore core) => new([], core, 0, 0);

    /// <inheritdoc/>
    public bool Equals(DbManifest? other)
        => other is not null
            && WriterEpoch == other.WriterEpoch
            && CompactorEpoch == other.CompactorEpoch
            && Core.Equals(other.Core)
            && ModelEquality.Sequence(ExternalDbs, other.ExternalDbs);

    /// <inheritdoc/>
    public override int GetHashCode()
        => HashCode.Combine(WriterEpoch, CompactorEpoch, Core, ModelEquality.SequenceHash(ExternalDbs));
}

/// <summary>
/// The database state a manifest carries (Rust <c>ManifestCore</c>). Defaults are those of a new database.
/// </summary>
internal sealed record ManifestCore
{
    /// <summary>False only while a clone is being initialized.</summary>
    public bool Initialized { get; init; } = true;

    /// <summary>The unsegmented LSM tree.</summary>
    public LsmTreeState Tree { get; init; } = LsmTreeState.Empty;

    /// <summary>Named segments (RFC-0024), sorted by prefix; empty unless a segment extractor is configured.</summary>
    public IReadOnlyList<Segment> Segments { get; init; } = [];

    /// <summary>The configured segment extractor's name, if any.</summary>
    public string? SegmentExtractorName { get; init; }

    /// <summary>The id the next WAL SST gets (the file stores this minus one as <c>wal_id_last_seen</c>).</summary>
    public ulong NextWalSstId { get; init; } = 1;

    /// <summary>WAL SSTs up to this id are fully reflected in L0 and below; replay starts after it.</summary>
    public ulong ReplayAfterWalId { get; init; }

    /// <summary>The largest clock tick in L0 and below.</summary>
    public long LastL0ClockTick { get; init; } = long.MinValue;

    /// <summary>The largest sequence number in L0 and below.</summary>
    public ulong LastL0Seq { get; init; }

    /// <summary>The smallest sequence number live snapshots on the writer still need.</summary>
    public ulong RecentSnapshotMinSeq { get; init; }

    /// <summary>Sequence number to time mapping (RFC-0012).</summary>
    public SequenceTracker SequenceTracker { get; init; } = SequenceTracker.Empty;

    /// <summary>Open checkpoints.</summary>
    public IReadOnlyList<Checkpoint> Checkpoints { get; init; } = [];

    /// <summary>The URI of a separate WAL object store, if one is configured (manifest version 1 only).</summary>
    public string? WalObjectStoreUri { get; init; }

    /// <summary>True when the state needs manifest version 2: segments or a segment extractor.</summary>
    public bool RequiresVersion2 => SegmentExtractorName is not null || Segments.Count > 0;

    /// <summary>The unsegmented tree followed by each segment's tree.</summary>
    public IEnumerable<LsmTreeState> Trees => Segments.Select(segment => segment.Tree).Prepend(Tree);

    /// <inheritdoc/>
    public bool Equals(ManifestCore? other)
        => other is not null
            && Initialized == other.Initialized
            && Tree.Equals(other.Tree)
            && ModelEquality.Sequence(Segments, other.Segments)
            && string.Equals(SegmentExtractorName, other.SegmentExtractorName, StringComparison.Ordinal)
            && NextWalSstId == other.NextWalSstId
            && ReplayAfterWalId == other.ReplayAfterWalId
            && LastL0ClockTick == other.LastL0ClockTick
            && LastL0Seq == other.LastL0Seq
            && RecentSnapshotMinSeq == other.RecentSnapshotMinSeq
            && SequenceTracker.Equals(other.SequenceTracker)
            && ModelEquality.Sequence(Checkpoints, other.Checkpoints)
            && string.Equals(WalObjectStoreUri, other.WalObjectStoreUri, StringComparison.Ordinal);

    /// <inheritdoc/>
    public override int GetHashCode()
        => HashCode.Combine(Initialized, Tree, ModelEquality.SequenceHash(Segments), NextWalSstId, ReplayAfterWalId, LastL0ClockTick, LastL0Seq, ModelEquality.SequenceHash(Checkpoints));
}
