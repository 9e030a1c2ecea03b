using System.Collections.Immutable;
using SlateDB.Manifest;
using SlateDB.Memtable;

namespace SlateDB.Db;

/// <summary>
/// A frozen memtable waiting for its L0 flush, with the newest WAL id whose rows it fully holds and the (sequence, time)
/// pairs its writes recorded, which the flush adds to the manifest's sequence tracker (none for replayed memtables).
/// </summary>
internal sealed record FrozenMemtable(KvTable Table, ulong RecentFlushedWalId, SequenceTracker? Sequences = null)
{
    public ulong LastSeq => Table.LastSeq ?? 0;
}

/// <summary>
/// What reads see, swapped whole (copy on write): the active memtable, the frozen ones (newest first) and the
/// manifest's LSM tree. Readers take one reference and use it throughout, so a flush or compaction that lands meanwhile
/// never tears their view.
/// </summary>
internal sealed record DbState(KvTable Memtable, ImmutableList<FrozenMemtable> Frozen, ManifestCore Core)
{
    /// <summary>Estimated bytes held in memory and not yet in L0.</summary>
    public long UnflushedBytes
    {
        get
        {
            var total = Memtable.EstimatedSize;
            if (Frozen.IsEmpty)
            {
                // The common case, checked on every write: skip the list's enumerator.
                return total;
            }

            foreach (var frozen in Frozen)
            {
                total += frozen.Table.EstimatedSize;
            }

            return total;
        }
    }

    /// <summary>
    /// Bytes the memtables (active and frozen) hold in memory (<see cref="KvTable.MemoryBytes"/>: arena chunks, skip-list
    /// nodes, key filters), what a memory budget bounds, rather than SlateDB's row estimate.
    /// </summary>
    public long MemtableMemoryBytes
    {
        get
        {
            var total = Memtable.MemoryBytes;
            foreach (var frozen in Frozen)
            {
                total += frozen.Table.MemoryBytes;
            }

            return total;
        }
    }
}
