using System.Buffers.Binary;

namespace SlateDB.Format.Rows;

/// <summary>
/// The row encoding of block V1 (SST format version 1; Rust <c>SstRowCodecV0</c>). All integers big-endian:
/// <code>
/// key_prefix_len u16 | key_suffix_len u16 | key_suffix | seq u64 | flags u8
/// | expire_ts i64 (if flagged) | create_ts i64 (if flagged) | value_len u32 + value (not for tombstones)
/// </code>
/// The prefix is shared with the block's first key. A tombstone's expire timestamp is written when set but
/// dropped on read, as SlateDB does.
/// </summary>
internal static class RowCodecV1
{
    /// <summary>The largest key this codec can store (prefix plus suffix must fit a u16).</summary>
    public const int MaxKeyLength = ushort.MaxValue;

    private const int FixedLength = 2 + 2 + 8 + 1;

    /// <summary>The bytes <see cref="Encode"/> writes for <paramref name="row"/> sharing <paramref name="sharedLength"/> key bytes.</summary>
    public static int EncodedSize(in RowEntry row, int sharedLength)
    {
        var size = FixedLength + (row.Key.Length - sharedLength);
        if (row.ExpireTs.HasValue)
        {
            size += 8;
        }

        if (row.CreateTs.HasValue)
        {
            size += 8;
        }

        if (row.Kind != RowKind.Tombstone)
        {
            size += 4 + row.Value.Length;
        }

        return size;
    }

    /// <summary>
    /// Writes <paramref name="row"/> at the start of <paramref name="destination"/>, omitting its first
    /// <paramref name="sharedLength"/> key bytes, and returns the bytes written.
    /// </summary>
    public static int Encode(Span<byte> destination, in RowEntry row, int sharedLength)
    {
        var key = row.Key.Span;
        if (key.Length > MaxKeyLength)
        {
            throw new ArgumentException($"A V1 row key holds at most {MaxKeyLength} bytes; this one has {key.Length}.", nameof(row));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(sharedLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(sharedLength, key.Length);
        var flags = RowFlags.For(row);
        var size = EncodedSize(row, sharedLength);
        if (destination.Length < size)
        {
            throw new ArgumentException($"The destination holds {destination.Length} bytes; the row needs {size}.", nameof(destination));
        }

        var suffix = key[sharedLength..];
        BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)sharedLength);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)suffix.Length);
        suffix.CopyTo(destination[4..]);
        var pos = 4 + suffix.Length;
        pos += RowFlags.WriteSeqFlagsAndTimestamps(destination[pos..], row, flags);
        if (row.Kind != RowKind.Tombstone)
        {
            var value = row.Value.Span;
            BinaryPrimitives.WriteUInt32BigEndian(destination[pos..], (uint)value.Length);
            value.CopyTo(destination[(pos + 4)..]);
            pos += 4 + value.Length;
        }

        return pos;
    }

    /// <summary>
    /// Reads the row at <paramref name="position"/> in <paramref name="source"/>, checking every length
    /// against the buffer, and advances the position past it. Suffix and value are slices of the source.
    /// </summary>
    public static DecodedRow Decode(ReadOnlyMemory<byte> source, ref int position, string objectName)
    {
        var span = source.Span;
        var pos = position;
        Need(span, pos, 4, "key lengths", objectName);
        int shared = BinaryPrimitives.ReadUInt16BigEndian(span[pos..]);
        int suffixLength = BinaryPrimitives.ReadUInt16BigEndian(span[(pos + 2)..]);
        pos += 4;
        Need(span, pos, suffixLength, "key suffix", objectName);
        var suffix = source.Slice(pos, suffixLength);
        pos += suffixLength;
        var kind = RowFlags.ReadSeqFlagsAndTimestamps(span, ref pos, objectName, out var seq, out var expireTs, out var createTs);

        var value = ReadOnlyMemory<byte>.Empty;
        if (kind == RowKind.Tombstone)
        {
            // SlateDB's V1 reader does not keep a tombstone's expire timestamp.
            expireTs = null;
        }
        else
        {
            Need(span, pos, 4, "value length", objectName);
            var valueLength = BinaryPrimitives.ReadUInt32BigEndian(span[pos..]);
            pos += 4;
            if (valueLength > (uint)(span.Length - pos))
            {
                Corruption.Throw(objectName, $"row value of {valueLength} bytes at byte {pos} runs past the {span.Length}-byte buffer");
            }

            value = source.Slice(pos, (int)valueLength);
            pos += (int)valueLength;
        }

        position = pos;
        return new DecodedRow(shared, suffix, value, kind, seq, createTs, expireTs);
    }

    /// <summary>
    /// Reads only the key parts of the row at <paramref name="position"/>: the shared length and the range of
    /// the suffix inside <paramref name="source"/>.
    /// </summary>
    public static void DecodeKey(ReadOnlySpan<byte> source, int position, string objectName, out int sharedLength, out int suffixStart, out int suffixLength)
    {
        Need(source, position, 4, "key lengths", objectName);
        sharedLength = BinaryPrimitives.ReadUInt16BigEndian(source[position..]);
        suffixLength = BinaryPrimitives.ReadUInt16BigEndian(source[(position + 2)..]);
        suffixStart = position + 4;
        Need(source, suffixStart, suffixLength, "key suffix", objectName);
    }

    private static void Need(ReadOnlySpan<byte> span, int position, int count, string what, string objectName)
    {
        if ((uint)count > (uint)(span.Length - position))
        {
            Corruption.Throw(objectName, $"row {what} ({count} bytes at byte {position}) runs past the {span.Length}-byte buffer");
        }
    }
}
