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
    /// <summary>The default settings.</summary>
    public static ScanOptions Default { get; } = new();

    /// <summary>The direction. Default ascending.</summary>
    public IterationOrder Order { get; init; } = IterationOrder.Ascending;

    /// <summary>Which writes the scan may see. Default <see cref="DurabilityLevel.Memory"/>.</summary>
    public DurabilityLevel DurabilityFilter { get; init; } = DurabilityLevel.Memory;

    /// <summary>Whether to see writes not yet committed. Default false.</summary>
    public bool Dirty { get; init; }

    /// <summary>How many bytes of SST blocks one read fetches (adjacent blocks are read together). Default 1: one block per read.</summary>
    public long ReadAheadBytes { get; init; } = 1;

    /// <summary>Whether blocks the scan reads are kept in the block cache. Default false.</summary>
    public bool CacheBlocks { get; init; }

    /// <summary>How many block reads one SST may have in flight. Default 1.</summary>
    public int MaxFetchTasks { get; init; } = 1;
}
