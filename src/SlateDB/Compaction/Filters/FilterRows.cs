using SlateDB.Format;

namespace SlateDB.Compaction;

/// <summary>Applies a compaction filter to the versions of one key that a compaction is about to write.</summary>
internal static class FilterRows
{
    /// <summary>
    /// Offers <paramref name="kept"/> (one key's versions to write, newest first) to <paramref name="filter"/> and leaves
    /// in it what to write. Only the rows a read at the latest sequence is made of are offered: from the newest down to
    /// the first value or tombstone; older versions (kept for snapshots) are written unchanged.
    /// </summary>
    public static async ValueTask ApplyAsync(ICompactionFilter filter, List<RowEntry> kept, List<RowEntry> scratch, CancellationToken cancellationToken)
    {
        scratch.Clear();
        var offered = true;
        for (var i = 0; i < kept.Count; i++)
        {
            var row = kept[i];
            if (!offered)
            {
                scratch.Add(row);
                continue;
            }

            offered = row.Kind == RowKind.Merge;
            var decision = await filter.FilterAsync(
                new CompactionFilterEntry((WalRowKind)(byte)row.Kind, row.Key, row.Value, row.Seq, row.CreateTs, row.ExpireTs),
                cancellationToken).ConfigureAwait(false);
            switch (decision.Action)
            {
                case CompactionFilterAction.Keep:
                    scratch.Add(row);
                    break;
                case CompactionFilterAction.Drop:
                    break;
                case CompactionFilterAction.Modify:
                    scratch.Add(Modified(row, decision));
                    break;
                default:
                    throw new InvalidOperationException($"The compaction filter returned an unknown action {decision.Action}.");
            }
        }

        kept.Clear();
        kept.AddRange(scratch);
        scratch.Clear();
    }

    /// <summary>The row with what the decision says; key, sequence and create time unchanged; a tombstone has no expiry.</summary>
    internal static RowEntry Modified(in RowEntry row, in CompactionFilterDecision decision) => decision.NewKind switch
    {
        WalRowKind.Value => row with { Kind = RowKind.Value, Value = decision.NewValue.ToArray() },
        WalRowKind.Merge => row with { Kind = RowKind.Merge, Value = decision.NewValue.ToArray() },
        WalRowKind.Tombstone => row with { Kind = RowKind.Tombstone, Value = ReadOnlyMemory<byte>.Empty, ExpireTs = null },
        _ => throw new InvalidOperationException($"The compaction filter returned an unknown row kind {decision.NewKind}."),
    };
}
