using SlateDB.Format.Blocks;
using SlateDB.Format.Compression;

namespace SlateDB.Sst;

/// <summary>How SSTs are built: block size, codec, bloom filter settings (from <see cref="SlateDbOptions"/>).</summary>
internal sealed record SstBuildSettings(int BlockSize, BlockCodec Codec, int MinFilterKeys, int FilterBitsPerKey)
{
    /// <summary>SST format version 2 (block V2), what SlateDB 0.12.1 and later write.</summary>
    public const ushort FormatVersion = 2;

    public static SstBuildSettings From(SlateDbOptions options) =>
        new(BlockBuilder.DefaultBlockSize, (BlockCodec)(byte)options.CompressionCodec, options.MinFilterKeys, options.FilterBitsPerKey);
}
