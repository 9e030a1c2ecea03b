namespace SlateDB;

/// <summary>How SST blocks are compressed (SlateDB's <c>compression_codec</c>).</summary>
public enum CompressionCodec
{
    /// <summary>No compression (SlateDB's default).</summary>
    None = 0,

    /// <summary>Snappy, raw format.</summary>
    Snappy = 1,

    /// <summary>zlib stream, default level.</summary>
    Zlib = 2,

    /// <summary>LZ4 block format with a 4-byte little-endian size prefix.</summary>
    Lz4 = 3,

    /// <summary>Zstandard, level 3.</summary>
    Zstd = 4,
}
