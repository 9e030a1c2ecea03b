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
    /// SlateDB writes them (<see cref="VersionRetention.ApplyExpiry"/>).
    /// </summary>
    /// <exception cref="SlateDbException">Invalid: the merge operator failed (nothing is recorded; the flush is tried again).</exception>
    public static async Task<SsTableHandle> WriteAsync(TableStore tables, Ulid id, KvTable table, ulong[] snapshotSeqs, MergeFolder? merge, CancellationToken cancellationToken)
    {
        // Streamed to the store as it is built where the store can take it (no whole-SST buffer; the same bytes);
        // nothing is visible until the write below publishes it, and a failed or cancelled build abandons the put
        // (no object, no temporary file). The flush then fails as any failed upload does and is tried again.
        var builder = tables.NewFlushBuilder(id, table.EstimatedSize);
        try
        {
            AddRows(builder, table, snapshotSeqs, merge, cancellationToken);
        }
        catch
        {
            TableStore.Abandon(builder);
            throw;
        }

        return await tables.WriteCompactedAsync(id, builder, SstWriteSource.Flush, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Adds the rows the L0 SST keeps (see <see cref="WriteAsync(TableStore, Ulid, KvTable, ulong[], MergeFolder?, CancellationToken)"/>).</summary>
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
