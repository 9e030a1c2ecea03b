using SlateDB.Format.FlatBuffers;
using Fb = SlateDB.Format.FlatBuffers;

namespace SlateDB.Manifest.Codec;

/// <summary>
/// Maps the FlatBuffers tables that manifests and <c>.compactions</c> share (key ranges, compacted SST entries, views,
/// checkpoints, external databases, the sequence tracker) to the manifest model. Buffers must have passed
/// <see cref="FlatBufferVerifier"/>; values the schema allows but SlateDB never writes throw <see cref="FormatException"/>.
/// </summary>
internal static class ManifestRecordReader
{
    /// <summary>A key range; SlateDB writes a key for included and excluded bounds and none for unbounded ones.</summary>
    public static BytesRange ReadRange(Fb.BytesRange range)
    {
        var result = new BytesRange(ReadBound(range.StartBound.GetValueOrDefault()), ReadBound(range.EndBound.GetValueOrDefault()));
        if (result.IsEmpty)
        {
            throw new FormatException("a key range is empty");
        }

        return result;
    }

    /// <summary>A compacted SST entry (manifest version 1, compaction outputs); an absent format version means 1.</summary>
    public static SsTableHandle ReadCompactedSst(CompactedSsTable sst)
        => new(
            SsTableId.Compacted(MetadataReader.ReadUlid(sst.Id)),
            sst.FormatVersion ?? SsTableHandle.OriginalFormatVersion,
            MetadataReader.ReadInfo(sst.Info.GetValueOrDefault()));

    /// <summary>A compacted SST entry of manifest version 2's shared SST list.</summary>
    public static SsTableHandle ReadCompactedSstV2(CompactedSsTableV2 sst)
        => new(
            SsTableId.Compacted(MetadataReader.ReadUlid(sst.Id)),
            sst.FormatVersion ?? SsTableHandle.OriginalFormatVersion,
            MetadataReader.ReadInfo(sst.Info.GetValueOrDefault()));

    /// <summary>
    /// Builds a manifest view, checking what SlateDB asserts when it builds one: the SST has a first entry and a
    /// visible range starts included or unbounded.
    /// </summary>
    public static SsTableView MakeView(Common.Ulid viewId, SsTableHandle sst, Fb.BytesRange? visibleRange)
    {
        if (sst.Info.FirstEntry is null)
        {
            throw new FormatException($"SST {sst.Id} in the manifest has no first entry");
        }

        BytesRange? range = null;
        if (visibleRange is { } fbRange)
        {
            range = ReadRange(fbRange);
            if (range.Start.Kind == BoundKind.Excluded)
            {
                throw new FormatException($"the visible range of SST view {viewId} starts with an excluded bound");
            }
        }

        return new SsTableView(viewId, sst, range);
    }

    /// <summary>A compacted SST list (compaction outputs).</summary>
    public static SsTableHandle[] ReadCompactedSsts(int count, Func<int, CompactedSsTable?> item)
    {
        var result = new SsTableHandle[count];
        for (var i = 0; i < count; i++)
        {
            result[i] = ReadCompactedSst(item(i).GetValueOrDefault());
        }

        return result;
    }

    /// <summary>A checkpoint; an expiry of 0 means it never expires.</summary>
    public static Checkpoint ReadCheckpoint(Fb.Checkpoint checkpoint)
    {
        var expire = checkpoint.CheckpointExpireTimeS;
        return new Checkpoint(
            MetadataReader.ReadUuid(checkpoint.Id),
            checkpoint.ManifestId,
            expire == 0 ? null : DateTimeOffset.FromUnixTimeSeconds(expire),
            DateTimeOffset.FromUnixTimeSeconds(checkpoint.CheckpointCreateTimeS),
            checkpoint.Name);
    }

    /// <summary>An external database reference.</summary>
    public static ExternalDb ReadExternalDb(Fb.ExternalDb db)
    {
        var sstIds = new SsTableId[db.SstIdsLength];
        for (var i = 0; i < sstIds.Length; i++)
        {
            sstIds[i] = SsTableId.Compacted(MetadataReader.ReadUlid(db.SstIds(i)));
        }

        return new ExternalDb(db.Path, MetadataReader.ReadUuid(db.SourceCheckpointId), db.FinalCheckpointId is null ? null : MetadataReader.ReadUuid(db.FinalCheckpointId), sstIds);
    }

    /// <summary>The sequence tracker blob; absent means an empty tracker.</summary>
    public static SequenceTracker ReadSequenceTracker(ArraySegment<byte>? blob)
        => blob is { } bytes ? SequenceTracker.FromBytes(bytes) : SequenceTracker.Empty;

    private static BytesBound ReadBound(Fb.BytesBound bound)
    {
        var key = FlatBufferInput.CopyBytes(bound.GetKeyBytes());
        return (bound.BoundType, key) switch
        {
            (BoundType.Included, not null) => BytesBound.Included(key),
            (BoundType.Excluded, not null) => BytesBound.Excluded(key),
            (BoundType.Unbounded, null) => BytesBound.Unbounded,
            _ => throw new FormatException($"a key bound of type {bound.BoundType} {(key is null ? "without" : "with")} a key"),
        };
    }
}
