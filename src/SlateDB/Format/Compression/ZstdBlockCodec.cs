using System.Buffers;
using ZstdSharp;

namespace SlateDB.Format.Compression;

/// <summary>
/// Zstandard at level 3 in one frame with its content size, as SlateDB's <c>zstd::bulk::compress(data, 3)</c>
/// (libzstd 1.5.7) writes it. ZstdSharp is a port of the same library and gives the same bytes (checked
/// against SSTs written by SlateDB 0.12.1). Reading accepts any sequence of
/// frames (as SlateDB's <c>decode_all</c> does) and grows its output only as bytes are produced, up to a cap.
/// Compression and decompression contexts are reused per thread.
/// </summary>
internal static class ZstdBlockCodec
{
    /// <summary>SlateDB's level.</summary>
    public const int Level = 3;

    [ThreadStatic]
    private static Compressor? t_compressor;

    [ThreadStatic]
    private static Decompressor? t_decompressor;

    /// <summary>Appends one zstd frame holding <paramref name="source"/> to <paramref name="destination"/>.</summary>
    public static void Compress(ReadOnlySpan<byte> source, IBufferWriter<byte> destination)
    {
        var compressor = t_compressor ??= new Compressor(Level);
        var span = destination.GetSpan(Compressor.GetCompressBound(source.Length));
        destination.Advance(compressor.Wrap(source, span));
    }

    /// <summary>Decompresses one or more zstd frames into at most <paramref name="maxLength"/> bytes.</summary>
    public static byte[] Decompress(ReadOnlySpan<byte> source, string objectName, int maxLength)
    {
        if (source.IsEmpty)
        {
            Corruption.Throw(objectName, "zstd input is empty");
        }

        var decompressor = t_decompressor ??= new Decompressor();
        var inPos = 0;
        var outPos = 0;
        try
        {
            var buffer = new byte[InitialCapacity(source, maxLength)];
            decompressor.ResetStream();
            while (true)
            {
                var status = decompressor.UnwrapStream(source[inPos..], buffer.AsSpan(outPos), out var consumed, out var written);
                inPos += consumed;
                outPos += written;
                switch (status)
                {
                    case OperationStatus.Done when inPos == source.Length:
                        return outPos == buffer.Length ? buffer : buffer.AsSpan(0, outPos).ToArray();
                    case OperationStatus.Done when consumed > 0 || written > 0:
                        // Another frame follows.
                        continue;
                    case OperationStatus.DestinationTooSmall:
                        if (buffer.Length >= maxLength)
                        {
                            Corruption.Throw(objectName, $"zstd input decompresses to more than {maxLength} bytes");
                        }

                        Array.Resize(ref buffer, (int)Math.Min(maxLength, buffer.Length * 2L));
                        continue;
                    case OperationStatus.NeedMoreData when inPos < source.Length && (consumed > 0 || written > 0):
                        continue;
                    case OperationStatus.NeedMoreData:
                        Corruption.Throw(objectName, "zstd input ends inside a frame");
                        break;
                    default:
                        Corruption.Throw(objectName, "zstd input does not decode");
                        break;
                }
            }
        }
        catch (Exception e) when (BlockCompression.IsDecoderFailure(e))
        {
            // The context may be mid-frame; start the next call from a clean one.
            t_decompressor = null;
            return Corruption.Throw<byte[]>(objectName, "zstd input does not decode", e);
        }
    }

    /// <summary>The stated content size when it is present and allowed, else a modest start that grows as needed.</summary>
    private static int InitialCapacity(ReadOnlySpan<byte> source, int maxLength)
    {
        var guess = Math.Min(maxLength, Math.Max(256, source.Length * 4L));
        try
        {
            var stated = Decompressor.GetDecompressedSize(source);
            if (stated <= (ulong)maxLength && stated <= (ulong)Math.Max(guess, 1L << 20))
            {
                return (int)Math.Max(stated, 1);
            }
        }
        catch (ZstdException)
        {
            // No usable size in the header; the decoder reports what is wrong with the frame.
        }

        return (int)Math.Max(guess, 1);
    }
}
