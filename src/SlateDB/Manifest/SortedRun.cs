using SlateDB.Common;

namespace SlateDB.Manifest;

/// <summary>A sorted run: SST views with non-overlapping key ranges, in key order.</summary>
internal sealed record SortedRun(uint Id, IReadOnlyList<SsTableView> Views)
{
    /// <summary>The sum of the SSTs' estimated sizes.</summary>
    public ulong EstimatedSize => Views.Aggregate(0UL, (sum, view) => sum + view.Sst.EstimatedSize);

    /// <inheritdoc/>
    public bool Equals(SortedRun? other)
        => other is not null && Id == other.Id && ModelEquality.Sequence(Views, other.Views);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Id, ModelEquality.SequenceHash(Views));
}

/// <summary>
/// One LSM tree's state (Rust <c>LsmTreeState</c>): the unsegmented tree of a manifest, or one segment's tree.
/// </summary>
/// <param name="LastCompactedL0SstViewId">The newest L0 view a compaction has absorbed (what manifest version 2 stores).</param>
/// <param name="LastCompactedL0SstId">
/// The SST id of that view (what manifest version 1 stores; after a version 2 decode it is null).
/// </param>
/// <param name="L0">L0 views, newest first.</param>
/// <param name="Compacted">Sorted runs, highest id first.</param>
internal sealed record LsmTreeState(
    Ulid? LastCompactedL0SstViewId,
    Ulid? LastCompactedL0SstId,
    IReadOnlyList<SsTableView> L0,
    IReadOnlyList<SortedRun> Compacted)
{
    /// <summary>A tree with nothing in it.</summary>
    public static LsmTreeState Empty { get; } = new(null, null, [], []);

    /// <summary>True when the tree has no L0 view and no sorted run.</summary>
    public bool IsEmpty => L0.Count == 0 && Compacted.Count == 0;

    /// <summary>Every view of the tree: L0 first, then the sorted runs in order.</summary>
    public IEnumerable<SsTableView> AllViews => L0.Concat(Compacted.SelectMany(run => run.Views));

    /// <inheritdoc/>
    public bool Equals(LsmTreeState? other)
        => other is not null
            && LastCompactedL0SstViewId == other.LastCompactedL0SstViewId
            && LastCompactedL0SstId == other.LastCompactedL0SstId
            && ModelEquality.Sequence(L0, other.L0)
            && ModelEquality.Sequence(Compacted, other.Compacted);

    /// <inheritdoc/>
    public override int GetHashCode()
        => HashCode.Combine(LastCompactedL0SstViewId, LastCompactedL0SstId, ModelEquality.SequenceHash(L0), ModelEquality.SequenceHash(Compacted));
}

/// <summary>
/// A named segment (RFC-0024): the keys starting with <see cref="Prefix"/>, compacted as their own LSM tree.
/// </summary>
internal sealed record Segment(ReadOnlyMemory<byte> Prefix, LsmTreeState Tree)
{
    /// <inheritdoc/>
    public bool Equals(Segment? other)
        => other is not null && ModelEquality.Bytes(Prefix, other.Prefix) && Tree.Equals(other.Tree);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(ModelEquality.BytesHash(Prefix), Tree);
}
