using SlateDB.Format;
using SlateDB.Manifest;

namespace SlateDB.Compatibility.Tests.Infrastructure;

/// <summary>The codec an SST's info records for a writer setting.</summary>
internal static class SstCodecs
{
    public static SstCompression Expected(CompressionCodec codec) => codec switch
    {
        CompressionCodec.None => SstCompression.None,
        CompressionCodec.Snappy => SstCompression.Snappy,
        CompressionCodec.Zlib => SstCompression.Zlib,
        CompressionCodec.Lz4 => SstCompression.Lz4,
        CompressionCodec.Zstd => SstCompression.Zstd,
        _ => throw new ArgumentOutOfRangeException(nameof(codec), codec, null),
    };
}
