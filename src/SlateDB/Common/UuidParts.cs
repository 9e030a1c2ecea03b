using System.Buffers.Binary;

namespace SlateDB.Common;

/// <summary>
/// Converts between <see cref="Guid"/> and the (high, low) pair of 64-bit numbers SlateDB stores a UUID as. The pair
/// follows the Rust uuid crate's <c>as_u64_pair</c>: <c>high</c> is the first 8 bytes of the RFC 4122 byte form read
/// big-endian, <c>low</c> the last 8. So the textual form of the <see cref="Guid"/> ("xxxxxxxx-xxxx-...") is the
/// hex of <c>high</c> followed by the hex of <c>low</c>.
/// </summary>
internal static class UuidParts
{
    /// <summary>Splits a UUID into its upper and lower 64 bits.</summary>
    public static (ulong High, ulong Low) ToPair(Guid uuid)
    {
        Span<byte> bytes = stackalloc byte[16];
        uuid.TryWriteBytes(bytes, bigEndian: true, out _);
        return (BinaryPrimitives.ReadUInt64BigEndian(bytes), BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]));
    }

    /// <summary>Joins upper and lower 64 bits into a UUID.</summary>
    public static Guid FromPair(ulong high, ulong low)
    {
        Span<byte> bytes = stackalloc byte[16];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, high);
        BinaryPrimitives.WriteUInt64BigEndian(bytes[8..], low);
        return new Guid(bytes, bigEndian: true);
    }
}
