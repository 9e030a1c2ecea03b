using SlateDB.Common;
using SlateDB.Manifest;

namespace SlateDB.Compaction;

/// <summary>
/// One compaction ready to execute (SlateDB's <c>StartCompactionJobArgs</c>): its inputs resolved against the manifest
/// it was planned on, the destination run id, and the retention rules taken from that manifest.
/// </summary>
/// <param name="Id">The compaction's id, as recorded in <c>.compactions</c>.</param>
/// <param name="Plan">Inputs and destination.</param>
/// <param name="L0Views">The L0 inputs, newest first.</param>
/// <param name="SortedRuns">The sorted-run inputs, highest id first.</param>
/// <param name="Retention">What to keep of each key.</param>
internal sealed record CompactionJob(
    Ulid Id,
    CompactionPlan Plan,
    IReadOnlyList<SsTableView> L0Views,
    IReadOnlyList<SortedRun> SortedRuns,
    RetentionPolicy Retention)
{
    public uint Destination => Plan.Destination;

    /// <summary>The inputs' estimated encoded size.</summary>
    public long InputBytes =>
        (long)(L0Views.Aggregate(0UL, (sum, view) => sum + view.Sst.EstimatedSize) + SortedRuns.Aggregate(0UL, (sum, run) => sum + run.EstimatedSize));
}

/// <summary>What executing a <see cref="CompactionJob"/> produced: the new run (possibly with no SSTs) and figures.</summary>
/// <remarks>Rows read and written count this attempt only; a resumed compaction read and wrote the rest before.</remarks>
internal sealed record CompactionOutput(SortedRun Run, long InputBytes, long OutputBytes, long RowsRead, long RowsWritten, TimeSpan Duration)
{
    /// <summary>The key ranges the compaction was split into (1: not split; 0: not executed, a trivial move).</summary>
    public int Subcompactions { get; init; }

    /// <summary>The ranges that continued after SSTs an earlier attempt had written.</summary>
    public int ResumedSubcompactions { get; init; }
}
