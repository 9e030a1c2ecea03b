namespace SlateDB;

public sealed partial record SlateDbOptions
{
    /// <summary>
    /// Whether an SST that point reads keep missing the block cache in is read whole into the cache in the background
    /// (cache warming on random reads). Default true.
    /// </summary>
    /// <remarks>
    /// <para>The SST is queued once its gets have missed <c>max(64, its blocks / 64)</c> data blocks (about 256 for
    /// a 64 MiB SST of 4 KiB blocks): random reads that spread over it, as after a restart or a compaction. A few reads
    /// warm nothing. One SST warms at a time, with one ranged read of about 1 MiB in flight, so the warming never
    /// competes with more than one of the reads' own requests; over an object store a 64 MiB SST is about 64 GETs
    /// instead of the 16,000 its 4 KiB blocks take one get at a time.</para>
    /// <para>It warms only while the cache has room for the rest of the SST: it never evicts blocks to make room, so
    /// data larger than the cache is warmed until the cache is full and then read as before. It stops when the SST
    /// leaves the database or the database closes. Its uncompressed blocks stay slices of their read's buffer, which
    /// the cache charges in full until the last of them leaves (and evicts together). It needs the engine's <see cref="Caching.MemoryBlockCache"/> (its capacity says what room is left): a
    /// caller's own <see cref="Caching.IBlockCache"/> is not warmed. Metric <c>slatedb.cache.warmed</c> counts the blocks
    /// its reads covered.</para>
    /// <para>This engine's own setting (<c>warm_cache_on_random_reads</c>, written only when false); SlateDB has no
    /// such warming.</para>
    /// </remarks>
    public bool WarmCacheOnRandomReads { get; init; } = true;
}
