using SlateDB.Common;

namespace SlateDB.Manifest;

/// <summary>Lifecycle of a compaction (values are the <c>.compactions</c> wire codes).</summary>
internal enum CompactionStatus : byte
{
    /// <summary>Submitted, not yet validated by the coordinator.</summary>
    Submitted = 0,

    /// <summary>Running on a worker.</summary>
    Running = 1,

    /// <summary>Finished and committed to the manifest (terminal).</summary>
    Completed = 2,

    /// <summary>Failed (terminal).</summary>
    Failed = 3,

    /// <summary>The worker wrote its output; the coordinator has not committed it yet.</summary>
    Compacted = 4,

    /// <summary>Validated by the coordinator and ready for a worker to claim.</summary>
    Scheduled = 5,
}

/// <summary>The worker that claimed a compaction and its last heartbeat (wall-clock milliseconds).</summary>
internal sealed record WorkerSpec(string WorkerId, ulong LastHeartbeatMs);

/// <summary>A compaction over one key range of its parent (RFC-0028) and the SSTs it produced so far.</summary>
internal sealed record Subcompaction(BytesRange Range, IReadOnlyList<SsTableHandle> OutputSsts)
{
    /// <inheritdoc/>
    public bool Equals(Subcompaction? other)
        => other is not null && Range.Equals(other.Range) && ModelEquality.Sequence(OutputSsts, other.OutputSsts);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Range, ModelEquality.SequenceHash(OutputSsts));
}

/// <summary>What a worker needs to resume a tiered compaction: its subcompactions and the retention sequence number.</summary>
internal sealed record CompactionContext(IReadOnlyList<Subcompaction> Subcompactions, ulong RetentionMinSeq)
{
    /// <inheritdoc/>
    public bool Equals(CompactionContext? other)
        => other is not null && RetentionMinSeq == other.RetentionMinSeq && ModelEquality.Sequence(Subcompactions, other.Subcompactions);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(RetentionMinSeq, ModelEquality.SequenceHash(Subcompactions));
}

/// <summary>
/// One compaction as the compactor records it (Rust <c>Compaction</c>): id, spec, status, final output SSTs (set
/// once <see cref="CompactionStatus.Compacted"/>), the claiming worker and the resume context.
/// </summary>
internal sealed record CompactionRecord(
    Ulid Id,
    CompactionSpec Spec,
    CompactionStatus Status,
    IReadOnlyList<SsTableHandle> OutputSsts,
    WorkerSpec? Worker,
    CompactionContext? Context)
{
    /// <inheritdoc/>
    public bool Equals(CompactionRecord? other)
        => other is not null
            && Id == other.Id
            && Spec.Equals(other.Spec)
            && Status == other.Status
            && ModelEquality.Sequence(OutputSsts, other.OutputSsts)
            && Equals(Worker, other.Worker)
            && Equals(Context, other.Context);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Id, Spec, Status, ModelEquality.SequenceHash(OutputSsts), Worker, Context);
}

/// <summary>The compactor's state file (<c>.compactions</c>): its fencing epoch and recent compactions.</summary>
internal sealed record CompactionsState(ulong CompactorEpoch, IReadOnlyList<CompactionRecord> Compactions)
{
    /// <inheritdoc/>
    public bool Equals(CompactionsState? other)
        => other is not null && CompactorEpoch == other.CompactorEpoch && ModelEquality.Sequence(Compactions, other.Compactions);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(CompactorEpoch, ModelEquality.SequenceHash(Compactions));
}
