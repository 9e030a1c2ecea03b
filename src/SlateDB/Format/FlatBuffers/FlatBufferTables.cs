using System.Buffers.Binary;

namespace SlateDB.Format.FlatBuffers;

/// <summary>
/// Reads fields of a FlatBuffers buffer that <see cref="FlatBufferVerifier"/> has already passed, straight from the
/// bytes: for the metadata read on every open (an SST's index holds one table per data block), where the generated
/// accessors of Google.FlatBuffers (which ships no ReadyToRun code) would run unoptimized in a fresh process and copy
/// each key into an array of its own. Positions are absolute offsets into the buffer; every read is bounds-checked by
/// the span, so a buffer that was not verified fails with <see cref="IndexOutOfRangeException"/>, never reads outside.
/// </summary>
internal static class FlatBufferTables
{
    /// <summary>The position of the root table.</summary>
    public static int Root(ReadOnlySpan<byte> buffer) => Follow(buffer, 0);

    /// <summary>The position of field <paramref name="field"/> (its index in the schema) of the table at <paramref name="table"/>; -1 when absent.</summary>
    public static int Field(ReadOnlySpan<byte> buffer, int table, int field)
    {
        var vtable = checked(table - BinaryPrimitives.ReadInt32LittleEndian(buffer[table..]));
        var slot = 4 + (2 * field);
        if (slot + 2 > BinaryPrimitives.ReadUInt16LittleEndian(buffer[vtable..]))
        {
            return -1;
        }

        var offset = BinaryPrimitives.ReadUInt16LittleEndian(buffer[(vtable + slot)..]);
        return offset == 0 ? -1 : table + offset;
    }

    /// <summary>The position an offset field at <paramref name="position"/> points at (a table, vector or string).</summary>
    public static int Follow(ReadOnlySpan<byte> buffer, int position)
        => checked(position + (int)BinaryPrimitives.ReadUInt32LittleEndian(buffer[position..]));

    /// <summary>The length of the vector at <paramref name="vector"/> (its elements start 4 bytes after).</summary>
    public static int VectorLength(ReadOnlySpan<byte> buffer, int vector)
        => checked((int)BinaryPrimitives.ReadUInt32LittleEndian(buffer[vector..]));

    /// <summary>The bytes of the byte vector field <paramref name="field"/> of the table at <paramref name="table"/>; empty when absent.</summary>
    public static ReadOnlySpan<byte> Bytes(ReadOnlySpan<byte> buffer, int table, int field)
    {
        var position = Field(buffer, table, field);
        if (position < 0)
        {
            return [];
        }

        var vector = Follow(buffer, position);
        return buffer.Slice(vector + 4, VectorLength(buffer, vector));
    }

    /// <summary>The unsigned 64-bit field <paramref name="field"/> of the table at <paramref name="table"/>; 0 (its default) when absent.</summary>
    public static ulong UInt64(ReadOnlySpan<byte> buffer, int table, int field)
    {
        var position = Field(buffer, table, field);
        return position < 0 ? 0 : BinaryPrimitives.ReadUInt64LittleEndian(buffer[position..]);
    }
}
