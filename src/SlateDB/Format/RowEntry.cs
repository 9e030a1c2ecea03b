namespace SlateDB.Format;

/// <summary>What a row holds: a value, a tombstone (deletion) or a merge operand.</summary>
internal enum RowKind : byte
{
    /// <summary>A put: the row carries a value.</summary>
    Value = 0,

    /// <summary>A delete: the row carries no value.</summary>
    Tombstone = 1,

    /// <summary>A merge operand, folded with older versions by a merge operator.</summary>
    Merge = 2,
}

/// <summary>
/// One version of one key as SlateDB stores it (Rust <c>RowEntry</c>): the key, what it holds, its sequence
/// number, and the optional create and expire timestamps (Unix milliseconds).
/// </summary>
/// <remarks>Keys and values are slices of immutable buffers (decoded blocks, memtable arrays): never mutate them.</remarks>
internal readonly record struct RowEntry(
    ReadOnlyMemory<byte> Key,
    ReadOnlyMemory<byte> Value,
    RowKind Kind,
    ulong Seq,
    long? CreateTs,
    long? ExpireTs)
{
    /// <summary>A put row.</summary>
    public static RowEntry Put(ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> value, ulong seq, long? createTs = null, long? expireTs = null)
        => new(key, value, RowKind.Value, seq, createTs, expireTs);

    /// <summary>A tombstone row.</summary>
    public static RowEntry Delete(ReadOnlyMemory<byte> key, ulong seq, long? createTs = null, long? expireTs = null)
        => new(key, ReadOnlyMemory<byte>.Empty, RowKind.Tombstone, seq, createTs, expireTs);

    /// <summary>A merge-operand row.</summary>
    public static RowEntry MergeOperand(ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> operand, ulong seq, long? createTs = null, long? expireTs = null)
        => new(key, operand, RowKind.Merge, seq, createTs, expireTs);

    /// <summary>True for a tombstone.</summary>
    public bool IsTombstone => Kind == RowKind.Tombstone;
}
