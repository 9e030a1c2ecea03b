namespace SlateDB;

/// <summary>An SST's info record (SlateDB's <c>SsTableInfo</c>): where its sections lie and how they are encoded.</summary>
/// <param name="FirstKey">The first key, when recorded.</param>
/// <param name="LastKey">The last key, when recorded (format version 2).</param>
/// <param name="IndexOffset">Where the index block starts.</param>
/// <param name="IndexLength">The index block's length in bytes (with its checksum).</param>
/// <param name="FilterOffset">Where the filter block starts (0 without one).</param>
/// <param name="FilterLength">The filter block's length (0 without one).</param>
/// <param name="StatsOffset">Where the statistics block starts (0 without one).</param>
/// <param name="StatsLength">The statistics block's length (0 without one; WAL SSTs have none).</param>
/// <param name="Compression">The block codec: <c>none</c>, <c>snappy</c>, <c>zlib</c>, <c>lz4</c> or <c>zstd</c>.</param>
/// <param name="Kind"><c>compacted</c> (L0 and sorted runs) or <c>wal</c>.</param>
/// <param name="FilterFormat"><c>legacy</c> (one bloom filter) or <c>composite</c> (named filters).</param>
public sealed record SstInfo(
    ReadOnlyMemory<byte>? FirstKey,
    ReadOnlyMemory<byte>? LastKey,
    long IndexOffset,
    long IndexLength,
    long FilterOffset,
    long FilterLength,
    long StatsOffset,
    long StatsLength,
    string Compression,
    string Kind,
    string FilterFormat);

/// <summary>One index entry: a data block's position and first key.</summary>
/// <param name="Block">The block's number, from 0.</param>
/// <param name="Offset">Where the block starts.</param>
/// <param name="Length">The block's stored length (compressed, with its checksum).</param>
/// <param name="FirstKey">The first key the block holds.</param>
public sealed record SstIndexEntry(int Block, long Offset, long Length, ReadOnlyMemory<byte> FirstKey);

/// <summary>The SST's bloom filter.</summary>
/// <param name="Bytes">The bit array's size in bytes.</param>
/// <param name="Probes">The number of probes per key.</param>
public sealed record SstFilterInfo(int Bytes, int Probes);

/// <summary>Row counts of one data block (from the statistics block).</summary>
public sealed record SstBlockStatistics(int Puts, int Deletes, int Merges);

/// <summary>An SST's statistics block (SlateDB RFC-0020): row counts and raw sizes, in total and per block.</summary>
/// <param name="Puts">Rows holding a value.</param>
/// <param name="Deletes">Tombstones.</param>
/// <param name="Merges">Merge operands.</param>
/// <param name="RawKeyBytes">The keys' total size, before compression.</param>
/// <param name="RawValueBytes">The values' total size, before compression.</param>
/// <param name="Blocks">Per data block, in index order (empty when the writer recorded none).</param>
public sealed record SstStatistics(long Puts, long Deletes, long Merges, long RawKeyBytes, long RawValueBytes, IReadOnlyList<SstBlockStatistics> Blocks)
{
    /// <summary>All rows.</summary>
    public long Rows => Puts + Deletes + Merges;
}

/// <summary>One row as stored in an SST: every version is a row of its own, tombstones and merge operands included.</summary>
/// <param name="Kind">A value, a tombstone or a merge operand (the same kinds as a WAL row's).</param>
/// <param name="Key">The key.</param>
/// <param name="Value">The value or operand; null for a tombstone.</param>
/// <param name="Sequence">The write's sequence number.</param>
/// <param name="CreateTs">The create time (Unix milliseconds), when recorded.</param>
/// <param name="ExpireTs">The expire time (Unix milliseconds), when the row has a time to live.</param>
public sealed record SstRow(WalRowKind Kind, ReadOnlyMemory<byte> Key, ReadOnlyMemory<byte>? Value, long Sequence, long? CreateTs, long? ExpireTs)
{
    internal static SstRow From(in Format.RowEntry row) => new(
        row.Kind switch
        {
            Format.RowKind.Value => WalRowKind.Value,
            Format.RowKind.Tombstone => WalRowKind.Tombstone,
            _ => WalRowKind.Merge,
        },
        row.Key,
        row.Kind == Format.RowKind.Tombstone ? null : row.Value,
        (long)row.Seq,
        row.CreateTs,
        row.ExpireTs);
}

/// <summary>What a full check of one SST object found (<see cref="SstReader.VerifyAsync"/>).</summary>
/// <param name="ObjectPath">The object checked.</param>
/// <param name="Bytes">Its size.</param>
/// <param name="Blocks">Data blocks checked.</param>
/// <param name="Rows">Rows decoded.</param>
/// <param name="Error">Null when every checksum matched and every section decoded; otherwise what is wrong, naming the object.</param>
public sealed record SstCheck(string ObjectPath, long Bytes, int Blocks, long Rows, string? Error)
{
    /// <summary>True when nothing is wrong.</summary>
    public bool Ok => Error is null;
}
