namespace SlateDB;

/// <summary>Which SSTs the local disk cache loads when the database opens.</summary>
public enum PreloadLevel
{
    /// <summary>Only L0 SSTs.</summary>
    L0Sst,

    /// <summary>Every SST.</summary>
    AllSst,
}

/// <summary>
/// The local disk cache for SST bytes (SlateDB's <c>ObjectStoreCacheOptions</c>). Disabled unless
/// <see cref="RootFolder"/> is set.
/// </summary>
public sealed record ObjectStoreCacheOptions
{
    /// <summary>The folder holding cached parts; null disables the cache.</summary>
    public string? RootFolder { get; init; }

    /// <summary>The cache's size bound in bytes. Default 16 GiB.</summary>
    public long? MaxCacheSizeBytes { get; init; } = 16L * 1024 * 1024 * 1024;

    /// <summary>The size of one cached part, a multiple of 1 KiB. Default 4 MiB.</summary>
    public long PartSizeBytes { get; init; } = 4L * 1024 * 1024;

    /// <summary>
    /// Whether every cacheable object written through the cache is cached (this engine's older switch; it admits
    /// flush and compaction output alike). Default false.
    /// </summary>
    public bool CachePuts { get; init; }

    /// <summary>What to load into the cache on open; null loads nothing.</summary>
    public PreloadLevel? PreloadDiskCacheOnStartup { get; init; }

    /// <summary>
    /// How often the cache folder is rescanned to recount its size (parts added or removed by another process or by
    /// hand) and evict down to <see cref="MaxCacheSizeBytes"/>; null scans once at start. Default 1 h.
    /// </summary>
    public TimeSpan? ScanInterval { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Whether L0 SSTs written by memtable flushes are put into the disk cache as they are uploaded. Default false.</summary>
    public bool CacheOnFlush { get; init; }

    /// <summary>Whether SSTs written by compactions are put into the disk cache as they are uploaded. Default false.</summary>
    public bool CacheOnCompaction { get; init; }

    /// <summary>
    /// The most part files of the disk cache kept open for reads at once, the least recently used closed first.
    /// Default 1000. (Linux; elsewhere each read opens its part.)
    /// </summary>
    public int MaxOpenFileHandles { get; init; } = 1000;
}
