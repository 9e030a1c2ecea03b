using System.Buffers;

namespace SlateDB.Format.Compression;

/// <summary>
/// Compresses and decompresses one block with the codec recorded in the SST. Zstd produces the same bytes as
/// SlateDB; Snappy (Snappier), LZ4 (K4os) and zlib (.NET's deflate at SlateDB's level) produce other valid streams,
/// which SlateDB decodes (the compatibility suite checks it).
/// Decompression never produces more than a bounded number of bytes and reports any bad input as a
/// <see cref="SlateDbErrorKind.Data"/> exception.
/// </summary>
internal static class BlockCompression
{
    /// <summary>The default cap on a decompressed block: far above any block SlateDB writes (64 KiB at most, or one oversized row).</summary>
    public const int DefaultMaxDecompressedLength = 64 * 1024 * 1024;

    /// <summary>Compresses <paramref name="source"/> into a new array.</summary>
    public static byte[] Compress(BlockCodec codec, ReadOnlySpan<byte> source)
    {
        var writer = new ArrayBufferWriter<byte>(Math.Max(64, source.Length / 2));
        Compress(codec, source, writer);
        return writer.WrittenSpan.ToArray();
    }

    /// <summary>Appends the compressed form of <paramref name="source"/> to <paramref name="destination"/>.</summary>
    public static void Compress(BlockCodec codec, ReadOnlySpan<byte> source, IBufferWriter<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        switch (codec)
        {
            case BlockCodec.None:
                source.CopyTo(destination.GetSpan(source.Length));
                destination.Advance(source.Length);
                break;
            case BlockCodec.Snappy:
                SnappyBlockCodec.Compress(source, destination);
                break;
            case BlockCodec.Zlib:
                ZlibBlockCodec.Compress(source, destination);
                break;
            case BlockCodec.Lz4:
                Lz4BlockCodec.Compress(source, destination);
                break;
            case BlockCodec.Zstd:
                ZstdBlockCodec.Compress(source, destination);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(codec), codec, "Unknown compression codec.");
        }
    }

    /// <summary>
    /// Decompresses <paramref name="source"/>. For <see cref="BlockCodec.None"/> returns the input itself.
    /// Throws a <see cref="SlateDbErrorKind.Data"/> exception naming <paramref name="objectName"/> when the input
    /// is not valid for the codec, its stated size is wrong, or it would decompress to more than
    /// <paramref name="maxLength"/> bytes.
    /// </summary>
    /// <remarks>
    /// <paramref name="longLived"/> says the caller keeps the output for long (a block going into the block cache): the
    /// Snappy and LZ4 decoders then write it on the pinned object heap, which collections of the young generations never
    /// copy, as the local store does for uncompressed blocks (<c>RangeBufferHint</c>). Zstd and zlib, whose output grows
    /// while it is decoded, keep ordinary buffers.
    /// Every codec but <see cref="BlockCodec.None"/> must return a buffer of its own, never a slice of
    /// <paramref name="source"/>: scans decode compressed blocks straight out of a pooled read buffer that is reused as
    /// soon as they are decoded (<c>TableStore.ThroughPool</c>).
    /// </remarks>
    public static ReadOnlyMemory<byte> Decompress(BlockCodec codec, ReadOnlyMemory<byte> source, string objectName, int maxLength = DefaultMaxDecompressedLength, bool longLived = false)
    {
        ArgumentNullException.ThrowIfNull(objectName);
        ArgumentOutOfRangeException.ThrowIfNegative(maxLength);
        return codec switch
        {
            BlockCodec.None => source,
            BlockCodec.Snappy => SnappyBlockCodec.Decompress(source.Span, objectName, maxLength, longLived),
            BlockCodec.Zlib => ZlibBlockCodec.Decompress(source, objectName, maxLength),
            BlockCodec.Lz4 => Lz4BlockCodec.Decompress(source.Span, objectName, maxLength, longLived),
            BlockCodec.Zstd => ZstdBlockCodec.Decompress(source.Span, objectName, maxLength),
            _ => throw new ArgumentOutOfRangeException(nameof(codec), codec, "Unknown compression codec."),
        };
    }

    /// <summary>
    /// The codec for a stored <c>CompressionFormat</c> value; throws a <see cref="SlateDbErrorKind.Data"/>
    /// exception for a value this reader does not know.
    /// </summary>
    public static BlockCodec FromStored(byte value, string objectName) => value <= (byte)BlockCodec.Zstd
        ? (BlockCodec)value
        : Corruption.Throw<BlockCodec>(objectName, $"unknown compression format {value}");

    /// <summary>Whether an exception thrown by a third-party decoder means "bad input" (and so becomes a corruption error).</summary>
    internal static bool IsDecoderFailure(Exception exception)
        => exception is not (OutOfMemoryException or SlateDbException or OperationCanceledException);
}
