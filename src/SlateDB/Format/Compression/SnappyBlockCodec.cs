using System.Buffers;
using System.Buffers.Binary;

namespace SlateDB.Format.Compression;

/// <summary>
/// Snappy raw format (a varint uncompressed length, then literal and copy elements; no framing).
/// <para>
/// The compressor reproduces the Rust <c>snap</c> 1.1 raw encoder SlateDB links, so the bytes match
/// SlateDB's exactly: input cut into 64 KiB blocks, a per-block hash table of 256 to 16384 16-bit slots,
/// a skip step that grows every 32 misses, and copies split as snap splits them. Other Snappy encoders
/// (C++ snappy, Snappier) choose matches differently. Decompression uses Snappier.
/// </para>
/// </summary>
internal static class SnappyBlockCodec
{
    private const int BlockSize = 1 << 16;
    private const int MaxTableSize = 1 << 14;
    private const int InputMargin = 16 - 1;
    private const int MinNonLiteralBlockSize = 1 + 1 + InputMargin;

    /// <summary>The most bytes <see cref="Compress(ReadOnlySpan{byte}, Span{byte})"/> writes for <paramref name="inputLength"/> input bytes.</summary>
    public static int MaxCompressedLength(int inputLength) => checked(32 + inputLength + (inputLength / 6));

    /// <summary>Appends the Snappy raw encoding of <paramref name="source"/> to <paramref name="destination"/>.</summary>
    public static void Compress(ReadOnlySpan<byte> source, IBufferWriter<byte> destination)
    {
        var span = destination.GetSpan(MaxCompressedLength(source.Length));
        destination.Advance(Compress(source, span));
    }

    /// <summary>Writes the Snappy raw encoding of <paramref name="source"/> and returns its length.</summary>
    public static int Compress(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        if (destination.Length < MaxCompressedLength(source.Length))
        {
            throw new ArgumentException("The destination is smaller than the worst-case compressed size.", nameof(destination));
        }

        var d = WriteLength(destination, (uint)source.Length);
        if (source.IsEmpty)
        {
            return d;
        }

        Span<ushort> table = stackalloc ushort[MaxTableSize];
        while (!source.IsEmpty)
        {
            var block = source[..Math.Min(source.Length, BlockSize)];
            source = source[block.Length..];
            d = block.Length < MinNonLiteralBlockSize
                ? EmitLiteral(block, 0, block.Length, destination, d)
                : CompressBlock(block, destination, d, table);
        }

        return d;
    }

    /// <summary>
    /// Decompresses Snappy raw bytes. The stated length must be at most <paramref name="maxLength"/>, plausible
    /// for the input length, and exactly what the elements produce.
    /// </summary>
    public static ReadOnlyMemory<byte> Decompress(ReadOnlySpan<byte> source, string objectName, int maxLength)
    {
        int stated;
        try
        {
            stated = Snappier.Snappy.GetUncompressedLength(source);
        }
        catch (Exception e) when (BlockCompression.IsDecoderFailure(e))
        {
            return Corruption.Throw<byte[]>(objectName, "Snappy block has no valid length", e);
        }

        // Snappy expands at most about 21 times (a 3-byte copy element yields 64 bytes).
        if (stated < 0 || stated > maxLength || stated > 22L * source.Length)
        {
            Corruption.Throw(objectName, $"Snappy block states {stated} uncompressed bytes for {source.Length} compressed bytes (limit {maxLength})");
        }

        // One spare byte: Snappier stops quietly when the output is exactly full, so a stated length shorter
        // than the real output shows only as an output that overflows into the spare byte.
        var output = new byte[stated + 1];
        int decoded;
        try
        {
            decoded = Snappier.Snappy.Decompress(source, output);
        }
        catch (Exception e) when (BlockCompression.IsDecoderFailure(e))
        {
            return Corruption.Throw<byte[]>(objectName, "Snappy block does not decode", e);
        }

        if (decoded != stated)
        {
            Corruption.Throw(objectName, $"Snappy block decodes to {(decoded > stated ? "more than " : string.Empty)}{decoded} bytes but states {stated}");
        }

        return output.AsMemory(0, stated);
    }

    private static int CompressBlock(ReadOnlySpan<byte> src, Span<byte> dst, int d, Span<ushort> fullTable)
    {
        var shift = 32 - 8;
        var tableSize = 256;
        while (tableSize < MaxTableSize && tableSize < src.Length)
        {
            shift--;
            tableSize *= 2;
        }

        var table = fullTable[..tableSize];
        table.Clear();
        var limit = src.Length - InputMargin;
        var nextEmit = 0;
        var s = 1;
        var nextHash = Hash(Read32(src, s), shift);
        while (true)
        {
            var skip = 32;
            var sNext = s;
            int candidate;
            while (true)
            {
                s = sNext;
                var step = skip >> 5;
                sNext = s + step;
                skip += step;
                if (sNext > limit)
                {
                    return Finish(src, nextEmit, dst, d);
                }

                candidate = table[nextHash];
                table[nextHash] = (ushort)s;
                nextHash = Hash(Read32(src, sNext), shift);
                if (Read32(src, s) == Read32(src, candidate))
                {
                    break;
                }
            }

            d = EmitLiteral(src, nextEmit, s, dst, d);
            while (true)
            {
                var start = s;
                s += 4;
                s += src[s..].CommonPrefixLength(src[(candidate + 4)..]);
                d = EmitCopy(start - candidate, s - start, dst, d);
                nextEmit = s;
                if (s >= limit)
                {
                    return Finish(src, nextEmit, dst, d);
                }

                var x = BinaryPrimitives.ReadUInt64LittleEndian(src[(s - 1)..]);
                table[Hash((uint)x, shift)] = (ushort)(s - 1);
                var currentHash = Hash((uint)(x >> 8), shift);
                candidate = table[currentHash];
                table[currentHash] = (ushort)s;
                if ((uint)(x >> 8) != Read32(src, candidate))
                {
                    nextHash = Hash((uint)(x >> 16), shift);
                    s++;
                    break;
                }
            }
        }
    }

    private static int Finish(ReadOnlySpan<byte> src, int nextEmit, Span<byte> dst, int d)
        => nextEmit < src.Length ? EmitLiteral(src, nextEmit, src.Length, dst, d) : d;

    private static int EmitLiteral(ReadOnlySpan<byte> src, int start, int end, Span<byte> dst, int d)
    {
        var length = end - start;
        var n = length - 1;
        if (n <= 59)
        {
            dst[d++] = (byte)(n << 2);
        }
        else if (n < 256)
        {
            dst[d++] = 60 << 2;
            dst[d++] = (byte)n;
        }
        else
        {
            dst[d++] = 61 << 2;
            BinaryPrimitives.WriteUInt16LittleEndian(dst[d..], (ushort)n);
            d += 2;
        }

        src[start..end].CopyTo(dst[d..]);
        return d + length;
    }

    private static int EmitCopy(int offset, int length, Span<byte> dst, int d)
    {
        while (length >= 68)
        {
            d = EmitCopy2(offset, 64, dst, d);
            length -= 64;
        }

        if (length > 64)
        {
            d = EmitCopy2(offset, 60, dst, d);
            length -= 60;
        }

        if (length <= 11 && offset <= 2047)
        {
            dst[d] = (byte)(((offset >> 8) << 5) | ((length - 4) << 2) | 0b01);
            dst[d + 1] = (byte)offset;
            return d + 2;
        }

        return EmitCopy2(offset, length, dst, d);
    }

    private static int EmitCopy2(int offset, int length, Span<byte> dst, int d)
    {
        dst[d] = (byte)(((length - 1) << 2) | 0b10);
        BinaryPrimitives.WriteUInt16LittleEndian(dst[(d + 1)..], (ushort)offset);
        return d + 3;
    }

    private static int WriteLength(Span<byte> dst, uint value)
    {
        var d = 0;
        while (value >= 0x80)
        {
            dst[d++] = (byte)(value | 0x80);
            value >>= 7;
        }

        dst[d++] = (byte)value;
        return d;
    }

    private static uint Read32(ReadOnlySpan<byte> src, int position) => BinaryPrimitives.ReadUInt32LittleEndian(src[position..]);

    private static int Hash(uint value, int shift) => (int)((value * 0x1E35A7BDu) >> shift);
}
