namespace SlateDB.Format.Compression;

/// <summary>
/// How SST blocks are compressed. The numbers are the <c>CompressionFormat</c> values of SlateDB's
/// <c>sst.fbs</c>, recorded in each SST's metadata.
/// </summary>
internal enum BlockCodec : byte
{
    /// <summary>Stored as is.</summary>
    None = 0,

    /// <summary>Snappy raw format (not framed).</summary>
    Snappy = 1,

    /// <summary>A zlib stream (deflate with zlib header and Adler-32 trailer), level 6.</summary>
    Zlib = 2,

    /// <summary>LZ4 block format after a 4-byte little-endian uncompressed length.</summary>
    Lz4 = 3,

    /// <summary>A Zstandard frame, level 3.</summary>
    Zstd = 4,
}
