using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;
using System.Runtime.InteropServices;

namespace SlateDB.Format.Compression;

/// <summary>
/// A zlib stream (RFC 1950) at level 6, which is what SlateDB's <c>flate2::Compression::default()</c> means.
/// The deflate bytes differ from SlateDB's (its Rust deflate and .NET's zlib choose matches differently), but
/// each side reads the other's. On read the Adler-32 trailer is checked against the output, which also catches
/// a stream cut short (.NET's reader otherwise stops quietly at the end of the input).
/// </summary>
internal static class ZlibBlockCodec
{
    /// <summary>SlateDB's level (flate2's default).</summary>
    public const int Level = 6;

    // What a level-6 zlib encoder writes for no input: header, an empty final fixed block, Adler-32 of nothing.
    // .NET's ZLibStream writes nothing at all when given no bytes, so this one case is spelled out.
    private static ReadOnlySpan<byte> EmptyStream => [0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01];

    /// <summary>Appends the zlib stream for <paramref name="source"/> to <paramref name="destination"/>.</summary>
    public static void Compress(ReadOnlySpan<byte> source, IBufferWriter<byte> destination)
    {
        if (source.IsEmpty)
        {
            EmptyStream.CopyTo(destination.GetSpan(EmptyStream.Length));
            destination.Advance(EmptyStream.Length);
            return;
        }

        using var output = new BufferWriterStream(destination);
        using (var zlib = new ZLibStream(output, new ZLibCompressionOptions { CompressionLevel = Level }, leaveOpen: true))
        {
            zlib.Write(source);
        }
    }

    /// <summary>
    /// Decompresses a zlib stream of at most <paramref name="maxLength"/> bytes whose Adler-32 trailer matches.
    /// </summary>
    public static byte[] Decompress(ReadOnlyMemory<byte> source, string objectName, int maxLength)
    {
        // Two header bytes, at least one byte of deflate data, four trailer bytes.
        if (source.Length < 7)
        {
            Corruption.Throw(objectName, $"zlib stream of {source.Length} bytes is too short");
        }

        using var input = MemoryMarshal.TryGetArray(source, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(source.ToArray(), writable: false);
        var buffer = new byte[Math.Min(maxLength, Math.Max(256, source.Length * 4))];
        var length = 0;
        try
        {
            using var zlib = new ZLibStream(input, CompressionMode.Decompress);
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (buffer.Length >= maxLength)
                    {
                        Span<byte> probe = stackalloc byte[1];
                        if (zlib.Read(probe) > 0)
                        {
                            Corruption.Throw(objectName, $"zlib stream decompresses to more than {maxLength} bytes");
                        }

                        break;
                    }

                    Array.Resize(ref buffer, (int)Math.Min(maxLength, buffer.Length * 2L));
                }

                var read = zlib.Read(buffer, length, buffer.Length - length);
                if (read == 0)
                {
                    break;
                }

                length += read;
            }
        }
        catch (Exception e) when (BlockCompression.IsDecoderFailure(e))
        {
            return Corruption.Throw<byte[]>(objectName, "zlib stream does not decode", e);
        }

        var output = buffer.AsSpan(0, length);
        var stored = BinaryPrimitives.ReadUInt32BigEndian(source.Span[^4..]);
        if (stored != Adler32.HashToUInt32(output))
        {
            Corruption.Throw(objectName, "zlib stream is truncated or its Adler-32 trailer does not match");
        }

        return length == buffer.Length ? buffer : output.ToArray();
    }

    /// <summary>A write-only stream appending to an <see cref="IBufferWriter{T}"/>.</summary>
    private sealed class BufferWriterStream(IBufferWriter<byte> writer) : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException("This stream only accepts writes.");

        public override long Position
        {
            get => throw new NotSupportedException("This stream only accepts writes.");
            set => throw new NotSupportedException("This stream only accepts writes.");
        }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            buffer.CopyTo(writer.GetSpan(buffer.Length));
            writer.Advance(buffer.Length);
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("This stream only accepts writes.");

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException("This stream only accepts writes.");

        public override void SetLength(long value) => throw new NotSupportedException("This stream only accepts writes.");
    }
}
