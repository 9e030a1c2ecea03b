namespace SlateDB;

/// <summary>A key's value with its metadata, as <c>GetKeyValueAsync</c> and scans return it.</summary>
/// <remarks>
/// A scan hands out <see cref="Key"/> and <see cref="Value"/> without copying them: they are read-only slices of the
/// buffers the engine read them from (a data block, a read-ahead span of an SST, a chunk of a memtable). They stay
/// valid and unchanged for as long as they are referenced, but they keep that buffer alive; copy them
/// (<c>ToArray()</c>) to keep a few rows for long.
/// </remarks>
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
