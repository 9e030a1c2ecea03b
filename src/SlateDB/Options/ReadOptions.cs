namespace SlateDB;

/// <summary>Per-read settings (SlateDB's <c>ReadOptions</c>).</summary>
public sealed record ReadOptions
{
    /// <summary>The default settings.</summary>
    public static ReadOptions Default { get; } = new();

    /// <summary>Which writes the read may see. Default <see cref="DurabilityLevel.Memory"/>.</summary>
    public DurabilityLevel DurabilityFilter { get; init; } = DurabilityLevel.Memory;

    /// <summary>Whether to see writes that are not yet committed. Default false.</summary>
    public bool Dirty { get; init; }

    /// <summary>Whether blocks read are kept in the block cache. Default true.</summary>
    public bool CacheBlocks { get; init; } = true;
}
