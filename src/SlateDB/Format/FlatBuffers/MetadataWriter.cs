using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Google.FlatBuffers;
using SlateDB.Common;
using M = SlateDB.Manifest;

namespace SlateDB.Format.FlatBuffers;

/// <summary>
/// Builds the tables shared by manifests, <c>.compactions</c> and SST metadata, writing what SlateDB's own
/// encoder writes: optional fields only when set, the SST format version always, no checkpoint metadata.
/// Children are built before the table that refers to them, as FlatBuffers requires.
/// </summary>
internal sealed class MetadataWriter
{
    /// <summary>A writer with a buffer of <paramref name="initialSize"/> bytes (it grows as needed).</summary>
    public MetadataWriter(int initialSize = 1024)
    {
        Builder = new FlatBufferBuilder(initialSize);
    }

    /// <summary>The underlying builder.</summary>
    public FlatBufferBuilder Builder { get; }

    /// <summary>Finishes the buffer with <paramref name="root"/> and returns it, after a 2-byte big-endian version if given.</summary>
    public byte[] Finish(int root, ushort? versionPrefix = null)
    {
        Builder.Finish(root);
        var data = Builder.DataBuffer.ToArraySegment(Builder.DataBuffer.Position, Builder.Offset);
        if (versionPrefix is not { } version)
        {
            return data.AsSpan().ToArray();
        }

        var result = new byte[2 + data.Count];
        BinaryPrimitives.WriteUInt16BigEndian(result, version);
        data.AsSpan().CopyTo(result.AsSpan(2));
        return result;
    }

    /// <summary>A byte vector.</summary>
    public VectorOffset Bytes(ReadOnlyMemory<byte> bytes)
    {
        Builder.StartVector(1, bytes.Length, 1);
        if (bytes.Length > 0)
        {
            var segment = MemoryMarshal.TryGetArray(bytes, out var array) ? array : new ArraySegment<byte>(bytes.ToArray());
            Builder.Add(segment);
        }

        return Builder.EndVector();
    }

    /// <summary>A ULID table.</summary>
    public Offset<Ulid> Ulid(Common.Ulid id) => FlatBuffers.Ulid.CreateUlid(Builder, id.High, id.Low);

    /// <summary>A vector of ULID tables.</summary>
    public VectorOffset Ulids(IEnumerable<Common.Ulid> ids)
        => OffsetVector(ids.Select(Ulid).ToArray());

    /// <summary>A UUID table.</summary>
    public Offset<Uuid> Uuid(Guid id)
    {
        var (high, low) = UuidParts.ToPair(id);
        return FlatBuffers.Uuid.CreateUuid(Builder, high, low);
    }

    /// <summary>A key range (unbounded ends carry no key; bounded ends always carry one, possibly empty).</summary>
    public Offset<BytesRange> Range(M.BytesRange range)
    {
        ArgumentNullException.ThrowIfNull(range);
        var start = Bound(range.Start);
        var end = Bound(range.End);
        return BytesRange.CreateBytesRange(Builder, start, end);
    }

    /// <summary>The SST info table.</summary>
    public Offset<SsTableInfo> Info(M.SsTableInfoModel info)
    {
        ArgumentNullException.ThrowIfNull(info);
        var first = info.FirstEntry is { } firstEntry ? Bytes(firstEntry) : default;
        var last = info.LastEntry is { } lastEntry ? Bytes(lastEntry) : default;
        return SsTableInfo.CreateSsTableInfo(
            Builder,
            first,
            info.IndexOffset,
            info.IndexLen,
            info.FilterOffset,
            info.FilterLen,
            (CompressionFormat)info.Compression,
            (SstType)info.SstType,
            last,
            info.StatsOffset,
            info.StatsLen,
            (FilterFormat)info.FilterFormat);
    }

    /// <summary>A compacted SST entry as manifest version 1 and compaction outputs store it.</summary>
    public Offset<CompactedSsTable> CompactedSst(M.SsTableHandle sst, M.BytesRange? visibleRange)
    {
        ArgumentNullException.ThrowIfNull(sst);
        var id = Ulid(CompactedUlid(sst.Id));
        var info = Info(sst.Info);
        var range = visibleRange is null ? default : Range(visibleRange);
        return CompactedSsTable.CreateCompactedSsTable(Builder, id, info, range, sst.FormatVersion);
    }

    /// <summary>A vector of compacted SST entries without visible ranges.</summary>
    public VectorOffset CompactedSsts(IReadOnlyList<M.SsTableHandle> ssts)
        => OffsetVector(ssts.Select(sst => CompactedSst(sst, visibleRange: null)).ToArray());

    /// <summary>A compacted SST entry of manifest version 2's shared SST list.</summary>
    public Offset<CompactedSsTableV2> CompactedSstV2(M.SsTableHandle sst)
    {
        var id = Ulid(CompactedUlid(sst.Id));
        var info = Info(sst.Info);
        return CompactedSsTableV2.CreateCompactedSsTableV2(Builder, id, info, sst.FormatVersion);
    }

    /// <summary>A checkpoint (times in whole seconds; no expiry is stored as 0).</summary>
    public Offset<Checkpoint> Checkpoint(M.Checkpoint checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        var id = Uuid(checkpoint.Id);
        var expire = checkpoint.ExpireTime is { } expireTime ? Seconds(expireTime, nameof(checkpoint.ExpireTime)) : 0;
        var create = Seconds(checkpoint.CreateTime, nameof(checkpoint.CreateTime));
        var name = checkpoint.Name is null ? default : Builder.CreateString(checkpoint.Name);
        return FlatBuffers.Checkpoint.CreateCheckpoint(Builder, id, checkpoint.ManifestId, expire, create, CheckpointMetadata.NONE, 0, name);
    }

    /// <summary>A vector of checkpoints.</summary>
    public VectorOffset Checkpoints(IReadOnlyList<M.Checkpoint> checkpoints)
        => OffsetVector(checkpoints.Select(Checkpoint).ToArray());

    /// <summary>A vector of external databases, or nothing when there are none (as SlateDB writes it).</summary>
    public VectorOffset ExternalDbs(IReadOnlyList<M.ExternalDb> externalDbs)
    {
        if (externalDbs.Count == 0)
        {
            return default;
        }

        var offsets = new Offset<ExternalDb>[externalDbs.Count];
        for (var i = 0; i < offsets.Length; i++)
        {
            var db = externalDbs[i];
            var path = Builder.CreateString(db.Path);
            var source = Uuid(db.SourceCheckpointId);
            var final = db.FinalCheckpointId is { } finalId ? Uuid(finalId) : default;
            var sstIds = Ulids(db.SstIds.Select(CompactedUlid));
            offsets[i] = ExternalDb.CreateExternalDb(Builder, path, source, final, sstIds);
        }

        return OffsetVector(offsets);
    }

    /// <summary>A vector of offsets (tables or strings) in the given order.</summary>
    public VectorOffset OffsetVector<T>(Offset<T>[] items)
        where T : struct
    {
        Builder.StartVector(4, items.Length, 4);
        for (var i = items.Length - 1; i >= 0; i--)
        {
            Builder.AddOffset(items[i].Value);
        }

        return Builder.EndVector();
    }

    /// <summary>The ULID of a compacted SST id; a WAL SST cannot appear in these tables.</summary>
    public static Common.Ulid CompactedUlid(M.SsTableId id)
        => id.IsWal ? throw new ArgumentException($"{id} is a WAL SST; only compacted SSTs are stored here.", nameof(id)) : id.CompactedId;

    private Offset<BytesBound> Bound(M.BytesBound bound)
    {
        var key = bound.IsBounded ? Bytes(bound.Key) : default;
        var type = bound.Kind switch
        {
            M.BoundKind.Included => BoundType.Included,
            M.BoundKind.Excluded => BoundType.Excluded,
            _ => BoundType.Unbounded,
        };
        return BytesBound.CreateBytesBound(Builder, key, type);
    }

    private static uint Seconds(DateTimeOffset time, string what)
    {
        var seconds = time.ToUnixTimeSeconds();
        return seconds is >= 0 and <= uint.MaxValue
            ? (uint)seconds
            : throw new ArgumentOutOfRangeException(what, time, "Checkpoint times are stored as unsigned 32-bit Unix seconds.");
    }
}
