using SlateDB.Common;
using M = SlateDB.Manifest;

namespace SlateDB.Format.FlatBuffers;

/// <summary>
/// Reads the tables shared by manifests, <c>.compactions</c> and SST metadata into the model. Buffers must have
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

    /// <summary>A key range; SlateDB writes a key for included and excluded bounds and none for unbounded ones.</summary>
    public static M.BytesRange ReadRange(BytesRange range)
    {
        var result = new M.BytesRange(ReadBound(range.StartBound.GetValueOrDefault()), ReadBound(range.EndBound.GetValueOrDefault()));
        if (result.IsEmpty)
        {
            throw new FormatException("a key range is empty");
        }

        return result;
    }

    /// <summary>The SST info table.</summary>
    public static M.SsTableInfoModel ReadInfo(SsTableInfo info)
    {
        var compression = (byte)info.CompressionFormat;
        var sstType = (byte)info.SstType;
        var filterFormat = (byte)info.FilterFormat;
        if (compression > (byte)M.SstCompression.Zstd)
        {
            throw new FormatException($"unknown compression format {compression}");
        }

        if (sstType > (byte)M.SstKind.Wal)
        {
            throw new FormatException($"unknown SST type {sstType}");
        }

        if (filterFormat > (byte)M.SstFilterFormat.Composite)
        {
            throw new FormatException($"unknown filter format {filterFormat}");
        }

        return new M.SsTableInfoModel
        {
            FirstEntry = FlatBufferInput.CopyOptionalBytes(info.GetFirstEntryBytes()),
            LastEntry = FlatBufferInput.CopyOptionalBytes(info.GetLastEntryBytes()),
            IndexOffset = info.IndexOffset,
            IndexLen = info.IndexLen,
            FilterOffset = info.FilterOffset,
            FilterLen = info.FilterLen,
            Compression = (M.SstCompression)compression,
            SstType = (M.SstKind)sstType,
            StatsOffset = info.StatsOffset,
            StatsLen = info.StatsLen,
            FilterFormat = (M.SstFilterFormat)filterFormat,
        };
    }

    /// <summary>A compacted SST entry (manifest version 1, compaction outputs); an absent format version means 1.</summary>
    public static M.SsTableHandle ReadCompactedSst(CompactedSsTable sst)
        => new(
            M.SsTableId.Compacted(ReadUlid(sst.Id)),
            sst.FormatVersion ?? M.SsTableHandle.OriginalFormatVersion,
            ReadInfo(sst.Info.GetValueOrDefault()));

    /// <summary>A compacted SST entry of manifest version 2's shared SST list.</summary>
    public static M.SsTableHandle ReadCompactedSstV2(CompactedSsTableV2 sst)
        => new(
            M.SsTableId.Compacted(ReadUlid(sst.Id)),
            sst.FormatVersion ?? M.SsTableHandle.OriginalFormatVersion,
            ReadInfo(sst.Info.GetValueOrDefault()));

    /// <summary>
    /// Builds a manifest view, checking what SlateDB asserts when it builds one: the SST has a first entry and a
    /// visible range starts included or unbounded.
    /// </summary>
    public static M.SsTableView MakeView(Common.Ulid viewId, M.SsTableHandle sst, BytesRange? visibleRange)
    {
        if (sst.Info.FirstEntry is null)
        {
            throw new FormatException($"SST {sst.Id} in the manifest has no first entry");
        }

        M.BytesRange? range = null;
        if (visibleRange is { } fbRange)
        {
            range = ReadRange(fbRange);
            if (range.Start.Kind == M.BoundKind.Excluded)
            {
                throw new FormatException($"the visible range of SST view {viewId} starts with an excluded bound");
            }
        }

        return new M.SsTableView(viewId, sst, range);
    }

    /// <summary>A compacted SST list (compaction outputs).</summary>
    public static M.SsTableHandle[] ReadCompactedSsts(int count, Func<int, CompactedSsTable?> item)
    {
        var result = new M.SsTableHandle[count];
        for (var i = 0; i < count; i++)
        {
            result[i] = ReadCompactedSst(item(i).GetValueOrDefault());
        }

        return result;
    }

    /// <summary>A checkpoint; an expiry of 0 means it never expires.</summary>
    public static M.Checkpoint ReadCheckpoint(Checkpoint checkpoint)
    {
        var expire = checkpoint.CheckpointExpireTimeS;
        return new M.Checkpoint(
            ReadUuid(checkpoint.Id),
            checkpoint.ManifestId,
            expire == 0 ? null : DateTimeOffset.FromUnixTimeSeconds(expire),
            DateTimeOffset.FromUnixTimeSeconds(checkpoint.CheckpointCreateTimeS),
            checkpoint.Name);
    }

    /// <summary>An external database reference.</summary>
    public static M.ExternalDb ReadExternalDb(ExternalDb db)
    {
        var sstIds = new M.SsTableId[db.SstIdsLength];
        for (var i = 0; i < sstIds.Length; i++)
        {
            sstIds[i] = M.SsTableId.Compacted(ReadUlid(db.SstIds(i)));
        }

        return new M.ExternalDb(db.Path, ReadUuid(db.SourceCheckpointId), db.FinalCheckpointId is null ? null : ReadUuid(db.FinalCheckpointId), sstIds);
    }

    /// <summary>The sequence tracker blob; absent means an empty tracker.</summary>
    public static M.SequenceTracker ReadSequenceTracker(ArraySegment<byte>? blob)
        => blob is { } bytes ? M.SequenceTracker.FromBytes(bytes) : M.SequenceTracker.Empty;

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

    private static M.BytesBound ReadBound(BytesBound bound)
    {
        var key = FlatBufferInput.CopyBytes(bound.GetKeyBytes());
        return (bound.BoundType, key) switch
        {
            (BoundType.Included, not null) => M.BytesBound.Included(key),
            (BoundType.Excluded, not null) => M.BytesBound.Excluded(key),
            (BoundType.Unbounded, null) => M.BytesBound.Unbounded,
            _ => throw new FormatException($"a key bound of type {bound.BoundType} {(key is null ? "without" : "with")} a key"),
        };
    }
}
