using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace SlateDB.Format.Rows;

/// <summary>
/// The row encoding of block V2 (SST format version 2; Rust <c>SstRowCodecV2</c>):
/// <code>
/// shared varint | unshared varint | value_len varint | key_suffix | value
/// | seq u64 BE | flags u8 | expire_ts i64 BE (if flagged) | create_ts i64 BE (if flagged)
/// </code>
/// The prefix is shared with the previous key in the block (zero at restart points); tombstones store
/// value_len 0. Unlike V1, the reader keeps a tombstone's expire timestamp.
/// </summary>
internal static class RowCodecV2
{
    private const int FixedLength = 8 + 1;

    /// <summary>The bytes <see cref="Encode"/> writes for <paramref name="row"/> sharing <paramref name="sharedLength"/> key bytes.</summary>
    public static int EncodedSize(in RowEntry row, int sharedLength)
    {
        var suffixLength = row.Key.Length - sharedLength;
        var valueLength = row.Kind == RowKind.Tombstone ? 0 : row.Value.Length;
        var size = Varint.Length((uint)sharedLength) + Varint.Length((uint)suffixLength) + Varint.Length((uint)valueLength)
            + suffixLength + valueLength + FixedLength;
        if (row.ExpireTs.HasValue)
        {
            size += 8;
        }

        if (row.CreateTs.HasValue)
        {
            size += 8;
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
        ArgumentOutOfRangeException.ThrowIfNegative(sharedLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(sharedLength, key.Length);
        var flags = RowFlags.For(row);
        var size = EncodedSize(row, sharedLength);
        if (destination.Length < size)
        {
            throw new ArgumentException($"The destination holds {destination.Length} bytes; the row needs {size}.", nameof(destination));
        }

        var suffix = key[sharedLength..];
        var value = row.Kind == RowKind.Tombstone ? default : row.Value.Span;
        var pos = Varint.Write(destination, (uint)sharedLength);
        pos += Varint.Write(destination[pos..], (uint)suffix.Length);
        pos += Varint.Write(destination[pos..], (uint)value.Length);
        suffix.CopyTo(destination[pos..]);
        pos += suffix.Length;
        value.CopyTo(destination[pos..]);
        pos += value.Length;
        pos += RowFlags.WriteSeqFlagsAndTimestamps(destination[pos..], row, flags);
        return pos;
    }

    /// <summary>
    /// Reads the row at <paramref name="position"/> in <paramref name="source"/>, checking every length
    /// against the buffer, and advances the position past it. Suffix and value are slices of the source.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static DecodedRow Decode(ReadOnlyMemory<byte> source, ref int position, string objectName)
    {
        var span = source.Span;
        var pos = position;
        var shared = Varint.Read(span, ref pos, objectName);
        var suffixLength = Varint.Read(span, ref pos, objectName);
        var valueLength = Varint.Read(span, ref pos, objectName);
        if (shared > int.MaxValue)
        {
            Corruption.Throw(objectName, $"row shares an implausible {shared} key bytes");
        }

        Need(span, pos, suffixLength, "key suffix", objectName);
        var suffix = source.Slice(pos, (int)suffixLength);
        pos += (int)suffixLength;
        Need(span, pos, valueLength, "value", objectName);
        var value = source.Slice(pos, (int)valueLength);
        pos += (int)valueLength;
        var kind = RowFlags.ReadSeqFlagsAndTimestamps(span, ref pos, objectName, out var seq, out var expireTs, out var createTs);

        if (kind == RowKind.Tombstone)
        {
            // A tombstone's value bytes (normally none) are skipped, as SlateDB's reader does.
            value = ReadOnlyMemory<byte>.Empty;
        }

        position = pos;
        return new DecodedRow((int)shared, suffix, value, kind, seq, createTs, expireTs);
    }

    /// <summary>
    /// Reads only the key parts of the row at <paramref name="position"/>: the shared length and the range of
    /// the suffix inside <paramref name="source"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void DecodeKey(ReadOnlySpan<byte> source, int position, string objectName, out int sharedLength, out int suffixStart, out int suffixLength)
    {
        var pos = position;
        var shared = Varint.Read(source, ref pos, objectName);
        var unshared = Varint.Read(source, ref pos, objectName);
        _ = Varint.Read(source, ref pos, objectName);
        if (shared > int.MaxValue)
        {
            ThrowImplausibleShared(shared, objectName);
        }

        Need(source, pos, unshared, "key suffix", objectName);
        sharedLength = (int)shared;
        suffixStart = pos;
        suffixLength = (int)unshared;
    }

    /// <summary>
    /// Reads the key parts of the row at <paramref name="position"/> (its shared length and the range of its suffix) and
    /// moves the position past the whole row, checking the lengths and the flags as <see cref="Decode"/> does but reading
    /// neither the value, the sequence number nor the timestamps: what a point search needs for the rows it passes over.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void SkipRow(ReadOnlySpan<byte> source, ref int position, string objectName, out uint sharedLength, out int suffixStart, out int suffixLength)
    {
        var pos = position;
        sharedLength = Varint.Read(source, ref pos, objectName);
        var unshared = Varint.Read(source, ref pos, objectName);
        var valueLength = Varint.Read(source, ref pos, objectName);
        Need(source, pos, unshared, "key suffix", objectName);
        suffixStart = pos;
        suffixLength = (int)unshared;
        pos += (int)unshared;
        Need(source, pos, valueLength, "value", objectName);
        pos += (int)valueLength;
        Need(source, pos, FixedLength, "sequence number and flags", objectName);
        var flags = source[pos + 8];
        RowFlags.Validate(flags, objectName);
        pos += FixedLength;
        var timestamps = ((flags & RowFlags.HasExpireTs) != 0 ? 8u : 0u) + ((flags & RowFlags.HasCreateTs) != 0 ? 8u : 0u);
        Need(source, pos, timestamps, "timestamps", objectName);
        position = pos + (int)timestamps;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Need(ReadOnlySpan<byte> span, int position, uint count, string what, string objectName)
    {
        if (count > (uint)(span.Length - position))
        {
            ThrowPastEnd(span.Length, position, count, what, objectName);
        }
    }

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowImplausibleShared(uint shared, string objectName) =>
        Corruption.Throw(objectName, $"row shares an implausible {shared} key bytes");

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowPastEnd(int length, int position, uint count, string what, string objectName) =>
        Corruption.Throw(objectName, $"row {what} ({count} bytes at byte {position}) runs past the {length}-byte buffer");
}
