using SlateDB.Common;
using SlateDB.Format;
using SlateDB.Manifest;
using SlateDB.Memtable;
using SlateDB.Retention;
using SlateDB.Sst;

namespace SlateDB.Flush;

/// <summary>What an L0 flush writes: one frozen memtable as one L0 SST, with the shared version-retention rules.</summary>
internal static class L0SstWriter
{
    /// <summary>
    /// Writes a frozen memtable as the L0 SST <paramref name="id"/>. Per key it keeps the newest version and, for each
    /// live snapshot in <paramref name="snapshotSeqs"/> (ascending), the version that snapshot sees; other versions are
    /// shadowed for every reader. Rows expired by the memtable's last write time are written as SlateDB writes them
    /// (<see cref="VersionRetention.ApplyExpiry"/>).
    /// </summary>
    public static async Task<SsTableHandle> WriteAsync(TableStore tables, Ulid id, KvTable table, ulong[] snapshotSeqs, CancellationToken cancellationToken)
    {
        var builder = new SstBuilder(tables.Settings, SstKind.Compacted, table.EstimatedSize);
        var iterator = table.Iterate();
        var expiryCutoff = table.LastTick;
        ReadOnlyMemory<byte> previousKey = default;
        ulong newerSeq = 0;
        var first = true;
        while (iterator.TryNext(out var row))
        {
            var sameKey = !first && row.Key.Span.SequenceEqual(previousKey.Span);
            if ((!sameKey || VersionRetention.SnapshotSeesVersion(snapshotSeqs, row.Seq, newerSeq))
                && VersionRetention.ApplyExpiry(row, expiryCutoff) is { } kept)
            {
                builder.Add(kept);
            }

            previousKey = row.Key;
            newerSeq = row.Seq;
            first = false;
        }

        return await tables.WriteCompactedAsync(id, builder, cancellationToken).ConfigureAwait(false);
    }
}
