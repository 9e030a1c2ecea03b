using SlateDB.Common;

namespace SlateDB.Manifest;

/// <summary>An input of a compaction: a sorted run by id, or an L0 SST view by view id (Rust <c>SourceId</c>).</summary>
internal readonly record struct CompactionSource
{
    private CompactionSource(bool isSortedRun, uint sortedRunId, Ulid viewId)
    {
        IsSortedRun = isSortedRun;
        SortedRunId = sortedRunId;
        ViewId = viewId;
    }

    /// <summary>True for a sorted run, false for an L0 view.</summary>
    public bool IsSortedRun { get; }

    /// <summary>The sorted run's id (0 for an L0 view).</summary>
    public uint SortedRunId { get; }

    /// <summary>The L0 view's id (empty for a sorted run).</summary>
    public Ulid ViewId { get; }

    /// <summary>A sorted run input.</summary>
    public static CompactionSource SortedRun(uint id) => new(isSortedRun: true, id, default);

    /// <summary>An L0 view input.</summary>
    public static CompactionSource SstView(Ulid viewId) => new(isSortedRun: false, 0, viewId);

    /// <inheritdoc/>
    public override string ToString() => IsSortedRun ? $"SortedRun({SortedRunId})" : $"SstView({ViewId})";
}

/// <summary>
/// What a compaction does (Rust <c>CompactionSpec</c>). Every spec names one segment by prefix; the empty prefix is
/// the unsegmented tree. Stored sources list L0 views first, then sorted runs.
/// </summary>
internal abstract record CompactionSpec(ReadOnlyMemory<byte> Segment, IReadOnlyList<CompactionSource> Sources)
{
    /// <inheritdoc/>
    public virtual bool Equals(CompactionSpec? other)
        => other is not null
            && EqualityContract == other.EqualityContract
            && ModelEquality.Bytes(Segment, other.Segment)
            && ModelEquality.Sequence(Sources, other.Sources);

    /// <inheritdoc/>
    public override int GetHashCode()
        => HashCode.Combine(EqualityContract, ModelEquality.BytesHash(Segment), ModelEquality.SequenceHash(Sources));
}

/// <summary>Merge the sources into one new sorted run with id <see cref="Destination"/>.</summary>
internal sealed record TieredCompactionSpec(ReadOnlyMemory<byte> Segment, IReadOnlyList<CompactionSource> Sources, uint Destination)
    : CompactionSpec(Segment, Sources);

/// <summary>Retire a named segment: no merge; its listed L0 views and sorted runs are dropped on commit (RFC-0024).</summary>
internal sealed record DrainSegmentSpec(ReadOnlyMemory<byte> Segment, IReadOnlyList<CompactionSource> Sources)
    : CompactionSpec(Segment, Sources);
