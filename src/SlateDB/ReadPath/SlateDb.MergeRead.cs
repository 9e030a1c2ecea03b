using SlateDB.Db;
using SlateDB.Format;
using SlateDB.Memtable;
using SlateDB.Merge;
using SlateDB.Sst;

namespace SlateDB;

public sealed partial class SlateDb
{
    /// <summary>
    /// A point read whose newest visible version is a merge operand: gathers the key's versions at or below
    /// <paramref name="maxSeq"/>, newest first, from the memtables (a run of operands with a memtable fold counts as
    /// one), L0 and the sorted runs (sources hold a key's versions in sequence order, newest source first), down to
    /// the newest value or tombstone, and folds them. <paramref name="start"/> is the newest version when the caller
    /// already found it in a memtable.
    /// </summary>
    private async ValueTask<RowEntry?> ResolveMergeAsync(DbState state, ReadOnlyMemory<byte> key, ulong maxSeq, bool cacheBlocks, MemtableHit? start, CancellationToken cancellationToken)
    {
        var merge = _c.Merge ?? throw MergeFolder.MissingOperator();
        var versions = new List<RowEntry>(4);
        var walk = new VersionWalk(maxSeq);
        var firstTable = 0;
        if (start is { } hit)
        {
            versions.Add(hit.Row);
            walk.First = hit.Step;
            if (walk.Step(hit.Row, hit.Step))
            {
                return Resolve(merge, versions, walk);
            }

            firstTable = hit.Step.ReachesBottom ? hit.TableIndex + 1 : hit.TableIndex;
        }

        var frozen = state.Frozen;
        for (var t = firstTable; t <= frozen.Count; t++)
        {
            if (CollectInMemory(t == 0 ? state.Memtable : frozen[t - 1].Table, key.Span, versions, ref walk))
            {
                return Resolve(merge, versions, walk);
            }
        }

        var views = new PointProbeOrder(state.Core.Tree, key);
        while (views.MoveNext())
        {
            // Versions of the key in one SST are read newest first, each below the one before.
            while (true)
            {
                var row = await _c.Tables.GetAsync(views.Current, key, walk.Cap, cacheBlocks, cancellationToken).ConfigureAwait(false);
                if (row is not { } found)
                {
                    break;
                }

                versions.Add(found);
                if (walk.Step(found, new FoldStep(found.Seq, false, null, 0)))
                {
                    return Resolve(merge, versions, walk);
                }
            }
        }

        walk.SearchedAll = true;
        return Resolve(merge, versions, walk);
    }

    /// <summary>
    /// Folds what a merge read gathered. When the newest version is a partial memtable fold and the read found nothing
    /// older anywhere, the fold covers the key's whole history: it is marked resolved, so later reads take it directly.
    /// </summary>
    private RowEntry? Resolve(MergeFolder merge, List<RowEntry> versions, in VersionWalk walk)
    {
        var result = merge.ResolveRead(versions, _clock.Now());
        if (versions.Count == 1 && (walk.SearchedAll || walk.Exhausted) && walk.First.MarkChunk is not null
            && result is { } value && value.Value.Span.SequenceEqual(versions[0].Value.Span))
        {
            KvTable.MarkResolved(walk.First);
        }

        return result;
    }

    /// <summary>Adds the key's versions in one memtable, newest first; true once the history ended (a value or a tombstone was added).</summary>
    private static bool CollectInMemory(KvTable table, ReadOnlySpan<byte> key, List<RowEntry> versions, ref VersionWalk walk)
    {
        while (table.TryGetFolded(key, walk.Cap, out var row, out var step))
        {
            if (versions.Count == 0)
            {
                walk.First = step;
            }

            versions.Add(row);
            if (walk.Step(row, step))
            {
                return true;
            }

            if (step.ReachesBottom)
            {
                return false;
            }
        }

        return false;
    }

    /// <summary>Where a merge read is in a key's history: the highest sequence still to read, and whether it ended.</summary>
    private struct VersionWalk(ulong maxSeq)
    {
        /// <summary>Older versions lie at or below this sequence.</summary>
        public ulong Cap = maxSeq;

        /// <summary>The history ended: a value or a tombstone was reached, or sequence 0 was covered.</summary>
        public bool Exhausted;

        /// <summary>Every source was searched down to the bottom.</summary>
        public bool SearchedAll;

        /// <summary>How the newest version was found (its fold, when it came from a memtable).</summary>
        public FoldStep First;

        /// <summary>Moves below <paramref name="row"/> (covering down to <paramref name="step"/>'s low sequence); true when the history ended.</summary>
        public bool Step(in RowEntry row, in FoldStep step)
        {
            if (row.Kind != RowKind.Merge || step.LowSeq == 0)
            {
                Exhausted = true;
                return true;
            }

            Cap = step.LowSeq - 1;
            return false;
        }
    }
}

/// <summary>A key's newest version found in a memtable: the row (its fold, when it has one), which table (0: the active one, then the frozen ones newest first) and where older versions continue.</summary>
internal readonly record struct MemtableHit(RowEntry Row, int TableIndex, FoldStep Step);
