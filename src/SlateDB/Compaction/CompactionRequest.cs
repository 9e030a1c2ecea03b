namespace SlateDB.Compaction;

/// <summary>
/// A compaction an operator asks for (SlateDB's <c>CompactionRequest</c>), run with
/// <see cref="Compactor.SubmitAsync"/> or <see cref="SlateDb.CompactFullAsync"/>.
/// </summary>
public sealed class CompactionRequest
{
    private CompactionRequest(bool includeL0, CompactionPlan? plan)
    {
        IncludesL0 = includeL0;
        Plan = plan;
    }

    /// <summary>
    /// Merge every L0 SST and every sorted run into one sorted run. Its destination is the last run of the tree, so
    /// deleted and expired keys are dropped for good (versions live snapshots need are kept). L0 is held for the
    /// whole compaction, so on a busy database writers may wait on L0 room until it commits.
    /// </summary>
    public static CompactionRequest Full { get; } = new(includeL0: true, plan: null);

    /// <summary>
    /// Merge every sorted run (not L0) into the lowest one (what SlateDB's <c>CompactionRequest::Full</c> does): L0
    /// keeps being compacted alongside.
    /// </summary>
    public static CompactionRequest AllSortedRuns { get; } = new(includeL0: false, plan: null);

    /// <summary>Whether a full request takes L0 as well (null <see cref="Plan"/> only).</summary>
    public bool IncludesL0 { get; }

    /// <summary>An explicit plan, or null for a full request planned from the state when it runs.</summary>
    public CompactionPlan? Plan { get; }

    /// <summary>Runs exactly this plan (checked against the tree's rules and the scheduler's before it runs).</summary>
    public static CompactionRequest ForPlan(CompactionPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        return new CompactionRequest(includeL0: plan.HasL0Inputs, plan);
    }
}

/// <summary>What one finished compaction did.</summary>
/// <param name="Id">The compaction's id (a ULID, as recorded in the <c>.compactions</c> file).</param>
/// <param name="Plan">Its inputs and destination.</param>
/// <param name="InputBytes">The encoded size of the input SSTs.</param>
/// <param name="OutputBytes">The encoded size of the SSTs written.</param>
/// <param name="OutputSsts">How many SSTs the new sorted run holds.</param>
/// <param name="RowsRead">Rows (versions) read from the inputs (by this attempt: a resumed compaction read the rest before).</param>
/// <param name="RowsWritten">Rows written to the new sorted run (by this attempt).</param>
/// <param name="Duration">How long the merge took (reading, merging and writing; not the manifest commit).</param>
public sealed record CompactionResult(
    string Id,
    CompactionPlan Plan,
    long InputBytes,
    long OutputBytes,
    int OutputSsts,
    long RowsRead,
    long RowsWritten,
    TimeSpan Duration)
{
    /// <summary>How many key ranges (subcompactions) the compaction was split into: 1 when not split, 0 for a trivial move.</summary>
    public int Subcompactions { get; init; }

    /// <summary>How many of those ranges continued after output SSTs an earlier, interrupted attempt had written.</summary>
    public int ResumedSubcompactions { get; init; }
}
