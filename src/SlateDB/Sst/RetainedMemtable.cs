using SlateDB.Caching;
using SlateDB.Format;
using SlateDB.Memtable;
using SlateDB.Retention;

namespace SlateDB.Sst;

/// <summary>
/// A flushed memtable kept in the block cache as the in-memory form of the L0 SST it was written to, in place of that
/// SST's data blocks (warm on write, <see cref="SlateDbOptions.CacheBlocksOnFlush"/>). Point reads then take the
/// table's key filter and point-read index (a probe or two) instead of the SST's bloom filter, index and block search,
/// and ascending scans iterate its skip list. It is charged to the cache as one entry of the table's
/// <see cref="KvTable.MemoryBytes"/>, and nothing else holds it (<see cref="SstFile.MayHaveRetained"/> is a flag): once
/// the cache evicts it, its memory is free and the SST's blocks serve the reads again.
/// </summary>
/// <remarks>
/// The table holds every row its SST holds, as the SST holds it, and at most older versions of the same keys that the
/// flush left out because no live snapshot could see them (<see cref="Flush.L0SstWriter"/>): a read at any sequence a
/// reader can still hold finds the same newest version in both. Rows the flush rewrites are ruled out by
/// <see cref="CanKeep"/>: merge operands (the flush folds them) keep a table from being kept. Rows expired at the
/// flush, written as tombstones, are read from the table as those tombstones (<see cref="AsFlushed"/>). Only the
/// engine's own <see cref="MemoryBlockCache"/> keeps tables: another <see cref="IBlockCache"/> may not expect an
/// entry this large or of this type.
/// </remarks>
internal sealed class RetainedMemtable(KvTable table)
{
    /// <summary>The offset in an SST's cache keys that names its retained memtable (no data block starts there).</summary>
    public const long CacheOffset = -1;

    /// <summary>The flushed table (frozen).</summary>
    public KvTable Table => table;

    /// <summary>
    /// Rows as the SST holds them: a row expired at the flush's cutoff (the table's last write time) reads as the
    /// tombstone the flush wrote for it (<see cref="VersionRetention.ApplyExpiry"/>), whatever the reader's clock says.
    /// Null for an expired merge operand (kept tables hold none).
    /// </summary>
    public RowEntry? AsFlushed(in RowEntry row) => VersionRetention.ApplyExpiry(row, table.LastTick);

    /// <summary>The cache key of the retained memtable of the SST at <paramref name="sstPath"/>.</summary>
    public static BlockCacheKey KeyFor(string sstPath) => new(sstPath, CacheOffset, BlockCacheEntryKind.DataBlock);

    /// <summary>
    /// Whether a flush keeps <paramref name="table"/> instead of caching its SST's data blocks: it holds no merge
    /// operand; its point-read index holds every key; at most a quarter of its rows are older versions of a key it
    /// holds (the SST would be much smaller than the table); it takes at most <see cref="MaxMemoryPerRowByte"/> times
    /// its rows' estimated size (its key filter and index are sized for a full memtable, so a small flush caches blocks
    /// instead); and it fits in <paramref name="capBytes"/> (<see cref="SlateDbOptions.FlushWarmCapBytes"/>).
    /// </summary>
    public static bool CanKeep(KvTable table, long capBytes) =>
        table.IsFrozen
        && !table.HasMerges
        && table.IndexHoldsEveryKey
        && table.RepeatedKeys <= table.EntryCount / 4
        && table.MemoryBytes <= table.EstimatedSize * MaxMemoryPerRowByte
        && table.MemoryBytes <= capBytes;

    /// <summary>
    /// The most memory a kept table may take per byte of its rows' estimated size (<see cref="KvTable.EstimatedSize"/>,
    /// about what its blocks take): a full memtable of 16-byte keys and 100-byte values takes about 1.6.
    /// </summary>
    public const double MaxMemoryPerRowByte = 2.5;
}
