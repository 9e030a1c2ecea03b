namespace SlateDB;

/// <summary>Per-merge settings (SlateDB's <c>MergeOptions</c>).</summary>
public sealed record MergeOptions
{
    /// <summary>The default: <see cref="Ttl.Default"/>.</summary>
    public static MergeOptions Default { get; } = new();

    /// <summary>
    /// How long the operand lives. Expiry is per operand: an expired operand no longer contributes to the value
    /// (reads skip it, flush and compaction drop it), and operands with different expiries are never folded together.
    /// </summary>
    public Ttl Ttl { get; init; } = Ttl.Default;
}
