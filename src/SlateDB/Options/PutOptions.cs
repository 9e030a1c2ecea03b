namespace SlateDB;

/// <summary>Per-put settings.</summary>
public sealed record PutOptions
{
    /// <summary>The default: <see cref="Ttl.Default"/>.</summary>
    public static PutOptions Default { get; } = new();

    /// <summary>How long the row lives.</summary>
    public Ttl Ttl { get; init; } = Ttl.Default;
}
