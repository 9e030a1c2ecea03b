using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace SlateDB.Format.Rows;

/// <summary>
/// The flags byte of an encoded row (both row codecs): what the row holds and which timestamps follow.
/// Bits other than these four, or tombstone and merge together, make a row undecodable.
/// </summary>
internal static class RowFlags
{
    /// <summary>The row is a tombstone (no value).</summary>
    public const byte Tombstone = 0x01;

    /// <summary>An expire timestamp (i64) follows.</summary>
    public const byte HasExpireTs = 0x02;

    /// <summary>A create timestamp (i64) follows, after the expire timestamp when both are present.</summary>
    public const byte HasCreateTs = 0x04;

    /// <summary>The row is a merge operand.</summary>
    public const byte MergeOperand = 0x08;

    /// <summary>Every bit a reader understands.</summary>
    public const byte Known = Tombstone | HasExpireTs | HasCreateTs | MergeOperand;

    /// <summary>The flags an encoder writes for <paramref name="row"/>.</summary>
    public static byte For(in RowEntry row)
    {
        var flags = row.Kind switch
        {
            RowKind.Value => (byte)0,
            RowKind.Tombstone => Tombstone,
            RowKind.Merge => MergeOperand,
            _ => throw new ArgumentOutOfRangeException(nameof(row), row.Kind, "Unknown row kind."),
        };
        if (row.ExpireTs.HasValue)
        {
            flags |= HasExpireTs;
        }

        if (row.CreateTs.HasValue)
        {
            flags |= HasCreateTs;
        }

        return flags;
    }

    /// <summary>
    /// Checks a stored flags byte and returns the row kind it names; throws a
    /// <see cref="SlateDbErrorKind.Data"/> exception for unknown bits or tombstone together with merge.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static RowKind Validate(byte flags, string objectName)
    {
        if ((flags & ~Known) != 0)
        {
            ThrowUnknownBits(flags, objectName);
        }

        switch (flags & (Tombstone | MergeOperand))
        {
            case 0:
                return RowKind.Value;
            case Tombstone:
                return RowKind.Tombstone;
            case MergeOperand:
                return RowKind.Merge;
            default:
                ThrowTombstoneAndMerge(flags, objectName);
                return default;
        }
    }

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowUnknownBits(byte flags, string objectName) =>
        Corruption.Throw(objectName, $"row flags 0x{flags:x2} have bits this reader does not know (known: 0x{Known:x2}); the data may come from a newer codec");

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowTombstoneAndMerge(byte flags, string objectName) =>
        Corruption.Throw(objectName, $"row flags 0x{flags:x2} mark the row both tombstone and merge operand");

    /// <summary>
    /// Writes the part both row codecs end with: the sequence number (u64), the flags byte, then the expire and create
    /// timestamps (i64) that are present. Returns the bytes written; the caller sized <paramref name="destination"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int WriteSeqFlagsAndTimestamps(Span<byte> destination, in RowEntry row, byte flags)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, row.Seq);
        destination[8] = flags;
        var pos = 9;
        if (row.ExpireTs is { } expireTs)
        {
            BinaryPrimitives.WriteInt64BigEndian(destination[pos..], expireTs);
            pos += 8;
        }

        if (row.CreateTs is { } createTs)
        {
            BinaryPrimitives.WriteInt64BigEndian(destination[pos..], createTs);
            pos += 8;
        }

        return pos;
    }

    /// <summary>
    /// Reads the part both row versions share after the key and value: the sequence number (u64 BE), the flags, then
    /// expire_ts and create_ts (i64 BE) when their flags say so. Advances <paramref name="position"/> past them.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static RowKind ReadSeqFlagsAndTimestamps(ReadOnlySpan<byte> span, ref int position, string objectName, out ulong seq, out long? expireTs, out long? createTs)
    {
        Need(span, position, 9, "sequence number and flags", objectName);
        seq = System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(span[position..]);
        var flags = span[position + 8];
        position += 9;
        var kind = Validate(flags, objectName);
        expireTs = (flags & HasExpireTs) != 0 ? ReadTimestamp(span, ref position, "expire timestamp", objectName) : null;
        createTs = (flags & HasCreateTs) != 0 ? ReadTimestamp(span, ref position, "create timestamp", objectName) : null;
        return kind;
    }

    private static long ReadTimestamp(ReadOnlySpan<byte> span, ref int position, string what, string objectName)
    {
        Need(span, position, 8, what, objectName);
        var value = System.Buffers.Binary.BinaryPrimitives.ReadInt64BigEndian(span[position..]);
        position += 8;
        return value;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Need(ReadOnlySpan<byte> span, int position, int count, string what, string objectName)
    {
        if ((uint)count > (uint)(span.Length - position))
        {
            Corruption.Throw(objectName, $"row {what} ({count} bytes at byte {position}) runs past the {span.Length}-byte buffer");
        }
    }
}
