using System.Buffers.Binary;
using System.IO.Hashing;

namespace SlateDB.Wal.LocalDisk;

/// <summary>
/// One record of a local WAL segment: a 28-byte header (magic, WAL id, write time, payload length, CRC-32 of the
/// header fields and the payload) followed by the payload, the WAL object's bytes (a WAL SST; empty for a fence).
/// All integers little-endian. A record is written with one write and made durable with one fsync.
/// </summary>
internal static class LocalWalRecord
{
    /// <summary>"SWAL" read as a little-endian u32.</summary>
    public const uint Magic = 0x4C415753;

    public const int HeaderSize = 28;

    /// <summary>The record's bytes: header and payload in one array, so one write puts them on disk.</summary>
    public static byte[] Encode(ulong walId, long writtenAtMs, ReadOnlySpan<byte> payload)
    {
        var record = new byte[HeaderSize + payload.Length];
        var span = record.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(span, Magic);
        BinaryPrimitives.WriteUInt64LittleEndian(span[4..], walId);
        BinaryPrimitives.WriteInt64LittleEndian(span[12..], writtenAtMs);
        BinaryPrimitives.WriteUInt32LittleEndian(span[20..], (uint)payload.Length);
        payload.CopyTo(span[HeaderSize..]);
        BinaryPrimitives.WriteUInt32LittleEndian(span[24..], Crc(span[4..24], span[HeaderSize..]));
        return record;
    }

    /// <summary>
    /// The record at <paramref name="offset"/> of <paramref name="segment"/>: its id, write time, payload offset and
    /// length; null when there is no whole record with a matching checksum there (a torn or damaged record, or the end).
    /// </summary>
    public static (ulong WalId, long WrittenAtMs, long PayloadOffset, int Length)? TryParse(ReadOnlySpan<byte> segment, long offset)
    {
        if (offset + HeaderSize > segment.Length)
        {
            return null;
        }

        var header = segment.Slice((int)offset, HeaderSize);
        if (BinaryPrimitives.ReadUInt32LittleEndian(header) != Magic)
        {
            return null;
        }

        var length = BinaryPrimitives.ReadUInt32LittleEndian(header[20..]);
        if (length > int.MaxValue || offset + HeaderSize + length > segment.Length)
        {
            return null;
        }

        var payload = segment.Slice((int)offset + HeaderSize, (int)length);
        if (BinaryPrimitives.ReadUInt32LittleEndian(header[24..]) != Crc(header[4..24], payload))
        {
            return null;
        }

        return (BinaryPrimitives.ReadUInt64LittleEndian(header[4..]), BinaryPrimitives.ReadInt64LittleEndian(header[12..]), offset + HeaderSize, (int)length);
    }

    /// <summary>Whether a whole, checksummed record starts anywhere after <paramref name="offset"/> (damage, not a torn tail).</summary>
    public static bool AnyRecordAfter(ReadOnlySpan<byte> segment, long offset)
    {
        for (var at = offset + 1; at + HeaderSize <= segment.Length; at++)
        {
            if (segment[(int)at] == (byte)'S' && TryParse(segment, at) is not null)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Checks a payload read back from disk against its record's checksum.</summary>
    public static bool Verify(ReadOnlySpan<byte> headerAndPayload)
        => TryParse(headerAndPayload, 0) is { } parsed && parsed.Length == headerAndPayload.Length - HeaderSize;

    private static uint Crc(ReadOnlySpan<byte> fields, ReadOnlySpan<byte> payload)
    {
        var crc = new Crc32();
        crc.Append(fields);
        crc.Append(payload);
        return crc.GetCurrentHashAsUInt32();
    }
}
