using System.Buffers;
using System.Buffers.Binary;
using K4os.Compression.LZ4;

namespace SlateDB.Format.Compression;

/// <summary>
/// LZ4 as SlateDB stores it: <c>uncompressed length (u32 LE) ++ LZ4 block</c> (lz4_flex's
/// <c>compress_prepend_size</c>). Both directions use K4os.Compression.LZ4 (its fast level). Its bytes differ from
/// lz4_flex's (each encoder picks its own matches) but any valid LZ4 block decodes in SlateDB; the compatibility
/// suite checks that the real SlateDB reads SSTs compressed here. K4os was measured as fast as the former port of
/// lz4_flex's encoder (docs/compaction.md), so the maintained one is kept.
/// </summary>
internal static class Lz4BlockCodec
{
    /// <summary>The most bytes <see cref="Compress(ReadOnlySpan{byte}, Span{byte})"/> writes for <paramref name="inputLength"/> input bytes.</summary>
    public static int MaxCompressedLength(int inputLength) => checked(4 + 1 + LZ4Codec.MaximumOutputSize(inputLength));

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
        if (source.IsEmpty)
        {
            // The empty block is one token with no literals, as lz4_flex writes and expects it.
            destination[4] = 0;
            return 5;
        }

        var written = LZ4Codec.Encode(source, destination[4..], LZ4Level.L00_FAST);
        if (written <= 0)
        {
            throw new InvalidOperationException($"LZ4 failed to compress {source.Length} bytes into {destination.Length - 4}.");
        }

        return 4 + written;
    }

    /// <summary>
    /// Decompresses a size-prefixed LZ4 block. The stated size must be at most <paramref name="maxLength"/>,
    /// plausible for the input length, and exactly what the block decodes to (so every output byte is written).
    /// <paramref name="pinned"/> allocates the output on the pinned object heap, in a block size class (<see cref="Caching.PinnedBlockMemory"/>).
    /// </summary>
    public static ReadOnlyMemory<byte> Decompress(ReadOnlySpan<byte> source, string objectName, int maxLength, bool pinned = false)
    {
        var stated = StatedLength(source, objectName, maxLength);
        if (stated == 0)
        {
            return ReadOnlyMemory<byte>.Empty;
        }

        var output = pinned ? Caching.PinnedBlockMemory.Allocate(stated) : GC.AllocateUninitializedArray<byte>(stated);
        DecodeInto(source, output.Span, objectName);
        return output;
    }

    /// <summary>
    /// The uncompressed length a size-prefixed LZ4 block states, checked: at most <paramref name="maxLength"/> and
    /// plausible for the input length (a stated 0 must be the empty block).
    /// </summary>
    public static int StatedLength(ReadOnlySpan<byte> source, string objectName, int maxLength)
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

        if (stated == 0 && (body.Length != 1 || body[0] != 0))
        {
            Corruption.Throw(objectName, "LZ4 block stating 0 bytes is not the empty block");
        }

        return (int)stated;
    }

    /// <summary>
    /// Decodes a size-prefixed LZ4 block whose <see cref="StatedLength"/> is <paramref name="output"/>'s length into
    /// <paramref name="output"/>; it must decode to exactly that many bytes.
    /// </summary>
    public static void DecodeInto(ReadOnlySpan<byte> source, Span<byte> output, string objectName)
    {
        if (output.IsEmpty)
        {
            return;
        }

        int decoded;
        try
        {
            decoded = LZ4Codec.Decode(source[4..], output);
        }
        catch (Exception e) when (BlockCompression.IsDecoderFailure(e))
        {
            Corruption.Throw(objectName, "LZ4 block does not decode", e);
            return;
        }

        if (decoded != output.Length)
        {
            Corruption.Throw(objectName, decoded < 0
                ? "LZ4 block does not decode"
                : $"LZ4 block decodes to {decoded} bytes but states {output.Length}");
        }
    }
}
