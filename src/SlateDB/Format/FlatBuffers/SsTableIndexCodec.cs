namespace SlateDB.Format.FlatBuffers;

/// <summary>One block of an SST: where it starts and the key that separates it from the previous block.</summary>
/// <remarks>The first key is a separator, not necessarily a stored key (the first block's may be empty).</remarks>
internal readonly struct BlockMetaModel(ulong offset, ReadOnlyMemory<byte> firstKey) : IEquatable<BlockMetaModel>
{
    /// <summary>The block's offset in the SST.</summary>
    public ulong Offset { get; } = offset;

    /// <summary>The block's separator key.</summary>
    public ReadOnlyMemory<byte> FirstKey { get; } = firstKey;

    /// <inheritdoc/>
    public bool Equals(BlockMetaModel other) => Offset == other.Offset && FirstKey.Span.SequenceEqual(other.FirstKey.Span);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is BlockMetaModel other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Offset, Common.ModelEquality.BytesHash(FirstKey));

    /// <summary>Equality.</summary>
    public static bool operator ==(BlockMetaModel left, BlockMetaModel right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    public static bool operator !=(BlockMetaModel left, BlockMetaModel right) => !left.Equals(right);
}

/// <summary>An SST's index block: the blocks in key order.</summary>
internal sealed record SsTableIndexModel(IReadOnlyList<BlockMetaModel> Blocks)
{
    /// <inheritdoc/>
    public bool Equals(SsTableIndexModel? other) => other is not null && Common.ModelEquality.Sequence(Blocks, other.Blocks);

    /// <inheritdoc/>
    public override int GetHashCode() => Common.ModelEquality.SequenceHash(Blocks);
}

/// <summary>Encodes and decodes the SST index block: a bare <c>SsTableIndex</c> flatbuffer.</summary>
internal static class SsTableIndexCodec
{
    /// <summary>
    /// Encodes the index (with <see cref="PerBlockMetadataBuilder"/>: the bytes SlateDB writes), in a buffer of
    /// <paramref name="capacity"/> bytes to start with (tests make it grow); by default one it never outgrows.
    /// </summary>
    public static byte[] Encode(SsTableIndexModel index, int? capacity = null)
    {
        ArgumentNullException.ThrowIfNull(index);
        var blocks = index.Blocks;
        var builder = new PerBlockMetadataBuilder(capacity ?? Capacity(blocks));
        var metas = new int[blocks.Count];
        for (var i = 0; i < metas.Length; i++)
        {
            var block = blocks[i];
            var key = builder.Bytes(block.FirstKey.Span);
            builder.StartTable(2);
            builder.AddUInt64(0, block.Offset);
            builder.AddOffset(1, key);
            metas[i] = builder.EndTable();
        }

        var vector = builder.OffsetVector(metas);
        builder.StartTable(1);
        builder.AddOffset(0, vector);
        return builder.Finish(builder.EndTable());
    }

    /// <summary>
    /// An upper bound of an index's size: each block takes at most 31 bytes besides its key (its key's length, its
    /// table, their padding, its slot in the vector); 64 more hold the root table, the vector's length, the blocks'
    /// vtables (at most three distinct ones of 8 bytes) and the root offset.
    /// </summary>
    private static int Capacity(IReadOnlyList<BlockMetaModel> blocks)
    {
        var capacity = 64;
        for (var i = 0; i < blocks.Count; i++)
        {
            capacity = checked(capacity + 32 + blocks[i].FirstKey.Length);
        }

        return capacity;
    }

    /// <summary>
    /// Decodes an index block read from <paramref name="objectName"/>: verified against the schema, then read straight
    /// from the bytes (<see cref="FlatBufferTables"/>), the blocks' first keys copied into one array they share.
    /// </summary>
    /// <exception cref="SlateDbException">Kind Data: the bytes are not an SST index.</exception>
    public static SsTableIndexModel Decode(ReadOnlyMemory<byte> bytes, string objectName)
    {
        ArgumentNullException.ThrowIfNull(objectName);
        return FlatBufferInput.Decode(objectName, "SST index", () =>
        {
            FlatBufferInput.Verify(bytes.Span, SlateDbSchemas.SsTableIndex);
            var buffer = bytes.Span;
            var metas = FlatBufferTables.Follow(buffer, FlatBufferTables.Field(buffer, FlatBufferTables.Root(buffer), 0));
            var count = FlatBufferTables.VectorLength(buffer, metas);
            var keyBytes = 0;
            for (var i = 0; i < count; i++)
            {
                keyBytes = checked(keyBytes + FlatBufferTables.Bytes(buffer, Meta(buffer, metas, i), 1).Length);
            }

            var keys = new byte[keyBytes];
            var blocks = new BlockMetaModel[count];
            var at = 0;
            for (var i = 0; i < count; i++)
            {
                var meta = Meta(buffer, metas, i);
                var key = FlatBufferTables.Bytes(buffer, meta, 1);
                key.CopyTo(keys.AsSpan(at));
                blocks[i] = new BlockMetaModel(FlatBufferTables.UInt64(buffer, meta, 0), keys.AsMemory(at, key.Length));
                at += key.Length;
            }

            return new SsTableIndexModel(blocks);
        });
    }

    /// <summary>The position of the <paramref name="i"/>th <c>BlockMeta</c> table of the vector at <paramref name="metas"/>.</summary>
    private static int Meta(ReadOnlySpan<byte> buffer, int metas, int i) => FlatBufferTables.Follow(buffer, metas + 4 + (4 * i));
}
