using Microsoft.Extensions.Logging;
using SlateDB.Common;
using SlateDB.Format;
using SlateDB.Manifest;
using SlateDB.Memtable;
using SlateDB.Merge;
using SlateDB.Retention;
using SlateDB.Sst;

namespace SlateDB.Flush;

/// <summary>What an L0 flush writes: one frozen memtable as one L0 SST, with the shared version-retention rules.</summary>
internal static class L0SstWriter
{
    /// <summary>Writes a frozen memtable that holds no merge operands (or keeps them unfolded, without an operator).</summary>
    public static Task<SsTableHandle> WriteAsync(TableStore tables, Ulid id, KvTable table, ulong[] snapshotSeqs, CancellationToken cancellationToken) =>
        WriteAsync(tables, id, table, snapshotSeqs, merge: null, cancellationToken);

    /// <summary>
    /// Writes a frozen memtable as the L0 SST <paramref name="id"/>. Per key it first folds merge operands no live
    /// snapshot in <paramref name="snapshotSeqs"/> (ascending) can tell apart (<see cref="MergeFolder.FoldRuns"/>), then
    /// keeps the newest version, the version each snapshot sees, and whatever an operand kept above needs beneath it;
    /// other versions are shadowed for every reader. Rows expired by the memtable's last write time are written as
    /// SlateDB writes them (<see cref="VersionRetention.ApplyExpiry"/>). A failed streamed write that falls back to a
    /// whole put is reported to <c>logger</c> as a warning.
    /// </summary>
    /// <exception cref="SlateDbException">Invalid: the merge operator failed (nothing is recorded; the flush is tried again).</exception>
    public static async Task<SsTableHandle> WriteAsync(TableStore tables, Ulid id, KvTable table, ulong[] snapshotSeqs, MergeFolder? merge, CancellationToken cancellationToken, ILogger? logger = null)
    {
        // Streamed to the store as it is built where the store can take it (no whole-SST buffer; the same bytes).
        // Nothing is visible until the write publishes it; a failed or cancelled build or commit abandons the put (no
        // object, no temporary file).
        var builder = tables.NewFlushBuilder(id, table);
        try
        {
            AddRows(builder, table, snapshotSeqs, merge, cancellationToken);
            return await tables.WriteCompactedAsync(id, builder, SstWriteSource.Flush, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (builder.Sink is not null && IsStoreFailure(e))
        {
            // Streaming puts are not retried (the pieces are gone once written). The SST was not published: write it
            // again whole, through the store's ordinary put and its retries, as a flush to a store that cannot stream
            // does; a failure there fails the flush as before.
            TableStore.Abandon(builder);
            if (logger is not null)
            {
                Log.L0StreamFellBack(logger, e, id.ToString());
            }

            var whole = new SstBuilder(tables.Settings, SstKind.Compacted, table.EstimatedSize) { RetainedTable = builder.RetainedTable };
            AddRows(whole, table, snapshotSeqs, merge, cancellationToken);
            return await tables.WriteCompactedAsync(id, whole, SstWriteSource.Flush, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // Ends a streamed put that was not committed (a merge operator failure, a cancellation); no-op otherwise.
            TableStore.Abandon(builder);
        }
    }

    /// <summary>
    /// A failure of the streamed write itself (the store), not of the rows (the merge operator), of a cancellation or
    /// of an id minted twice, which the ordinary put would meet again.
    /// </summary>
    private static bool IsStoreFailure(Exception e) =>
        e is not OperationCanceledException
        && !MergeFolder.IsOperatorFailure(e)
        && e is not SlateDbException { Kind: SlateDbErrorKind.Internal };

    /// <summary>Adds the rows the L0 SST keeps (see <see cref="WriteAsync(TableStore, Ulid, KvTable, ulong[], MergeFolder?, CancellationToken, ILogger?)"/>).</summary>
    private static void AddRows(SstBuilder builder, KvTable table, ulong[] snapshotSeqs, MergeFolder? merge, CancellationToken cancellationToken)
    {
        var iterator = table.Iterate();
        var expiryCutoff = table.LastTick;
        var barrier = FoldBarrier.Snapshots(snapshotSeqs);
        var group = new List<RowEntry>();
        var folded = new List<RowEntry>();
        var hasMerge = false;
        var rows = 0;
        while (iterator.TryNext(out var row))
        {
            if ((++rows & 0xFFF) == 0)
            {
                // A cancelled flush stops writing its SST out.
                cancellationToken.ThrowIfCancellationRequested();
            }

            if (group.Count > 0 && !row.Key.Span.SequenceEqual(group[0].Key.Span))
            {
                WriteKey();
            }

            hasMerge |= row.Kind == RowKind.Merge;
            group.Add(row);
        }

        if (group.Count > 0)
        {
            WriteKey();
        }

        void WriteKey()
        {
            IReadOnlyList<RowEntry> versions = group;
            if (hasMerge)
            {
                folded.Clear();
                MergeFolder.FoldRuns(merge, group, barrier, folded);
                versions = folded;
            }

            ulong newerSeq = 0;
            var neededBelow = false;
            for (var i = 0; i < versions.Count; i++)
            {
                var version = versions[i];
                var keep = i == 0 || neededBelow || VersionRetention.SnapshotSeesVersion(snapshotSeqs, version.Seq, newerSeq);
                newerSeq = version.Seq;

                // An operand is read over the versions beneath it, so those stay while it does.
                neededBelow = keep && version.Kind == RowKind.Merge;
                if (keep && VersionRetention.ApplyExpiry(version, expiryCutoff) is { } kept)
                {
                    builder.Add(kept);
                }
            }

            group.Clear();
            hasMerge = false;
        }
    }
}
