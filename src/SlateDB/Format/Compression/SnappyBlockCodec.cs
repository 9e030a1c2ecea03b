using System.Buffers;

namespace SlateDB.Format.Compression;

/// <summary>
/// Snappy raw format (a varint uncompressed length, then literal and copy elements; no framing), both directions
/// through Snappier. Its bytes differ from the Rust <c>snap</c> encoder's (each encoder picks its own matches) but any
/// valid raw stream decodes in SlateDB; the compatibility suite checks that the real SlateDB reads SSTs compressed
/// here. Snappier compresses a block in about half the time the former port of snap's encoder took
/// (docs/compaction.md).
/// </summary>
internal static class SnappyBlockCodec
{
    /// <summary>The most bytes <see cref="Compress(ReadOnlySpan{byte}, Span{byte})"/> writes for <paramref name="inputLength"/> input bytes.</summary>
    public static int MaxCompressedLength(int inputLength) => Snappier.Snappy.GetMaxCompressedLength(inputLength);

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

        return Snappier.Snappy.Compress(source, destination);
    }

    /// <summary>
    /// Decompresses Snappy raw bytes. The stated length must be at most <paramref name="maxLength"/>, plausible
    /// for the input length, and exactly what the elements produce (so every output byte is written).
    /// <paramref name="pinned"/> allocates the output on the pinned object heap, in a block size class (<see cref="Caching.PinnedBlockMemory"/>).
    /// </summary>
    public static ReadOnlyMemory<byte> Decompress(ReadOnlySpan<byte> source, string objectName, int maxLength, bool pinned = false)
    {
        var stated = StatedLength(source, objectName, maxLength);

        // One spare byte (see DecodeInto).
        var output = pinned ? Caching.PinnedBlockMemory.Allocate(stated + 1) : GC.AllocateUninitializedArray<byte>(stated + 1);
        DecodeInto(source, output.Span, stated, objectName);
        return output[..stated];
    }

    /// <summary>The uncompressed length Snappy raw bytes state, checked: at most <paramref name="maxLength"/> and plausible for the input length.</summary>
    public static int StatedLength(ReadOnlySpan<byte> source, string objectName, int maxLength)
    {
        int stated;
        try
        {
            stated = Snappier.Snappy.GetUncompressedLength(source);
        }
        catch (Exception e) when (BlockCompression.IsDecoderFailure(e))
        {
            return Corruption.Throw<int>(objectName, "Snappy block has no valid length", e);
        }

        // Snappy expands at most about 21 times (a 3-byte copy element yields 64 bytes).
        if (stated < 0 || stated > maxLength || stated > 22L * source.Length)
        {
            Corruption.Throw(objectName, $"Snappy block states {stated} uncompressed bytes for {source.Length} compressed bytes (limit {maxLength})");
        }

        return stated;
    }

    /// <summary>
    /// Decodes Snappy raw bytes stating <paramref name="stated"/> bytes into <paramref name="output"/>, which must
    /// have at least one byte more: Snappier stops quietly when the output is exactly full, so a stated length
    /// shorter than the real output shows only as an output that overflows into the spare byte.
    /// </summary>
    public static void DecodeInto(ReadOnlySpan<byte> source, Span<byte> output, int stated, string objectName)
    {
        if (output.Length <= stated)
        {
            throw new ArgumentException("The output needs one byte more than the stated length.", nameof(output));
        }

        int decoded;
        try
        {
            decoded = Snappier.Snappy.Decompress(source, output);
        }
        catch (Exception e) when (BlockCompression.IsDecoderFailure(e))
        {
            Corruption.Throw(objectName, "Snappy block does not decode", e);
            return;
        }

        if (decoded != stated)
        {
            Corruption.Throw(objectName, $"Snappy block decodes to {(decoded > stated ? "more than " : string.Empty)}{decoded} bytes but states {stated}");
        }
    }
}
