using SlateDB.Format;
using SlateDB.Merge;
using SlateDB.Retention;

namespace SlateDB.Compaction;

/// <summary>
/// What a compaction keeps of each key's versions (SlateDB's retention iterator, without the time-based window).
/// </summary>
/// <param name="RetentionMinSeq">
/// The lowest sequence a live snapshot may read at (the manifest's <c>recent_snapshot_min_seq</c>): versions above it
/// are kept, and so is the newest version at or below it.
/// </param>
/// <param name="CompactionClockTick">
/// "Now" for expiry (the manifest's <c>last_l0_clock_tick</c>): a row whose <c>expire_ts</c> is at or before it has
/// expired.
/// </param>
/// <param name="DropTombstones">
/// True when the output is the oldest sorted run of the tree: nothing older can be shadowed, so tombstones at the old
/// end of a key's history go.
/// </param>
internal readonly record struct RetentionPolicy(ulong RetentionMinSeq, long CompactionClockTick, bool DropTombstones);

/// <summary>Applies a <see cref="RetentionPolicy"/> to one key's versions, by the shared rules of <see cref="VersionRetention"/>.</summary>
internal static class RetentionFilter
{
    /// <summary>
    /// Appends to <paramref name="kept"/> the versions of one key to write, newest first. <paramref name="versions"/>
    /// holds all versions of the key read by the compaction, newest (highest sequence) first.
    /// </summary>
    /// <remarks>
    /// <list type="bullet">
    /// <item>With a merge operator (<paramref name="merge"/>), merge operands are first folded where no snapshot can tell
    /// them apart: at or below the retention sequence, with the value beneath them and with each other when they share
    /// one expiry (<see cref="MergeFolder.FoldRuns"/>); into the oldest sorted run, the oldest operands become a value
    /// folded from an absent one. An operator failure fails the compaction.</item>
    /// <item>An expired value becomes a tombstone with the same sequence and create time (dropping it could bring back
    /// an older version with a longer life from a lower run); an expired merge operand is dropped.</item>
    /// <item>The newest version is always kept; older ones are kept while their sequence is above the retention
    /// sequence, plus the first one at or below it (the version a snapshot at that sequence reads). Merge operands never
    /// end the history: they are read over what lies beneath them (without an operator they stay as they are).</item>
    /// <item>With <see cref="RetentionPolicy.DropTombstones"/>, tombstones at the old end of what is kept are removed.</item>
    /// </list>
    /// </remarks>
    public static void Apply(IReadOnlyList<RowEntry> versions, in RetentionPolicy policy, List<RowEntry> kept, MergeFolder? merge = null)
    {
        ArgumentNullException.ThrowIfNull(versions);
        ArgumentNullException.ThrowIfNull(kept);
        if (merge is not null && HasMerge(versions))
        {
            var folded = new List<RowEntry>(versions.Count);
            MergeFolder.FoldRuns(merge, versions, FoldBarrier.AtOrAbove(policy.RetentionMinSeq), folded, nothingOlder: policy.DropTombstones);
            versions = folded;
        }

        var start = kept.Count;
        for (var i = 0; i < versions.Count; i++)
        {
            var version = versions[i];
            var isMerge = version.Kind == RowKind.Merge;
            if (VersionRetention.ApplyExpiry(version, policy.CompactionClockTick) is not { } row)
            {
                continue;
            }

            kept.Add(row);
            if (!isMerge && !VersionRetention.SnapshotSeesOlderThan(policy.RetentionMinSeq, row.Seq))
            {
                break;
            }
        }

        if (policy.DropTombstones)
        {
            while (kept.Count > start && kept[^1].IsTombstone)
            {
                kept.RemoveAt(kept.Count - 1);
            }
        }
    }

    private static bool HasMerge(IReadOnlyList<RowEntry> versions)
    {
        for (var i = 0; i < versions.Count; i++)
        {
            if (versions[i].Kind == RowKind.Merge)
            {
                return true;
            }
        }

        return false;
    }
}
