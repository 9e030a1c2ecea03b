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
    /// One flush warms at most <see cref="FlushWarmCapBytes"/> of data blocks (the SST's first blocks, in key order),
    /// a quarter of the cache's data capacity, so a large flush does not evict a hot working set; at the default
    /// sizes (64 MiB L0 SSTs, 512 MiB of data cache) and under <see cref="MemoryBudgetBytes"/> (an L0 SST is an eighth
    /// of the data share) a whole flush fits. This engine's own setting (<c>cache_blocks_on_flush</c>, written only
    /// when false); SlateDB sets its policy in code.
    /// </remarks>
    public bool CacheBlocksOnFlush { get; init; } = true;

    /// <summary>The share of the data-block capacity one flush may warm: a quarter.</summary>
    internal const int FlushWarmCapDivisor = 4;

    /// <summary>The cap for a block cache whose capacity is unknown (a caller's own <see cref="Caching.IBlockCache"/>): 64 MiB.</summary>
    internal const long FlushWarmCapFallbackBytes = 64L * 1024 * 1024;

    /// <summary>
    /// The most bytes of data blocks one L0 flush puts into <paramref name="cache"/>: a quarter of a
    /// <see cref="Caching.MemoryBlockCache"/>'s data capacity, 64 MiB for another cache, 0 when
    /// <see cref="CacheBlocksOnFlush"/> is off or there is no cache.
    /// </summary>
    internal long FlushWarmCapBytes(Caching.IBlockCache? cache) => !CacheBlocksOnFlush || cache is null
        ? 0
        : Diagnostics.InstrumentedBlockCache.MemoryCacheOf(cache)?.DataCapacityBytes / FlushWarmCapDivisor ?? FlushWarmCapFallbackBytes;
}
