namespace SlateDB.Format.FlatBuffers;

/// <summary>Per-block row counts.</summary>
internal readonly record struct BlockStatsModel(ushort NumPuts, ushort NumDeletes, ushort NumMerges);

/// <summary>Per-SST statistics gathered while building it (row counts, raw sizes, per-block counts parallel to the index).</summary>
internal sealed record SstStatsModel(
    ulong NumPuts,
    ulong NumDeletes,
    ulong NumMerges,
    ulong RawKeySize,
    ulong RawValSize,
    IReadOnlyList<BlockStatsModel> BlockStats)
{
    /// <summary>All rows: puts, deletes and merges.</summary>
    public ulong NumRows => NumPuts + NumDeletes + NumMerges;

    /// <inheritdoc/>
    public bool Equals(SstStatsModel? other)
        => other is not null
            && NumPuts == other.NumPuts
            && NumDeletes == other.NumDeletes
            && NumMerges == other.NumMerges
            && RawKeySize == other.RawKeySize
            && RawValSize == other.RawValSize
            && Common.ModelEquality.Sequence(BlockStats, other.BlockStats);

    /// <inheritdoc/>
    public override int GetHashCode()
        => HashCode.Combine(NumPuts, NumDeletes, NumMerges, RawKeySize, RawValSize, Common.ModelEquality.SequenceHash(BlockStats));
}

/// <summary>Encodes and decodes the SST statistics block: a bare <c>SstStats</c> flatbuffer.</summary>
internal static class SstStatsCodec
{
    /// <summary>
    /// Encodes the statistics (with <see cref="PerBlockMetadataBuilder"/>: the bytes SlateDB writes; no per-block vector
    /// when there are no blocks, as SlateDB writes it), in a buffer of <paramref name="capacity"/> bytes to start with
    /// (tests make it grow); by default one it never outgrows (each block takes at most 16 bytes with its vector slot).
    /// </summary>
    public static byte[] Encode(SstStatsModel stats, int? capacity = null)
    {
        ArgumentNullException.ThrowIfNull(stats);
        var blocks = stats.BlockStats;
        var builder = new PerBlockMetadataBuilder(capacity ?? checked(128 + (blocks.Count * 20)));
        var vector = 0;
        if (blocks.Count > 0)
        {
            var tables = new int[blocks.Count];
            for (var i = 0; i < tables.Length; i++)
            {
                var block = blocks[i];
                builder.StartTable(3);
                builder.AddUInt16(2, block.NumMerges);
                builder.AddUInt16(1, block.NumDeletes);
                builder.AddUInt16(0, block.NumPuts);
                tables[i] = builder.EndTable();
            }

            vector = builder.OffsetVector(tables);
        }

        builder.StartTable(6);
        builder.AddUInt64(4, stats.RawValSize);
        builder.AddUInt64(3, stats.RawKeySize);
        builder.AddUInt64(2, stats.NumMerges);
        builder.AddUInt64(1, stats.NumDeletes);
        builder.AddUInt64(0, stats.NumPuts);
        builder.AddOffset(5, vector);
        return builder.Finish(builder.EndTable());
    }

    /// <summary>Decodes a statistics block read from <paramref name="objectName"/>.</summary>
    /// <exception cref="SlateDbException">Kind Data: the bytes are not SST statistics.</exception>
    public static SstStatsModel Decode(ReadOnlyMemory<byte> bytes, string objectName)
    {
        ArgumentNullException.ThrowIfNull(objectName);
        return FlatBufferInput.Decode(objectName, "SST statistics", () =>
        {
            var fb = SstStats.GetRootAsSstStats(FlatBufferInput.Open(bytes, SlateDbSchemas.SstStats));
            var blocks = new BlockStatsModel[fb.BlockStatsLength];
            for (var i = 0; i < blocks.Length; i++)
            {
                var block = fb.BlockStats(i).GetValueOrDefault();
                blocks[i] = new BlockStatsModel(block.NumPuts, block.NumDeletes, block.NumMerges);
            }

            return new SstStatsModel(fb.NumPuts, fb.NumDeletes, fb.NumMerges, fb.RawKeySize, fb.RawValSize, blocks);
        });
    }
}
