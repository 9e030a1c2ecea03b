using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Google.FlatBuffers;
using SlateDB.Common;

namespace SlateDB.Format.FlatBuffers;

/// <summary>
/// Builds FlatBuffers metadata (SST info; the building blocks of manifests and <c>.compactions</c>), writing what
/// SlateDB's own encoder writes: optional fields only when set. An SST's index and statistics, one table per block,
/// are built by <see cref="PerBlockMetadataBuilder"/> instead (the same bytes, precompiled). Children are built
/// before the table that refers to them, as FlatBuffers requires. Manifest tables are mapped from the model by
/// <c>Manifest/Codec</c>.
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

    /// <summary>The SST info table.</summary>
    public Offset<SsTableInfo> Info(SsTableInfoModel info)
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
}
