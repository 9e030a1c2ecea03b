using SlateDB.Common;

namespace SlateDB.Format.FlatBuffers;

/// <summary>
/// Reads FlatBuffers metadata building blocks (ULIDs, UUIDs, SST info) into format records; manifest tables are
/// mapped to the model by <c>Manifest/Codec</c>. Buffers must have
/// passed <see cref="FlatBufferVerifier"/>; values the schema allows but SlateDB never writes throw
/// <see cref="FormatException"/>.
/// </summary>
internal static class MetadataReader
{
    /// <summary>A ULID table.</summary>
    public static Common.Ulid ReadUlid(Ulid ulid) => new(ulid.High, ulid.Low);

    /// <summary>A required ULID field (the verifier guarantees presence).</summary>
    public static Common.Ulid ReadUlid(Ulid? ulid) => ReadUlid(ulid.GetValueOrDefault());

    /// <summary>An optional ULID field.</summary>
    public static Common.Ulid? ReadOptionalUlid(Ulid? ulid) => ulid is { } value ? ReadUlid(value) : null;

    /// <summary>A UUID table.</summary>
    public static Guid ReadUuid(Uuid? uuid)
    {
        var value = uuid.GetValueOrDefault();
        return UuidParts.FromPair(value.High, value.Low);
    }

    /// <summary>The SST info table.</summary>
    public static SsTableInfoModel ReadInfo(SsTableInfo info)
    {
        var compression = (byte)info.CompressionFormat;
        var sstType = (byte)info.SstType;
        var filterFormat = (byte)info.FilterFormat;
        if (compression > (byte)SstCompression.Zstd)
        {
            throw new FormatException($"unknown compression format {compression}");
        }

        if (sstType > (byte)SstKind.Wal)
        {
            throw new FormatException($"unknown SST type {sstType}");
        }

        if (filterFormat > (byte)SstFilterFormat.Composite)
        {
            throw new FormatException($"unknown filter format {filterFormat}");
        }

        return new SsTableInfoModel
        {
            FirstEntry = FlatBufferInput.CopyOptionalBytes(info.GetFirstEntryBytes()),
            LastEntry = FlatBufferInput.CopyOptionalBytes(info.GetLastEntryBytes()),
            IndexOffset = info.IndexOffset,
            IndexLen = info.IndexLen,
            FilterOffset = info.FilterOffset,
            FilterLen = info.FilterLen,
            Compression = (SstCompression)compression,
            SstType = (SstKind)sstType,
            StatsOffset = info.StatsOffset,
            StatsLen = info.StatsLen,
            FilterFormat = (SstFilterFormat)filterFormat,
        };
    }

    /// <summary>
    /// An optional byte vector: absent stays null. (A null <c>byte[]</c>, or a bare <c>null</c> next to a
    /// <c>ReadOnlyMemory&lt;byte&gt;</c>, converts through the array conversion into a present, empty value.)
    /// </summary>
    private static ReadOnlyMemory<byte>? OptionalBytes(ArraySegment<byte>? bytes)
    {
        if (FlatBufferInput.CopyBytes(bytes) is not { } copy)
        {
            return default(ReadOnlyMemory<byte>?);
        }

        return new ReadOnlyMemory<byte>(copy);
    }
}
