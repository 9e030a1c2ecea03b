using SlateDB.Format;
using SlateDB.Format.Blocks;
using SlateDB.Format.Compression;
using SlateDB.Iterators;

namespace SlateDB.Sst;

/// <summary>
/// Decodes a stored data block as <see cref="SstFile.DecodeBlock"/> does (checksum, decompression, block format),
/// but decompresses LZ4 and Snappy blocks into a buffer rented from <see cref="BlockBuffers"/> rather than a new array.
/// An uncompressed block is a slice of the stored bytes; zlib and zstd blocks get new arrays as before.
/// </summary>
internal static class PooledBlockDecoder
{
    /// <summary>The decoded block; <paramref name="rented"/> is the buffer it lives in when one was rented (the caller owns it).</summary>
    public static Block Decode(SstFile sst, ReadOnlyMemory<byte> stored, BlockBuffers buffers, out byte[]? rented)
    {
        rented = null;
        var payload = Checksum.Verify(stored, sst.Path);
        ReadOnlyMemory<byte> decoded;
        switch (sst.Info.Compression)
        {
            case SstCompression.None:
                decoded = payload;
                break;
            case SstCompression.Lz4:
            {
                var length = Lz4BlockCodec.StatedLength(payload.Span, sst.Path, BlockCompression.DefaultMaxDecompressedLength);
                var buffer = buffers.Rent(length);
                Lz4BlockCodec.DecodeInto(payload.Span, buffer.AsSpan(0, length), sst.Path);
                rented = buffer;
                decoded = buffer.AsMemory(0, length);
                break;
            }

            case SstCompression.Snappy:
            {
                var length = SnappyBlockCodec.StatedLength(payload.Span, sst.Path, BlockCompression.DefaultMaxDecompressedLength);
                var buffer = buffers.Rent(length + 1);
                SnappyBlockCodec.DecodeInto(payload.Span, buffer, length, sst.Path);
                rented = buffer;
                decoded = buffer.AsMemory(0, length);
                break;
            }

            default:
                decoded = BlockCompression.Decompress((BlockCodec)(byte)sst.Info.Compression, payload, sst.Path);
                break;
        }

        try
        {
            return Block.Decode(decoded, sst.BlockFormat, sst.Path);
        }
        catch
        {
            if (rented is not null)
            {
                buffers.Return(rented);
                rented = null;
            }

            throw;
        }
    }
}
