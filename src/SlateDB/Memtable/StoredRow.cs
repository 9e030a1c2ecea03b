using System.Buffers.Binary;
using SlateDB.Format;

namespace SlateDB.Memtable;

/// <summary>
/// How the table lays a <see cref="RowEntry"/> out in its <see cref="RowArena"/>:
/// <code>
/// value length (i32 LE) | flags (u8: kind in bits 0-1, create ts bit 2, expire ts bit 3, fold bit 4)
/// | create ts (i64 LE, if flagged) | expire ts (i64 LE, if flagged) | key | value | fold (if flagged)
/// </code>
/// A merge operand may carry a fold of itself and older operands of its key (<see cref="StoredFold"/>) after its
/// value; nothing but the fold-aware point read looks at it, so flushes and the WAL see the operand as written.
/// The seq and the key length live in the skip-list node, so a row is 5 bytes (13 with a create time) plus its key
/// and value, and one read of it usually brings header, key and value into the cache together.
/// </summary>
internal static class StoredRow
{
    private const int FixedLength = sizeof(int) + 1;
    private const byte KindMask = 3;
    private const byte HasCreateTs = 4;
    private const byte HasExpireTs = 8;
    private const byte HasFoldFlag = 16;

    /// <summary>The bytes <paramref name="row"/> takes.</summary>
    public static int Length(in RowEntry row) =>
        FixedLength + row.Key.Length + row.Value.Length
        + (row.CreateTs.HasValue ? sizeof(long) : 0)
        + (row.ExpireTs.HasValue ? sizeof(long) : 0);

    /// <summary>
    /// Writes <paramref name="row"/> at <paramref name="offset"/> of <paramref name="chunk"/> (<see cref="Length"/> bytes)
    /// and returns it as stored: the same row over the copied key and value.
    /// </summary>
    public static RowEntry Write(byte[] chunk, int offset, in RowEntry row) => Write(chunk, offset, row, hasFold: false);

    /// <summary>
    /// Writes <paramref name="row"/> as <see cref="Write(byte[], int, in RowEntry)"/> does, flagged as followed by a
    /// fold when <paramref name="hasFold"/> (the caller writes it at <see cref="Length"/> bytes past the row's start).
    /// </summary>
    public static RowEntry Write(byte[] chunk, int offset, in RowEntry row, bool hasFold)
    {
        var destination = chunk.AsSpan(offset);
        var value = row.Value.Span;
        BinaryPrimitives.WriteInt32LittleEndian(destination, value.Length);
        var flags = (byte)(((byte)row.Kind & KindMask) | (hasFold ? HasFoldFlag : 0));
        var pos = FixedLength;
        if (row.CreateTs is { } createTs)
        {
            flags |= HasCreateTs;
            BinaryPrimitives.WriteInt64LittleEndian(destination[pos..], createTs);
            pos += sizeof(long);
        }

        if (row.ExpireTs is { } expireTs)
        {
            flags |= HasExpireTs;
            BinaryPrimitives.WriteInt64LittleEndian(destination[pos..], expireTs);
            pos += sizeof(long);
        }

        destination[sizeof(int)] = flags;
        var key = row.Key.Span;
        key.CopyTo(destination[pos..]);
        value.CopyTo(destination[(pos + key.Length)..]);
        var keyStart = offset + pos;
        return new RowEntry(
            new ReadOnlyMemory<byte>(chunk, keyStart, key.Length),
            value.IsEmpty ? ReadOnlyMemory<byte>.Empty : new ReadOnlyMemory<byte>(chunk, keyStart + key.Length, value.Length),
            row.Kind,
            row.Seq,
            row.CreateTs,
            row.ExpireTs);
    }

    /// <summary>The row stored at <paramref name="offset"/>; its key and value are slices of <paramref name="chunk"/>.</summary>
    public static RowEntry Read(byte[] chunk, int offset, int keyLength, ulong seq)
    {
        var header = chunk.AsSpan(offset);
        var valueLength = BinaryPrimitives.ReadInt32LittleEndian(header);
        var flags = header[sizeof(int)];
        var pos = FixedLength;
        long? createTs = null;
        long? expireTs = null;
        if ((flags & HasCreateTs) != 0)
        {
            createTs = BinaryPrimitives.ReadInt64LittleEndian(header[pos..]);
            pos += sizeof(long);
        }

        if ((flags & HasExpireTs) != 0)
        {
            expireTs = BinaryPrimitives.ReadInt64LittleEndian(header[pos..]);
            pos += sizeof(long);
        }

        var keyStart = offset + pos;
        return new RowEntry(
            new ReadOnlyMemory<byte>(chunk, keyStart, keyLength),
            valueLength == 0 ? ReadOnlyMemory<byte>.Empty : new ReadOnlyMemory<byte>(chunk, keyStart + keyLength, valueLength),
            (RowKind)(flags & KindMask),
            seq,
            createTs,
            expireTs);
    }

    /// <summary>True when the row stored at <paramref name="offset"/> is followed by a <see cref="StoredFold"/>.</summary>
    public static bool HasFold(byte[] chunk, int offset) => (chunk[offset + sizeof(int)] & HasFoldFlag) != 0;

    /// <summary>Where the fold of the row stored at <paramref name="offset"/> starts (when <see cref="HasFold"/>).</summary>
    public static int FoldOffset(byte[] chunk, int offset, int keyLength) =>
        offset + HeaderLength(chunk[offset + sizeof(int)]) + keyLength + BinaryPrimitives.ReadInt32LittleEndian(chunk.AsSpan(offset));

    /// <summary>The key of the row stored at <paramref name="offset"/>.</summary>
    public static ReadOnlySpan<byte> Key(byte[] chunk, int offset, int keyLength) =>
        chunk.AsSpan(offset + HeaderLength(chunk[offset + sizeof(int)]), keyLength);

    /// <summary>Same as <see cref="KvTable.EstimateSize"/> of the row stored at <paramref name="offset"/>.</summary>
    public static long EstimatedSize(byte[] chunk, int offset, int keyLength) =>
        keyLength + BinaryPrimitives.ReadInt32LittleEndian(chunk.AsSpan(offset)) + sizeof(ulong)
        + HeaderLength(chunk[offset + sizeof(int)]) - FixedLength;

    /// <summary>The bytes before the key of <paramref name="row"/> as stored (length, flags, timestamps).</summary>
    public static int HeaderLength(in RowEntry row) =>
        FixedLength + (row.CreateTs.HasValue ? sizeof(long) : 0) + (row.ExpireTs.HasValue ? sizeof(long) : 0);

    private static int HeaderLength(byte flags) =>
        FixedLength + ((flags & HasCreateTs) != 0 ? sizeof(long) : 0) + ((flags & HasExpireTs) != 0 ? sizeof(long) : 0);
}
