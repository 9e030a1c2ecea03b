namespace SlateDB.Compaction;

/// <summary>
/// Decides what to compact (SlateDB's <c>CompactionScheduler</c>). The compactor calls <see cref="Propose"/> at every
/// poll with the current state of the LSM tree and the compactions already in flight, and runs what it returns (up to
/// <see cref="CompactorOptions.MaxConcurrentCompactions"/> at once). The default policy is size-tiered: L0 SSTs are
/// merged into a new sorted run, and runs of similar size are merged together.
/// </summary>
/// <remarks>
/// Whatever a scheduler proposes, the compactor also checks the structural rules every compaction must keep: the
/// inputs exist, form one contiguous window of the tree (L0 newest to oldest, then sorted runs from the highest id
/// down), include the oldest L0 SST when they include any, do not overlap a running compaction, and the destination is
/// the lowest sorted-run input (or, with L0 inputs only, a new id above every existing run).
/// </remarks>
public interface ICompactionScheduler
{
    /// <summary>Proposes compactions for the current state; an empty list when nothing needs compacting.</summary>
    /// <param name="state">The tree (L0 newest first, sorted runs highest id first) and the active compactions.</param>
    IReadOnlyList<CompactionPlan> Propose(CompactionSchedulerState state);

    /// <summary>
    /// Checks a plan made elsewhere (an operator's request, a compaction resumed after a restart) against the
    /// scheduler's own rules. Returns null when it is acceptable, otherwise the reason it is not. The default accepts
    /// every plan.
    /// </summary>
    string? Validate(CompactionSchedulerState state, CompactionPlan plan) => null;
}

/// <summary>An L0 SST view as a scheduler sees it: its view id (a 26-character ULID) and estimated size.</summary>
/// <param name="ViewId">The view's ULID as text.</param>
/// <param name="SizeBytes">The SST's estimated size in bytes.</param>
public sealed record L0ViewInfo(string ViewId, ulong SizeBytes);

/// <summary>A sorted run as a scheduler sees it.</summary>
/// <param name="Id">The run's id (runs are read from the highest id down).</param>
/// <param name="SizeBytes">The sum of its SSTs' estimated sizes.</param>
/// <param name="SstCount">How many SSTs it holds.</param>
public sealed record SortedRunInfo(uint Id, ulong SizeBytes, int SstCount);

/// <summary>What a scheduler decides from (SlateDB's <c>CompactorStateView</c>).</summary>
/// <param name="L0">L0 SST views, newest first.</param>
/// <param name="SortedRuns">Sorted runs, highest id (newest) first.</param>
/// <param name="ActiveCompactions">Compactions submitted or running now.</param>
public sealed record CompactionSchedulerState(
    IReadOnlyList<L0ViewInfo> L0,
    IReadOnlyList<SortedRunInfo> SortedRuns,
    IReadOnlyList<CompactionPlan> ActiveCompactions);
