
namespace SlateDB.Format.FlatBuffers;

/// <summary>
/// Encodes and decodes the SST info block: a bare <c>SsTableInfo</c> flatbuffer (no version prefix; the SST
/// footer carries the format version and checksums are the SST layer's business).
/// </summary>
internal static class SsTableInfoCodec
{
    /// <summary>Encodes the info block.</summary>
    public static byte[] Encode(SsTableInfoModel info)
    {
        ArgumentNullException.ThrowIfNull(info);
        var writer = new MetadataWriter(128 + (info.FirstEntry?.Length ?? 0) + (info.LastEntry?.Length ?? 0));
        return writer.Finish(writer.Info(info).Value);
    }

    /// <summary>Decodes an info block read from <paramref name="objectName"/>.</summary>
    /// <exception cref="SlateDbException">Kind Data: the bytes are not an SST info block.</exception>
    public static SsTableInfoModel Decode(ReadOnlyMemory<byte> bytes, string objectName)
    {
        ArgumentNullException.ThrowIfNull(objectName);
        return FlatBufferInput.Decode(objectName, "SST info", () =>
            MetadataReader.ReadInfo(SsTableInfo.GetRootAsSsTableInfo(FlatBufferInput.Open(bytes, SlateDbSchemas.SsTableInfo))));
    }
}
