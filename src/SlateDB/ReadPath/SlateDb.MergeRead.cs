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
    /// <paramref name="maxSeq"/>, newest first, from the memtables, L0 and the sorted runs (sources hold a key's versions
    /// in sequence order, newest source first), down to the newest value or tombstone, and folds them.
    /// </summary>
    private async ValueTask<RowEntry?> ResolveMergeAsync(DbState state, ReadOnlyMemory<byte> key, ulong maxSeq, bool cacheBlocks, CancellationToken cancellationToken)
    {
        var merge = _c.Merge ?? throw MergeFolder.MissingOperator();
        var versions = new List<RowEntry>();
        if (CollectInMemory(state.Memtable, key, maxSeq, versions))
        {
            return merge.ResolveRead(versions, _clock.Now());
        }

        foreach (var frozen in state.Frozen)
        {
            if (CollectInMemory(frozen.Table, key, maxSeq, versions))
            {
                return merge.ResolveRead(versions, _clock.Now());
            }
        }

        var cap = versions.Count > 0 ? versions[^1].Seq - 1 : maxSeq;
        var views = new PointProbeOrder(state.Core.Tree, key);
        while (views.MoveNext())
        {
            // Versions of the key in one SST are read newest first, each below the one before.
            while (cap > 0 || versions.Count == 0)
            {
                var row = await _c.Tables.GetAsync(views.Current, key, cap, cacheBlocks, cancellationToken).ConfigureAwait(false);
                if (row is not { } found)
                {
                    break;
                }

                versions.Add(found);
                if (found.Kind != RowKind.Merge || found.Seq == 0)
                {
                    return merge.ResolveRead(versions, _clock.Now());
                }

                cap = found.Seq - 1;
            }
        }

        return merge.ResolveRead(versions, _clock.Now());
    }

    /// <summary>Adds the key's versions in one memtable, newest first; true once a value or a tombstone was added.</summary>
    private static bool CollectInMemory(KvTable table, ReadOnlyMemory<byte> key, ulong maxSeq, List<RowEntry> versions)
    {
        var iterator = table.Range(KeyBound.Included(key), KeyBound.Included(key), IterationOrder.Ascending);
        while (iterator.TryNext(out var row))
        {
            if (row.Seq > maxSeq || (versions.Count > 0 && row.Seq >= versions[^1].Seq))
            {
                continue;
            }

            versions.Add(row);
            if (row.Kind != RowKind.Merge)
            {
                return true;
            }
        }

        return false;
    }
}
