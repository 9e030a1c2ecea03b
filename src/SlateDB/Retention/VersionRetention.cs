using SlateDB.Format;

namespace SlateDB.Retention;

/// <summary>
/// The version-retention rules, written once for the L0 flush and for compaction: what an expired row becomes, and
/// which of a key's older versions some snapshot still reads.
/// </summary>
internal static class VersionRetention
{
    /// <summary>
    /// As SlateDB 0.12.1 flushes and compacts: a row whose expiry is at or before <paramref name="cutoff"/> (for a flush,
    /// the memtable's last write time; for a compaction, the manifest's last L0 clock tick) becomes a tombstone with the
    /// same sequence and create time and no expiry, so neither it nor an older version underneath is read again
    /// (dropping it could bring back an older version with a longer life from a lower run); an expired merge operand
    /// is dropped (null).
    /// </summary>
    public static RowEntry? ApplyExpiry(in RowEntry row, long cutoff)
    {
        if (row.ExpireTs is not { } expire || expire > cutoff)
        {
            return row;
        }

        return row.Kind == RowKind.Merge ? null : RowEntry.Delete(row.Key, row.Seq, row.CreateTs);
    }

    /// <summary>
    /// True when some snapshot in <paramref name="snapshotSeqs"/> (ascending) reads the version at
    /// <paramref name="versionSeq"/> as the key's newest, the next newer version being at <paramref name="newerSeq"/>:
    /// versionSeq &lt;= s &lt; newerSeq. A version no snapshot reads is shadowed for every reader.
    /// </summary>
    public static bool SnapshotSeesVersion(ulong[] snapshotSeqs, ulong versionSeq, ulong newerSeq)
    {
        var index = Array.BinarySearch(snapshotSeqs, versionSeq);
        if (index < 0)
        {
            index = ~index;
        }

        return index < snapshotSeqs.Length && snapshotSeqs[index] < newerSeq;
    }

    /// <summary>
    /// The same rule when only the lowest sequence a snapshot may read at is known (<paramref name="minSnapshotSeq"/>,
    /// the manifest's <c>recent_snapshot_min_seq</c>), so that any sequence at or above it may be a snapshot: some
    /// snapshot reads a version older than the one at <paramref name="newerSeq"/> exactly when newerSeq is above it.
    /// </summary>
    public static bool SnapshotSeesOlderThan(ulong minSnapshotSeq, ulong newerSeq) => newerSeq > minSnapshotSeq;
}
