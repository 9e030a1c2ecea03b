namespace SlateDB.Format.Blocks;

/// <summary>
/// The encoding of a data block. The number equals the SST format version that uses it: SST version 1 holds
/// V1 blocks, version 2 (what SlateDB writes today, WAL SSTs included) holds V2 blocks.
/// </summary>
internal enum BlockFormatVersion : ushort
{
    /// <summary>
    /// Block V1: one u16 offset per entry; each row (<see cref="Rows.RowCodecV1"/>) shares its key prefix
    /// with the block's first key.
    /// </summary>
    V1 = 1,

    /// <summary>
    /// Block V2: one u16 offset per restart point (every 16 entries); each row
    /// (<see cref="Rows.RowCodecV2"/>) shares its key prefix with the previous key.
    /// </summary>
    V2 = 2,
}

/// <summary>Helpers for <see cref="BlockFormatVersion"/>.</summary>
internal static class BlockFormatVersions
{
    /// <summary>
    /// The block format an SST of the given format version uses; throws a <see cref="SlateDbErrorKind.Data"/>
    /// exception for a version this reader does not know.
    /// </summary>
    public static BlockFormatVersion FromSstFormatVersion(ushort sstFormatVersion, string objectName) => sstFormatVersion switch
    {
        1 => BlockFormatVersion.V1,
        2 => BlockFormatVersion.V2,
        _ => Corruption.Throw<BlockFormatVersion>(objectName, $"unsupported SST format version {sstFormatVersion} (supported: 1, 2)"),
    };
}
