namespace SlateDB.Format.Rows;

/// <summary>
/// One row as a row codec reads it, before its key is rebuilt: the number of key bytes it shares with the
/// key it was compressed against, its own key bytes, and the rest of the row. Suffix and value are slices
/// of the decoded buffer.
/// </summary>
internal readonly struct DecodedRow
{
    /// <summary>Creates a decoded row.</summary>
    public DecodedRow(int sharedLength, ReadOnlyMemory<byte> keySuffix, ReadOnlyMemory<byte> value, RowKind kind, ulong seq, long? createTs, long? expireTs)
    {
        SharedLength = sharedLength;
        KeySuffix = keySuffix;
        Value = value;
        Kind = kind;
        Seq = seq;
        CreateTs = createTs;
        ExpireTs = expireTs;
    }

    /// <summary>Leading key bytes shared with the reference key (V1: the block's first key; V2: the previous key).</summary>
    public int SharedLength { get; }

    /// <summary>The key bytes after the shared prefix.</summary>
    public ReadOnlyMemory<byte> KeySuffix { get; }

    /// <summary>The value or merge operand; empty for a tombstone.</summary>
    public ReadOnlyMemory<byte> Value { get; }

    /// <summary>What the row holds.</summary>
    public RowKind Kind { get; }

    /// <summary>The sequence number.</summary>
    public ulong Seq { get; }

    /// <summary>The create timestamp, if stored.</summary>
    public long? CreateTs { get; }

    /// <summary>The expire timestamp, if stored (and kept by the codec).</summary>
    public long? ExpireTs { get; }

    /// <summary>The length of the full key.</summary>
    public int KeyLength => SharedLength + KeySuffix.Length;

    /// <summary>
    /// Rebuilds the full key from <paramref name="reference"/> (the key this row was compressed against).
    /// Shares memory instead of copying when the key is all suffix or all prefix.
    /// </summary>
    public ReadOnlyMemory<byte> RestoreKey(ReadOnlyMemory<byte> reference, string objectName)
    {
        if (SharedLength > reference.Length)
        {
            Corruption.Throw(objectName, $"row shares {SharedLength} key bytes with a reference key of only {reference.Length} bytes");
        }

        if (SharedLength == 0)
        {
            return KeySuffix;
        }

        if (KeySuffix.IsEmpty)
        {
            return reference[..SharedLength];
        }

        var key = new byte[KeyLength];
        reference.Span[..SharedLength].CopyTo(key);
        KeySuffix.Span.CopyTo(key.AsSpan(SharedLength));
        return key;
    }

    /// <summary>The row with its full key.</summary>
    public RowEntry ToRowEntry(ReadOnlyMemory<byte> key) => new(key, Value, Kind, Seq, CreateTs, ExpireTs);
}
