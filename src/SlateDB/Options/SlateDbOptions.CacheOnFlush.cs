namespace SlateDB;

public sealed partial record SlateDbOptions
{
    /// <summary>
    /// Whether an L0 flush puts the data blocks of the SST it just wrote into the block cache (SlateDB's default block
    /// cache policy: after a memtable flush, data, index and filter; for compaction output, index and filter only).
    /// The index and bloom filter of every SST this database writes are cached either way. Reads straight after the
    /// flush then find the blocks in memory instead of reading back the object just uploaded. Default true.
    /// </summary>
    /// <remarks>
    /// Flushes warm the cache only while its data blocks take less than a quarter of its data capacity: one flush
    /// warms at most what is left of that quarter (<see cref="FlushWarmCapBytes"/>; the SST's first blocks, in key
    /// order), so flushes neither evict a hot working set nor grow the cache by themselves (a write-only workload
    /// keeps at most 128 MiB of flushed blocks at the default 512 MiB of data cache; reads may fill the rest). Under
    /// <see cref="MemoryBudgetBytes"/> an L0 SST is an eighth of the data share, so the first two flushes into an empty
    /// cache fit whole. A full memtable that fits is kept in the cache itself, in place of its SST's data blocks
    /// (point reads then probe its index instead of the SST's filter, index and blocks; docs/caching.md). This
    /// engine's own setting (<c>cache_blocks_on_flush</c>, written only when false); SlateDB sets its policy in code.
    /// </remarks>
    public bool CacheBlocksOnFlush { get; init; } = true;

    /// <summary>The share of the data-block capacity flushes may fill: a quarter.</summary>
    internal const int FlushWarmCapDivisor = 4;

    /// <summary>The cap for a block cache whose capacity is unknown (a caller's own <see cref="Caching.IBlockCache"/>): 64 MiB.</summary>
    internal const long FlushWarmCapFallbackBytes = 64L * 1024 * 1024;

    /// <summary>
    /// The most bytes of data blocks the next L0 flush puts into <paramref name="cache"/> (read at each flush): what
    /// is left of a quarter of a <see cref="Caching.MemoryBlockCache"/>'s data capacity after the data blocks it holds
    /// now, 64 MiB for another cache, 0 when <see cref="CacheBlocksOnFlush"/> is off or there is no cache.
    /// </summary>
    internal long FlushWarmCapBytes(Caching.IBlockCache? cache)
    {
        if (!CacheBlocksOnFlush || cache is null)
        {
            return 0;
        }

        return Diagnostics.InstrumentedBlockCache.MemoryCacheOf(cache) is { } memory
            ? Math.Max(0, (memory.DataCapacityBytes / FlushWarmCapDivisor) - memory.DataSizeBytes)
            : FlushWarmCapFallbackBytes;
    }
}
