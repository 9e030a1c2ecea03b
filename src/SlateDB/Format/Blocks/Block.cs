using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using SlateDB.Format.Rows;

namespace SlateDB.Format.Blocks;

/// <summary>
/// A decoded, immutable data block (after checksum and decompression):
/// <c>data ++ offsets (u16 BE each) ++ count (u16 BE)</c>. For V1 the offsets point at every entry; for V2 at
/// every restart point. Decoding checks the trailer and every offset against the buffer; rows are checked as
/// iterators read them. Keys and values handed out are slices of the buffer where possible.
/// </summary>
internal sealed class Block
{
    private readonly ReadOnlyMemory<byte> _encoded;

    private Block(BlockFormatVersion version, ReadOnlyMemory<byte> encoded, int dataLength, int offsetCount, ReadOnlyMemory<byte> firstKey, string objectName)
    {
        Version = version;
        _encoded = encoded;
        DataLength = dataLength;
        OffsetCount = offsetCount;
        FirstKeyV1 = firstKey;
        ObjectName = objectName;
    }

    /// <summary>The block's encoding.</summary>
    public BlockFormatVersion Version { get; }

    /// <summary>The object the block came from, named in corruption errors.</summary>
    public string ObjectName { get; }

    /// <summary>The whole encoded block.</summary>
    public ReadOnlyMemory<byte> Encoded => _encoded;

    /// <summary>The row bytes (everything before the offsets).</summary>
    public ReadOnlyMemory<byte> Data => _encoded[..DataLength];

    /// <summary>The length of <see cref="Data"/>.</summary>
    public int DataLength { get; }

    /// <summary>How many u16 offsets the trailer holds: entries for V1, restart points for V2.</summary>
    public int OffsetCount { get; }

    /// <summary>For V1, the block's first key (the reference for every row's prefix); empty for V2.</summary>
    internal ReadOnlyMemory<byte> FirstKeyV1 { get; }

    /// <summary>
    /// Decodes a block. Throws a <see cref="SlateDbErrorKind.Data"/> exception naming
    /// <paramref name="objectName"/> when the trailer or an offset does not fit the buffer, offsets are not
    /// strictly increasing from zero, or the block has no entries.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Block Decode(ReadOnlyMemory<byte> encoded, BlockFormatVersion version, string objectName)
    {
        ArgumentNullException.ThrowIfNull(objectName);
        if (version is not (BlockFormatVersion.V1 or BlockFormatVersion.V2))
        {
            throw new ArgumentOutOfRangeException(nameof(version), version, "Unknown block format version.");
        }

        var span = encoded.Span;
        if (span.Length < 2)
        {
            Corruption.Throw(objectName, $"block of {span.Length} bytes is too short for its entry count");
        }

        int count = BinaryPrimitives.ReadUInt16BigEndian(span[^2..]);
        if (count == 0)
        {
            Corruption.Throw(objectName, "block holds no entries");
        }

        var trailerLength = 2 + (2 * count);
        if (trailerLength > span.Length)
        {
            Corruption.Throw(objectName, $"block of {span.Length} bytes is too short for {count} offsets");
        }

        var dataLength = span.Length - trailerLength;
        var offsets = span.Slice(dataLength, 2 * count);
        var previous = -1;
        for (var i = 0; i < count; i++)
        {
            int offset = BinaryPrimitives.ReadUInt16BigEndian(offsets[(2 * i)..]);
            if (offset >= dataLength || offset <= previous || (i == 0 && offset != 0))
            {
                Corruption.Throw(objectName, $"block offset {i} is {offset}: offsets must start at 0, increase, and stay below the {dataLength}-byte data");
            }

            previous = offset;
        }

        var firstKey = ReadOnlyMemory<byte>.Empty;
        if (version == BlockFormatVersion.V1)
        {
            RowCodecV1.DecodeKey(span[..dataLength], 0, objectName, out var shared, out var start, out var length);
            if (shared != 0)
            {
                Corruption.Throw(objectName, $"the first row of a V1 block shares {shared} key bytes; it must share none");
            }

            firstKey = encoded.Slice(start, length);
        }

        return new Block(version, encoded, dataLength, count, firstKey, objectName);
    }

    /// <summary>The offset (into <see cref="Data"/>) stored at <paramref name="index"/> in the trailer.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int OffsetAt(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, OffsetCount);
        return BinaryPrimitives.ReadUInt16BigEndian(_encoded.Span[(DataLength + (2 * index))..]);
    }

    /// <summary>Where the stretch starting at offset <paramref name="index"/> ends: the next offset, or the end of the data.</summary>
    internal int EndOfOffset(int index) => index + 1 < OffsetCount ? OffsetAt(index + 1) : DataLength;

    /// <summary>
    /// For V2, the full key stored at restart point <paramref name="restart"/> (a slice of the block): a row at a
    /// restart point shares no bytes with the row before it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal ReadOnlySpan<byte> RestartKeyV2(int restart)
    {
        var data = _encoded.Span[..EndOfOffset(restart)];
        RowCodecV2.DecodeKey(data, OffsetAt(restart), ObjectName, out var shared, out var start, out var length);
        if (shared != 0)
        {
            ThrowSharedAtRestart(restart, shared);
        }

        return data.Slice(start, length);
    }

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowSharedAtRestart(int restart, int shared) =>
        Corruption.Throw(ObjectName, $"the row at restart point {restart} shares {shared} key bytes; it must share none");

    /// <summary>A new iterator over this block, not yet positioned (call a seek first).</summary>
    public BlockIterator CreateIterator() => Version == BlockFormatVersion.V1
        ? new BlockIteratorV1(this)
        : new BlockIteratorV2(this);
}
