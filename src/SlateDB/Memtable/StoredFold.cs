using System.Buffers.Binary;

namespace SlateDB.Memtable;

/// <summary>
/// The fold a merge operand may carry in the memtable (written after its value, see <see cref="StoredRow"/>): the
/// operator applied to the operand and the older versions of its key just below it in the same table, so a point
/// read takes one step instead of one per operand:
/// <code>
/// flags (u8: resolved bit 0, reaches table bottom bit 1, create ts bit 2) | lowest seq covered (u64 LE)
/// | create ts (i64 LE) | value length (i32 LE) | value
/// </code>
/// A fold is "resolved" when it covers the key's whole history (it reached a value or a tombstone, or a read found
/// nothing older anywhere): its value is then what a read at the operand's sequence returns. Otherwise it is one
/// operand standing for the ones it covers. The flags byte is the only byte ever written after the row is published:
/// a reader may set the resolved bit (see <see cref="KvTable.MarkResolved"/>).
/// </summary>
internal static class StoredFold
{
    /// <summary>The fold covers the key's whole history: its value is a value, not an operand.</summary>
    public const byte Resolved = 1;

    /// <summary>The oldest operand covered has no older version of its key in this table.</summary>
    public const byte ReachesBottom = 2;

    private const byte HasCreateTs = 4;
    private const int FixedLength = 1 + sizeof(ulong) + sizeof(long) + sizeof(int);

    /// <summary>The bytes a fold with a value of <paramref name="valueLength"/> bytes takes.</summary>
    public static int Length(int valueLength) => FixedLength + valueLength;

    /// <summary>Writes a fold at <paramref name="offset"/> of <paramref name="chunk"/>.</summary>
    public static void Write(byte[] chunk, int offset, byte flags, ulong lowSeq, long? createTs, ReadOnlySpan<byte> value)
    {
        var destination = chunk.AsSpan(offset);
        destination[0] = (byte)(flags | (createTs.HasValue ? HasCreateTs : 0));
        BinaryPrimitives.WriteUInt64LittleEndian(destination[1..], lowSeq);
        BinaryPrimitives.WriteInt64LittleEndian(destination[(1 + sizeof(ulong))..], createTs ?? 0);
        BinaryPrimitives.WriteInt32LittleEndian(destination[(1 + sizeof(ulong) + sizeof(long))..], value.Length);
        value.CopyTo(destination[FixedLength..]);
    }

    /// <summary>The flags of the fold at <paramref name="offset"/> (read with acquire semantics: a reader may set <see cref="Resolved"/>).</summary>
    public static byte Flags(byte[] chunk, int offset) => Volatile.Read(ref chunk[offset]);

    /// <summary>The lowest sequence the fold covers.</summary>
    public static ulong LowSeq(byte[] chunk, int offset) => BinaryPrimitives.ReadUInt64LittleEndian(chunk.AsSpan(offset + 1));

    /// <summary>The latest create time of the rows the fold covers.</summary>
    public static long? CreateTs(byte[] chunk, int offset) => (chunk[offset] & HasCreateTs) != 0
        ? BinaryPrimitives.ReadInt64LittleEndian(chunk.AsSpan(offset + 1 + sizeof(ulong)))
        : null;

    /// <summary>The folded value (a slice of the chunk, which never changes).</summary>
    public static ReadOnlyMemory<byte> Value(byte[] chunk, int offset)
    {
        var length = BinaryPrimitives.ReadInt32LittleEndian(chunk.AsSpan(offset + 1 + sizeof(ulong) + sizeof(long)));
        return length == 0 ? ReadOnlyMemory<byte>.Empty : new ReadOnlyMemory<byte>(chunk, offset + FixedLength, length);
    }

    /// <summary>Sets the resolved bit (any thread; only ever adds the bit).</summary>
    public static void MarkResolved(byte[] chunk, int offset) => Volatile.Write(ref chunk[offset], (byte)(chunk[offset] | Resolved));
}
