using SlateDB.Common;

namespace SlateDB.Format;

/// <summary>The block compression an SST uses (wire values of the SST info's <c>compression_format</c>).</summary>
internal enum SstCompression : byte
{
    /// <summary>Blocks are not compressed.</summary>
    None = 0,

    /// <summary>Snappy.</summary>
    Snappy = 1,

    /// <summary>Zlib.</summary>
    Zlib = 2,

    /// <summary>LZ4.</summary>
    Lz4 = 3,

    /// <summary>Zstandard.</summary>
    Zstd = 4,
}

/// <summary>What an SST holds (wire values of <c>sst_type</c>).</summary>
internal enum SstKind : byte
{
    /// <summary>An L0 or sorted-run SST of keys in order.</summary>
    Compacted = 0,

    /// <summary>A WAL SST of rows in sequence order.</summary>
    Wal = 1,
}

/// <summary>How an SST's filter block is laid out (wire values of <c>filter_format</c>).</summary>
internal enum SstFilterFormat : byte
{
    /// <summary>One raw bloom filter (what an absent field means: SSTs from before the field existed).</summary>
    Legacy = 0,

    /// <summary>Named filters, each prefixed with its name and length (what current writers emit).</summary>
    Composite = 1,
}

/// <summary>
/// The metadata at the end of every SST and in every manifest entry (Rust <c>SsTableInfo</c>). Entries are absent
/// (null) or present, possibly empty; for a WAL SST <see cref="FirstEntry"/> is the first sequence number as 8
/// big-endian bytes and <see cref="LastEntry"/> is absent. A length of zero means the block is absent.
/// </summary>
/// <remarks>
/// Assign <c>null</c> itself for an absent entry: a null <c>byte[]</c> converts to a present, empty memory.
/// </remarks>
internal sealed record SsTableInfoModel
{
    /// <summary>The first key (or, for a WAL SST, the first sequence number).</summary>
    public ReadOnlyMemory<byte>? FirstEntry { get; init; }

    /// <summary>The last key (absent for WAL SSTs).</summary>
    public ReadOnlyMemory<byte>? LastEntry { get; init; }

    /// <summary>Where the index block starts.</summary>
    public ulong IndexOffset { get; init; }

    /// <summary>The index block's length.</summary>
    public ulong IndexLen { get; init; }

    /// <summary>Where the filter block starts.</summary>
    public ulong FilterOffset { get; init; }

    /// <summary>The filter block's length (0: no filter).</summary>
    public ulong FilterLen { get; init; }

    /// <summary>The block compression.</summary>
    public SstCompression Compression { get; init; }

    /// <summary>Compacted or WAL.</summary>
    public SstKind SstType { get; init; }

    /// <summary>Where the statistics block starts.</summary>
    public ulong StatsOffset { get; init; }

    /// <summary>The statistics block's length (0: no statistics).</summary>
    public ulong StatsLen { get; init; }

    /// <summary>The filter block layout; new SSTs use <see cref="SstFilterFormat.Composite"/>.</summary>
    public SstFilterFormat FilterFormat { get; init; } = SstFilterFormat.Composite;

    /// <inheritdoc/>
    public bool Equals(SsTableInfoModel? other)
        => other is not null
            && ModelEquality.Bytes(FirstEntry, other.FirstEntry)
            && ModelEquality.Bytes(LastEntry, other.LastEntry)
            && IndexOffset == other.IndexOffset
            && IndexLen == other.IndexLen
            && FilterOffset == other.FilterOffset
            && FilterLen == other.FilterLen
            && Compression == other.Compression
            && SstType == other.SstType
            && StatsOffset == other.StatsOffset
            && StatsLen == other.StatsLen
            && FilterFormat == other.FilterFormat;

    /// <inheritdoc/>
    public override int GetHashCode()
        => HashCode.Combine(ModelEquality.BytesHash(FirstEntry), ModelEquality.BytesHash(LastEntry), IndexOffset, IndexLen, FilterOffset, Compression, SstType, StatsOffset);
}
