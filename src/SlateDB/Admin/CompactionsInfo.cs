using SlateDB.Compaction;
using SlateDB.Manifest;

namespace SlateDB;

/// <summary>Where a compaction is in its life (the <c>.compactions</c> wire codes, SlateDB v0.15's <c>CompactionStatus</c>).</summary>
public enum CompactionJobStatus
{
    /// <summary>Submitted (by the scheduler or an operator), not yet validated or started by the coordinator.</summary>
    Submitted = 0,

    /// <summary>Running: in the compactor's process, or on the worker named by <see cref="CompactionInfo.WorkerId"/>.</summary>
    Running = 1,

    /// <summary>Committed to the manifest (final).</summary>
    Completed = 2,

    /// <summary>Failed or rejected (final).</summary>
    Failed = 3,

    /// <summary>A worker wrote the output; the coordinator has not committed it to the manifest yet (version 2 only).</summary>
    Compacted = 4,

    /// <summary>Validated by the coordinator and waiting for a worker to claim it (version 2 only).</summary>
    Scheduled = 5,
}

/// <summary>What kind of work a compaction does.</summary>
public enum CompactionKind
{
    /// <summary>Merge the sources into one sorted run (the only kind this engine runs).</summary>
    Tiered = 0,

    /// <summary>Retire a named segment's L0 views and runs without merging (SlateDB RFC-0024; read, never run here).</summary>
    DrainSegment = 1,
}

/// <summary>
/// A read-only copy of one compaction recorded in <c>.compactions</c> (SlateDB's <c>Compaction</c>): its id, status,
/// spec (sources and destination), output SSTs and, when a compaction worker claimed it, the worker and its last
/// heartbeat.
/// </summary>
public sealed record CompactionInfo
{
    /// <summary>The compaction's id, a 26-character ULID.</summary>
    public required string Id { get; init; }

    /// <summary>When it was submitted: the time in its id (millisecond precision).</summary>
    public required DateTimeOffset SubmittedAt { get; init; }

    /// <summary>Where it is in its life.</summary>
    public required CompactionJobStatus Status { get; init; }

    /// <summary>The kind of spec.</summary>
    public required CompactionKind Kind { get; init; }

    /// <summary>The segment prefix the spec targets; empty for the unsegmented tree.</summary>
    public required ReadOnlyMemory<byte> Segment { get; init; }

    /// <summary>The inputs: L0 views newest first, then sorted runs from the highest id down.</summary>
    public required IReadOnlyList<CompactionInput> Sources { get; init; }

    /// <summary>
    /// The sorted run the output becomes. Null for a drain, and for an L0-only compaction read from a version-1 file
    /// (which stores no destination; the coordinator picks a new run id when it starts it).
    /// </summary>
    public required uint? Destination { get; init; }

    /// <summary>The SSTs written (ULIDs), once <see cref="CompactionJobStatus.Compacted"/> or <see cref="CompactionJobStatus.Completed"/>.</summary>
    public required IReadOnlyList<string> OutputSstIds { get; init; }

    /// <summary>The estimated size of <see cref="OutputSstIds"/> in bytes.</summary>
    public required ulong OutputBytes { get; init; }

    /// <summary>The worker that claimed it (SlateDB RFC-0025), or null when unclaimed or run in the compactor's process.</summary>
    public required string? WorkerId { get; init; }

    /// <summary>The claiming worker's last heartbeat, or null.</summary>
    public required DateTimeOffset? LastHeartbeat { get; init; }

    /// <summary>The retention sequence number recorded for a resume, or null when no resume context is recorded.</summary>
    public required ulong? RetentionMinSeq { get; init; }

    /// <summary>Key ranges (subcompactions, SlateDB RFC-0028) recorded for a resume; 0 when none are.</summary>
    public required int Subcompactions { get; init; }

    /// <summary>The spec as the plan type <see cref="Compactor.SubmitAsync"/> takes; null when <see cref="Destination"/> is unknown or for a drain.</summary>
    public CompactionPlan? Plan => Kind == CompactionKind.Tiered && Destination is { } destination ? new CompactionPlan(Sources, destination) : null;

    internal static CompactionInfo From(CompactionRecord record, ushort format)
    {
        var sources = record.Spec.Sources
            .Select(source => source.IsSortedRun ? CompactionInput.SortedRun(source.SortedRunId) : CompactionInput.L0View(source.ViewId.ToString()))
            .ToArray();
        uint? destination = record.Spec switch
        {
            TieredCompactionSpec tiered when format >= 2 || sources.Any(source => source.IsSortedRun) => tiered.Destination,
            _ => null,
        };
        return new CompactionInfo
        {
            Id = record.Id.ToString(),
            SubmittedAt = DateTimeOffset.FromUnixTimeMilliseconds((long)record.Id.TimestampMs),
            Status = (CompactionJobStatus)(byte)record.Status,
            Kind = record.Spec is DrainSegmentSpec ? CompactionKind.DrainSegment : CompactionKind.Tiered,
            Segment = record.Spec.Segment.ToArray(),
            Sources = sources,
            Destination = destination,
            OutputSstIds = [.. record.OutputSsts.Select(sst => sst.Id.IsWal ? sst.Id.ToString() : sst.Id.CompactedId.ToString())],
            OutputBytes = record.OutputSsts.Aggregate(0UL, (sum, sst) => sum + sst.EstimatedSize),
            WorkerId = record.Worker?.WorkerId,
            LastHeartbeat = record.Worker is { } worker ? DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Min(worker.LastHeartbeatMs, (ulong)DateTimeOffset.MaxValue.ToUnixTimeMilliseconds())) : null,
            RetentionMinSeq = record.Context?.RetentionMinSeq,
            Subcompactions = record.Context?.Subcompactions.Count ?? 0,
        };
    }
}

/// <summary>
/// A read-only copy of one version of the compactor's state file (<c>compactions/&lt;id&gt;.compactions</c>, SlateDB's
/// <c>VersionedCompactions</c>).
/// </summary>
public sealed record CompactionsInfo
{
    /// <summary>The version's id (its file name).</summary>
    public required ulong Id { get; init; }

    /// <summary>
    /// The file's format version: 1 (what SlateDB 0.12.1 reads; written unless compaction workers are in use) or 2
    /// (SlateDB 0.15; destinations stored).
    /// </summary>
    public required ushort FormatVersion { get; init; }

    /// <summary>The compactor epoch that owns the file.</summary>
    public required ulong CompactorEpoch { get; init; }

    /// <summary>The compactions recorded: those in flight and the newest finished ones, by id.</summary>
    public required IReadOnlyList<CompactionInfo> Compactions { get; init; }

    internal static CompactionsInfo From(ulong id, CompactionsState state, ushort format) => new()
    {
        Id = id,
        FormatVersion = format,
        CompactorEpoch = state.CompactorEpoch,
        Compactions = [.. state.Compactions.Select(record => CompactionInfo.From(record, format))],
    };
}
