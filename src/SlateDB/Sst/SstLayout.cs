using System.Buffers.Binary;
using SlateDB.Format;
using SlateDB.Format.Compression;

namespace SlateDB.Sst;

/// <summary>Reading the fixed parts of an SST: footer, checksummed and compressed blocks, block ranges.</summary>
internal static class SstLayout
{
    /// <summary>The footer: info offset (u64 BE) and format version (u16 BE).</summary>
    public const int FooterLength = 10;

    /// <summary>Parses the footer at the end of <paramref name="tail"/> (which ends where the object ends).</summary>
    public static (ulong InfoOffset, ushort Version) ReadFooter(ReadOnlySpan<byte> tail, long objectSize, string objectName)
    {
        // The smallest SST is an info checksum and the footer (an empty info would not decode either).
        if (objectSize < FooterLength + Checksum.Size || tail.Length < FooterLength)
        {
            Corruption.Throw(objectName, $"the object has {objectSize} bytes, too few for an SST footer and info");
        }

        var footer = tail[^FooterLength..];
        var infoOffset = BinaryPrimitives.ReadUInt64BigEndian(footer);
        var version = BinaryPrimitives.ReadUInt16BigEndian(footer[8..]);
        if (version is not (1 or 2))
        {
            Corruption.Throw(objectName, $"unsupported SST format version {version} (supported: 1, 2)");
        }

        if (infoOffset > (ulong)(objectSize - FooterLength - Checksum.Size))
        {
            Corruption.Throw(objectName, $"the info offset {infoOffset} lies outside the object ({objectSize} bytes)");
        }

        return (infoOffset, version);
    }

    /// <summary>Verifies the CRC of a stored block and decompresses it (into a long-lived buffer when <paramref name="longLived"/>).</summary>
    public static ReadOnlyMemory<byte> OpenBlock(ReadOnlyMemory<byte> stored, SstCompression compression, string objectName, bool longLived = false)
    {
        var payload = Checksum.Verify(stored, objectName);
        return compression == SstCompression.None
            ? payload
            : BlockCompression.Decompress((BlockCodec)(byte)compression, payload, objectName, BlockCompression.DefaultMaxDecompressedLength, longLived);
    }

    /// <summary>Checks that a section of the SST lies inside the object.</summary>
    public static void CheckSection(ulong offset, ulong length, long objectSize, string what, string objectName)
    {
        if (length > (ulong)objectSize || offset > (ulong)objectSize - length)
        {
            Corruption.Throw(objectName, $"the {what} [{offset}, +{length}) lies outside the object ({objectSize} bytes)");
        }

        if (length > int.MaxValue)
        {
            Corruption.Throw(objectName, $"the {what} is {length} bytes long, more than a block can be");
        }
    }
}
