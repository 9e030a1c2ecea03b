namespace SlateDB.Compaction;

/// <summary>
/// Decides, row by row, what a compaction writes (SlateDB's <c>CompactionFilter</c>, RFC-0017): keep a row, drop it,
/// or replace what it holds. One instance is created per compaction job (per key range when a compaction is split into
/// subcompactions) by an <see cref="ICompactionFilterSupplier"/> and called from one thread at a time, so it may keep
/// state without locking.
/// </summary>
/// <remarks>
/// <para>The filter sees rows after the built-in rules ran: merge operands folded where no snapshot can tell them
/// apart, expired rows turned into tombstones, versions no snapshot can read removed, and (into the oldest sorted run)
/// tombstones at the old end of a key's history removed. Rows come in key order, versions of one key newest first.</para>
/// <para>Only the rows that a read at the latest sequence is made of are offered: a key's newest version, and when it
/// is a merge operand, the operands under it down to the first value or tombstone. Older versions, which a compaction
/// keeps only because a live snapshot may still read them, are written as they are. The newest version may itself be
/// what a snapshot reads (when its sequence is at or below the snapshot's); changing it changes that snapshot's reads,
/// as in SlateDB, which does not keep snapshots consistent under a filter. A filter that must not do so leaves rows
/// whose <see cref="CompactionFilterEntry.Sequence"/> is at or below <see cref="CompactionJobContext.RetentionMinSequence"/>
/// alone while the application holds snapshots or transactions.</para>
/// <para>A filter that throws fails the compaction (nothing it wrote is used; the inputs stay as they are).</para>
/// </remarks>
public interface ICompactionFilter
{
    /// <summary>Decides what to write for one row.</summary>
    /// <param name="entry">The row; its key and value are only valid during the call (copy them to keep them).</param>
    /// <param name="cancellationToken">Cancelled when the compactor stops.</param>
    ValueTask<CompactionFilterDecision> FilterAsync(CompactionFilterEntry entry, CancellationToken cancellationToken);

    /// <summary>
    /// Called once after the last row of the job (or of its key range) was offered, before the output is committed;
    /// not called when the compaction failed earlier. Throwing fails the compaction.
    /// </summary>
    ValueTask OnCompactionEndAsync(CancellationToken cancellationToken);
}

/// <summary>Creates one <see cref="ICompactionFilter"/> per compaction job (SlateDB's <c>CompactionFilterSupplier</c>); shared by all jobs, so thread-safe.</summary>
public interface ICompactionFilterSupplier
{
    /// <summary>
    /// Creates the filter of one job, or of one key range of it. Called again when an interrupted compaction resumes:
    /// the new filter then sees only the rows not yet written. Throwing fails the compaction.
    /// </summary>
    ValueTask<ICompactionFilter> CreateFilterAsync(CompactionJobContext context, CancellationToken cancellationToken);
}
