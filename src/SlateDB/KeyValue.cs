namespace SlateDB;

/// <summary>A key's value with its metadata, as <c>GetKeyValueAsync</c> and scans return it.</summary>
/// <param name="Key">The key.</param>
/// <param name="Value">The value.</param>
/// <param name="Sequence">The sequence number of the write that stored it.</param>
/// <param name="CreatedAt">When it was written, by the database clock (Unix epoch when the row has no create time).</param>
/// <param name="ExpiresAt">When it expires; null when it never does.</param>
public sealed record KeyValue(
    ReadOnlyMemory<byte> Key,
    ReadOnlyMemory<byte> Value,
    long Sequence,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ExpiresAt);
