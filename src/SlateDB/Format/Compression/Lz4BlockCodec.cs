using System.Buffers;
using System.Buffers.Binary;
using K4os.Compression.LZ4;

namespace SlateDB.Format.Compression;

/// <summary>
/// LZ4 as SlateDB stores it: <c>uncompressed length (u32 LE) ++ LZ4 block</c> (lz4_flex's
/// <c>compress_prepend_size</c>).
/// <para>
/// The compressor reproduces lz4_flex 0.11's block compressor (the one SlateDB links) so the bytes match
/// SlateDB's exactly: a 4096-slot hash table (16-bit positions and a 32-bit multiplicative hash below 64 KiB
/// of input, 32-bit positions and a 5-byte hash above), a skip step that grows every 32 misses, backward match
/// extension, and no match starting within the last 12 bytes. Other LZ4 encoders produce different (equally
/// valid) bytes. Decompression uses K4os.Compression.LZ4.
/// </para>
/// </summary>
internal static class Lz4BlockCodec
{
    private const int MinInputForMatches = 13; // MFLIMIT + 1
    private const int MatchSearchLimitFromEnd = 12; // MFLIMIT: no match starts after len - 12
    private const int LastLiterals = 5;
    private const int MinMatch = 4;
    private const int MaxDistance = ushort.MaxValue;
    private const int HashTableSize = 4096;

    /// <summary>The most bytes <see cref="Compress(ReadOnlySpan{byte}, Span{byte})"/> writes for <paramref name="inputLength"/> input bytes.</summary>
    public static int MaxCompressedLength(int inputLength) => checked(4 + 16 + 4 + (int)(inputLength * 110L / 100));

    /// <summary>Appends the size-prefixed LZ4 block for <paramref name="source"/> to <paramref name="destination"/>.</summary>
    public static void Compress(ReadOnlySpan<byte> source, IBufferWriter<byte> destination)
    {
        var span = destination.GetSpan(MaxCompressedLength(source.Length));
        destination.Advance(Compress(source, span));
    }

    /// <summary>Writes the size-prefixed LZ4 block for <paramref name="source"/> and returns its length.</summary>
    public static int Compress(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        if (destination.Length < MaxCompressedLength(source.Length))
        {
            throw new ArgumentException("The destination is smaller than the worst-case compressed size.", nameof(destination));
        }

        BinaryPrimitives.WriteUInt32LittleEndian(destination, (uint)source.Length);
        var output = destination[4..];
        int written;
        if (source.Length < MinInputForMatches)
        {
            written = WriteLastLiterals(source, 0, output, 0);
        }
        else if (source.Length < ushort.MaxValue)
        {
            Span<ushort> table = stackalloc ushort[HashTableSize];
            table.Clear();
            written = CompressSmall(source, output, table);
        }
        else
        {
            Span<uint> table = stackalloc uint[HashTableSize];
            table.Clear();
            written = CompressLarge(source, output, table);
        }

        return 4 + written;
    }

    /// <summary>
    /// Decompresses a size-prefixed LZ4 block. The stated size must be at most <paramref name="maxLength"/>,
    /// plausible for the input length, and exactly what the block decodes to.
    /// </summary>
    public static byte[] Decompress(ReadOnlySpan<byte> source, string objectName, int maxLength)
    {
        if (source.Length < 4)
        {
            Corruption.Throw(objectName, $"LZ4 block of {source.Length} bytes has no size prefix");
        }

        var stated = BinaryPrimitives.ReadUInt32LittleEndian(source);
        var body = source[4..];

        // LZ4 expands at most about 255 times (a long match costs one byte per 255 output bytes).
        if (stated > (uint)maxLength || stated > (255L * body.Length) + 64)
        {
            Corruption.Throw(objectName, $"LZ4 block states {stated} uncompressed bytes for {body.Length} compressed bytes (limit {maxLength})");
        }

        if (stated == 0)
        {
            if (body.Length != 1 || body[0] != 0)
            {
                Corruption.Throw(objectName, "LZ4 block stating 0 bytes is not the empty block");
            }

            return [];
        }

        var output = new byte[stated];
        int decoded;
        try
        {
            decoded = LZ4Codec.Decode(body, output);
        }
        catch (Exception e) when (BlockCompression.IsDecoderFailure(e))
        {
            return Corruption.Throw<byte[]>(objectName, "LZ4 block does not decode", e);
        }

        if (decoded != output.Length)
        {
            Corruption.Throw(objectName, decoded < 0
                ? "LZ4 block does not decode"
                : $"LZ4 block decodes to {decoded} bytes but states {stated}");
        }

        return output;
    }

    private static int CompressSmall(ReadOnlySpan<byte> input, Span<byte> output, Span<ushort> table)
    {
        var end = input.Length - MatchSearchLimitFromEnd;
        var outPos = 0;
        var literalStart = 0;
        table[HashSmall(input, 0)] = 0;
        var cur = 1;
        while (true)
        {
            var misses = 1 << 5;
            var next = cur;
            int candidate;
            while (true)
            {
                cur = next;
                next += misses++ >> 5;
                if (cur > end)
                {
                    return WriteLastLiterals(input, literalStart, output, outPos);
                }

                var hash = HashSmall(input, cur);
                candidate = table[hash];
                table[hash] = (ushort)cur;
                if (cur - candidate <= MaxDistance && Read32(input, candidate) == Read32(input, cur))
                {
                    break;
                }
            }

            outPos = EmitSequence(input, output, outPos, literalStart, ref cur, candidate);
            table[HashSmall(input, cur - 2)] = (ushort)(cur - 2);
            literalStart = cur;
        }
    }

    private static int CompressLarge(ReadOnlySpan<byte> input, Span<byte> output, Span<uint> table)
    {
        var end = input.Length - MatchSearchLimitFromEnd;
        var outPos = 0;
        var literalStart = 0;
        table[HashLarge(input, 0)] = 0;
        var cur = 1;
        while (true)
        {
            var misses = 1 << 5;
            var next = cur;
            int candidate;
            while (true)
            {
                cur = next;
                next += misses++ >> 5;
                if (cur > end)
                {
                    return WriteLastLiterals(input, literalStart, output, outPos);
                }

                var hash = HashLarge(input, cur);
                candidate = (int)table[hash];
                table[hash] = (uint)cur;
                if (cur - candidate <= MaxDistance && Read32(input, candidate) == Read32(input, cur))
                {
                    break;
                }
            }

            outPos = EmitSequence(input, output, outPos, literalStart, ref cur, candidate);
            table[HashLarge(input, cur - 2)] = (uint)(cur - 2);
            literalStart = cur;
        }
    }

    /// <summary>Extends a 4-byte match at <paramref name="cur"/> both ways, writes literals and match, and moves past it.</summary>
    private static int EmitSequence(ReadOnlySpan<byte> input, Span<byte> output, int outPos, int literalStart, ref int cur, int candidate)
    {
        var offset = cur - candidate;
        while (candidate > 0 && cur > literalStart && input[cur - 1] == input[candidate - 1])
        {
            cur--;
            candidate--;
        }

        var literalLength = cur - literalStart;
        cur += MinMatch;
        candidate += MinMatch;
        var extra = input[cur..(input.Length - LastLiterals - 1)].CommonPrefixLength(input[candidate..]);
        cur += extra;

        output[outPos++] = (byte)((Math.Min(literalLength, 15) << 4) | Math.Min(extra, 15));
        if (literalLength >= 15)
        {
            outPos = WriteLength(output, outPos, literalLength - 15);
        }

        input.Slice(literalStart, literalLength).CopyTo(output[outPos..]);
        outPos += literalLength;
        BinaryPrimitives.WriteUInt16LittleEndian(output[outPos..], (ushort)offset);
        outPos += 2;
        if (extra >= 15)
        {
            outPos = WriteLength(output, outPos, extra - 15);
        }

        return outPos;
    }

    private static int WriteLastLiterals(ReadOnlySpan<byte> input, int start, Span<byte> output, int outPos)
    {
        var length = input.Length - start;
        output[outPos++] = (byte)(Math.Min(length, 15) << 4);
        if (length >= 15)
        {
            outPos = WriteLength(output, outPos, length - 15);
        }

        input[start..].CopyTo(output[outPos..]);
        return outPos + length;
    }

    private static int WriteLength(Span<byte> output, int outPos, int value)
    {
        while (value >= 0xFF)
        {
            output[outPos++] = 0xFF;
            value -= 0xFF;
        }

        output[outPos++] = (byte)value;
        return outPos;
    }

    private static uint Read32(ReadOnlySpan<byte> input, int position) => BinaryPrimitives.ReadUInt32LittleEndian(input[position..]);

    private static int HashSmall(ReadOnlySpan<byte> input, int position)
        => (int)((Read32(input, position) * 2654435761u) >> 20);

    private static int HashLarge(ReadOnlySpan<byte> input, int position)
        => (int)(((BinaryPrimitives.ReadUInt64LittleEndian(input[position..]) << 24) * 889523592379UL) >> 52);
}
