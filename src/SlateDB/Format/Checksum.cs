using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace SlateDB.Format;

/// <summary>
/// The checksum SlateDB appends to every block and to SST metadata: CRC-32 (IEEE 802.3, reflected polynomial
/// 0xEDB88320, the same as Rust's <c>crc32fast</c>), stored as a big-endian u32 right after the bytes it covers.
/// </summary>
internal static class Checksum
{
    /// <summary>Size of a stored checksum in bytes.</summary>
    public const int Size = sizeof(uint);

    /// <summary>The CRC-32 of <paramref name="data"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => Crc32Ieee.Hash(data);

    /// <summary>Writes the big-endian CRC-32 of <paramref name="payload"/> into the first four bytes of <paramref name="destination"/>.</summary>
    public static void Write(ReadOnlySpan<byte> payload, Span<byte> destination)
    {
        if (destination.Length < Size)
        {
            throw new ArgumentException("The destination holds fewer than 4 bytes.", nameof(destination));
        }

        BinaryPrimitives.WriteUInt32BigEndian(destination, Compute(payload));
    }

    /// <summary>Returns a new array holding <paramref name="payload"/> followed by its big-endian CRC-32.</summary>
    public static byte[] Append(ReadOnlySpan<byte> payload)
    {
        var sealedBytes = new byte[payload.Length + Size];
        payload.CopyTo(sealedBytes);
        Write(payload, sealedBytes.AsSpan(payload.Length));
        return sealedBytes;
    }

    /// <summary>
    /// Checks a <c>payload ++ crc32</c> slice and returns the payload (a slice of the input, no copy).
    /// Throws a <see cref="SlateDbErrorKind.Data"/> exception naming <paramref name="objectName"/> when the
    /// slice is too short or the checksum does not match.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static ReadOnlyMemory<byte> Verify(ReadOnlyMemory<byte> payloadWithChecksum, string objectName)
    {
        var span = payloadWithChecksum.Span;
        if (span.Length < Size)
        {
            Corruption.Throw(objectName, $"a checksummed range of {span.Length} bytes is shorter than its 4-byte checksum");
        }

        var payloadLength = span.Length - Size;
        var stored = BinaryPrimitives.ReadUInt32BigEndian(span[payloadLength..]);
        var actual = Compute(span[..payloadLength]);
        if (stored != actual)
        {
            Corruption.Throw(objectName, $"checksum mismatch over {payloadLength} bytes: stored 0x{stored:x8}, computed 0x{actual:x8}");
        }

        return payloadWithChecksum[..payloadLength];
    }
}
