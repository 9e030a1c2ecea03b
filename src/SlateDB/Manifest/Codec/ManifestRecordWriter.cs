using Google.FlatBuffers;
using SlateDB.Format.FlatBuffers;
using Fb = SlateDB.Format.FlatBuffers;

namespace SlateDB.Manifest.Codec;

/// <summary>
/// Maps the manifest model to the FlatBuffers tables that manifests and <c>.compactions</c> share (key ranges,
/// compacted SST entries, checkpoints, external databases), writing what SlateDB's own encoder writes.
/// </summary>
internal static class ManifestRecordWriter
{
    /// <summary>A key range (unbounded ends carry no key; bounded ends always carry one, possibly empty).</summary>
    public static Offset<Fb.BytesRange> Range(this MetadataWriter writer, BytesRange range)
    {
        ArgumentNullException.ThrowIfNull(range);
        var start = writer.Bound(range.Start);
        var end = writer.Bound(range.End);
        return Fb.BytesRange.CreateBytesRange(writer.Builder, start, end);
    }

    /// <summary>A compacted SST entry as manifest version 1 and compaction outputs store it.</summary>
    public static Offset<CompactedSsTable> CompactedSst(this MetadataWriter writer, SsTableHandle sst, BytesRange? visibleRange)
    {
        ArgumentNullException.ThrowIfNull(sst);
        var id = writer.Ulid(CompactedUlid(sst.Id));
        var info = writer.Info(sst.Info);
        var range = visibleRange is null ? default : writer.Range(visibleRange);
        return CompactedSsTable.CreateCompactedSsTable(writer.Builder, id, info, range, sst.FormatVersion);
    }

    /// <summary>A vector of compacted SST entries without visible ranges.</summary>
    public static VectorOffset CompactedSsts(this MetadataWriter writer, IReadOnlyList<SsTableHandle> ssts)
        => writer.OffsetVector(ssts.Select(sst => writer.CompactedSst(sst, visibleRange: null)).ToArray());

    /// <summary>A compacted SST entry of manifest version 2's shared SST list.</summary>
    public static Offset<CompactedSsTableV2> CompactedSstV2(this MetadataWriter writer, SsTableHandle sst)
    {
        var id = writer.Ulid(CompactedUlid(sst.Id));
        var info = writer.Info(sst.Info);
        return CompactedSsTableV2.CreateCompactedSsTableV2(writer.Builder, id, info, sst.FormatVersion);
    }

    /// <summary>A checkpoint (times in whole seconds; no expiry is stored as 0).</summary>
    public static Offset<Fb.Checkpoint> Checkpoint(this MetadataWriter writer, Checkpoint checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        var id = writer.Uuid(checkpoint.Id);
        var expire = checkpoint.ExpireTime is { } expireTime ? Seconds(expireTime, nameof(checkpoint.ExpireTime)) : 0;
        var create = Seconds(checkpoint.CreateTime, nameof(checkpoint.CreateTime));
        var name = checkpoint.Name is null ? default : writer.Builder.CreateString(checkpoint.Name);
        return Fb.Checkpoint.CreateCheckpoint(writer.Builder, id, checkpoint.ManifestId, expire, create, CheckpointMetadata.NONE, 0, name);
    }

    /// <summary>A vector of checkpoints.</summary>
    public static VectorOffset Checkpoints(this MetadataWriter writer, IReadOnlyList<Checkpoint> checkpoints)
        => writer.OffsetVector(checkpoints.Select(checkpoint => writer.Checkpoint(checkpoint)).ToArray());

    /// <summary>A vector of external databases, or nothing when there are none (as SlateDB writes it).</summary>
    public static VectorOffset ExternalDbs(this MetadataWriter writer, IReadOnlyList<ExternalDb> externalDbs)
    {
        if (externalDbs.Count == 0)
        {
            return default;
        }

        var offsets = new Offset<Fb.ExternalDb>[externalDbs.Count];
        for (var i = 0; i < offsets.Length; i++)
        {
            var db = externalDbs[i];
            var path = writer.Builder.CreateString(db.Path);
            var source = writer.Uuid(db.SourceCheckpointId);
            var final = db.FinalCheckpointId is { } finalId ? writer.Uuid(finalId) : default;
            var sstIds = writer.Ulids(db.SstIds.Select(CompactedUlid));
            offsets[i] = Fb.ExternalDb.CreateExternalDb(writer.Builder, path, source, final, sstIds);
        }

        return writer.OffsetVector(offsets);
    }

    /// <summary>The ULID of a compacted SST id; a WAL SST cannot appear in these tables.</summary>
    public static Common.Ulid CompactedUlid(SsTableId id)
        => id.IsWal ? throw new ArgumentException($"{id} is a WAL SST; only compacted SSTs are stored here.", nameof(id)) : id.CompactedId;

    private static Offset<Fb.BytesBound> Bound(this MetadataWriter writer, BytesBound bound)
    {
        var key = bound.IsBounded ? writer.Bytes(bound.Key) : default;
        var type = bound.Kind switch
        {
            BoundKind.Included => BoundType.Included,
            BoundKind.Excluded => BoundType.Excluded,
            _ => BoundType.Unbounded,
        };
        return Fb.BytesBound.CreateBytesBound(writer.Builder, key, type);
    }

    private static uint Seconds(DateTimeOffset time, string what)
    {
        var seconds = time.ToUnixTimeSeconds();
        return seconds is >= 0 and <= uint.MaxValue
            ? (uint)seconds
            : throw new ArgumentOutOfRangeException(what, time, "Checkpoint times are stored as unsigned 32-bit Unix seconds.");
    }
}
