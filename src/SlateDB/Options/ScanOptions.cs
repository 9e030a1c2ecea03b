namespace SlateDB;

/// <summary>The direction a scan walks the keys.</summary>
public enum IterationOrder
{
    /// <summary>Smallest key first.</summary>
    Ascending,

    /// <summary>Largest key first.</summary>
    Descending,
}

/// <summary>Per-scan settings (SlateDB's <c>ScanOptions</c>).</summary>
public sealed record ScanOptions
{
    /// <summary>The default of <see cref="MaxReadAheadBytes"/>: 256 KiB.</summary>
    internal const long DefaultMaxReadAheadBytes = 256 * 1024;

    /// <summary>The default settings.</summary>
    public static ScanOptions Default { get; } = new();

    /// <summary>The direction. Default ascending.</summary>
    public IterationOrder Order { get; init; } = IterationOrder.Ascending;

    /// <summary>Which writes the scan may see. Default <see cref="DurabilityLevel.Memory"/>.</summary>
    public DurabilityLevel DurabilityFilter { get; init; } = DurabilityLevel.Memory;

    /// <summary>Whether to see writes not yet committed. Default false.</summary>
    public bool Dirty { get; init; }

    /// <summary>
    /// How many bytes of SST blocks one read fetches (adjacent blocks are read together). Default 1: one block per read.
    /// This is where reads start; a long scan grows it up to <see cref="MaxReadAheadBytes"/>.
    /// </summary>
    public long ReadAheadBytes { get; init; } = 1;

    /// <summary>
    /// The most bytes of SST blocks one read may fetch once a scan proves sequential (adaptive read-ahead, as RocksDB's
    /// automatic read-ahead works). Each SST's first two reads fetch <see cref="ReadAheadBytes"/>; every time the scan
    /// has used up one read and moves on to the next, the size of the reads it starts doubles (from at least the size of
    /// the last read) up to this cap. Short scans therefore cost as many requests as without growth, while a full scan
    /// makes a few large requests per SST instead of one per block: fewer, bigger ranged GETs, which object stores bill
    /// and serve more cheaply. Reads never go past the last block the scan's range can touch. Default 256 KiB; 0, or
    /// any value at or below <see cref="ReadAheadBytes"/>, turns growth off.
    /// </summary>
    public long MaxReadAheadBytes { get; init; } = DefaultMaxReadAheadBytes;

    /// <summary>Whether blocks the scan reads are kept in the block cache. Default false.</summary>
    public bool CacheBlocks { get; init; }

    /// <summary>How many block reads one SST may have in flight. Default 1.</summary>
    public int MaxFetchTasks { get; init; } = 1;
}
