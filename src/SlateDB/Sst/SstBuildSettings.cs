using SlateDB.Format.Blocks;
using SlateDB.Format.Compression;

namespace SlateDB.Sst;

/// <summary>How SSTs are built: block size, codec, bloom filter settings (from <see cref="SlateDbOptions"/>).</summary>
internal sealed record SstBuildSettings(int BlockSize, BlockCodec Codec, int MinFilterKeys, int FilterBitsPerKey)
{
    /// <summary>SST format version 2 (block V2), what SlateDB 0.12.1 and later write.</summary>
    public const ushort FormatVersion = 2;

    /// <summary>
    /// Where builders rent their output buffers (one pool per database, set by <see cref="TableStore"/>); null: each
    /// SST gets its own array. Not part of the settings' equality.
    /// </summary>
    public SstBufferPool? Buffers { get; init; }

    public bool Equals(SstBuildSettings? other) =>
        other is not null && BlockSize == other.BlockSize && Codec == other.Codec && MinFilterKeys == other.MinFilterKeys && FilterBitsPerKey == other.FilterBitsPerKey;

    public override int GetHashCode() => HashCode.Combine(BlockSize, Codec, MinFilterKeys, FilterBitsPerKey);

    public static SstBuildSettings From(SlateDbOptions options) =>
        new(BlockBuilder.DefaultBlockSize, (BlockCodec)(byte)options.CompressionCodec, options.MinFilterKeys, options.FilterBitsPerKey);
}
