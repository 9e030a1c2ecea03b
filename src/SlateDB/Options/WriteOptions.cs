namespace SlateDB;

/// <summary>Per-write settings.</summary>
public sealed record WriteOptions
{
    /// <summary>The default: return once the write is committed in memory.</summary>
    public static WriteOptions Default { get; } = new();

    /// <summary>Wait until the write is durable in object storage before returning. Default false.</summary>
    public bool AwaitDurable { get; init; }
}
