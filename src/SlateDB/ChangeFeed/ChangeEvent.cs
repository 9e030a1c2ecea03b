namespace SlateDB;

/// <summary>One committed row, as a <see cref="ChangeFeed"/> delivers it (in sequence order).</summary>
/// <param name="Sequence">The write's sequence number; every row of one batch has the same one.</param>
/// <param name="Kind">A put, a delete or a merge operand.</param>
/// <param name="Key">The key.</param>
/// <param name="Value">The value or merge operand; null for a delete.</param>
/// <param name="CreateTs">The write's create time (Unix milliseconds, database clock), when recorded.</param>
/// <param name="ExpireTs">The expire time (Unix milliseconds), when the put has a time to live.</param>
/// <param name="WalId">The WAL file the row was read from.</param>
public sealed record ChangeEvent(long Sequence, WalRowKind Kind, ReadOnlyMemory<byte> Key, ReadOnlyMemory<byte>? Value, long? CreateTs, long? ExpireTs, ulong WalId);
