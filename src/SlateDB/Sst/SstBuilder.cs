using System.Buffers;
using System.Buffers.Binary;
using SlateDB.Format;
using SlateDB.Format.Blocks;
using SlateDB.Format.Compression;
using SlateDB.Format.Filters;
using SlateDB.Format.FlatBuffers;
using SlateDB.Manifest;

namespace SlateDB.Sst;

/// <summary>An SST's bytes and the metadata a manifest records for it.</summary>
internal sealed record EncodedSst(ReadOnlyMemory<byte> Bytes, SsTableInfoModel Info, int RowCount);

/// <summary>
/// Builds one SST object as SlateDB 0.12.1 lays it out: data blocks (block V2), then a filter block (compacted SSTs
/// with at least <c>min_filter_keys</c> rows; one raw bloom filter, the legacy form 0.12.1 reads), the index, a
/// statistics block (compacted SSTs), the info flatbuffer with its CRC, the info's offset (u64 BE) and the format
/// version (u16 BE). Every block but the info is compressed and followed by a CRC-32 of the stored bytes.
/// Compacted SSTs take rows in key order (sequence descending within a key); WAL SSTs in sequence order.
/// </summary>
internal sealed class SstBuilder
{
    private readonly SstBuildSettings _settings;
    private readonly SstKind _kind;
    private readonly ArrayBufferWriter<byte> _output;
    private readonly BlockBuilder _block;
    private readonly List<BlockMetaModel> _blocks = [];
    private readonly List<BlockStatsModel> _blockStats = [];
    private readonly BloomFilterBuilder? _filter;
    private byte[]? _firstEntry;
    private byte[]? _lastKey;
    private ReadOnlyMemory<byte> _pendingIndexKey;
    private ushort _blockPuts;
    private ushort _blockDeletes;
    private ushort _blockMerges;
    private ulong _puts;
    private ulong _deletes;
    private ulong _merges;
    private ulong _rawKeySize;
    private ulong _rawValueSize;
    private int _rows;

    /// <param name="settings">Block size, codec and filter settings.</param>
    /// <param name="kind">Compacted (key order) or WAL (sequence order).</param>
    /// <param name="expectedSize">The expected size of the SST, to size the output buffer once.</param>
    public SstBuilder(SstBuildSettings settings, SstKind kind, long expectedSize = 64 * 1024)
    {
        _settings = settings;
        _kind = kind;
        _output = new ArrayBufferWriter<byte>((int)Math.Clamp(expectedSize + (expectedSize / 8) + 4096, 4096, Array.MaxLength));
        _block = BlockBuilder.Create(BlockFormatVersion.V2, settings.BlockSize);
        if (kind == SstKind.Compacted)
        {
            _filter = new BloomFilterBuilder(settings.FilterBitsPerKey);
        }
    }

    public int RowCount => _rows;

    /// <summary>Bytes written so far plus the open block: the size the SST would have if finished now, roughly.</summary>
    public long EstimatedSize => _output.WrittenCount + _block.EncodedLength;

    public void Add(in RowEntry row)
    {
        if (!_block.WouldFit(row))
        {
            FinishBlock();
        }

        if (_block.IsEmpty)
        {
            _pendingIndexKey = _kind == SstKind.Wal ? SeqBytes(row.Seq) : IndexKey(_lastKey, row.Key.Span);
        }

        if (!_block.TryAdd(row))
        {
            throw new InvalidOperationException("An empty block refused a row.");
        }

        _rows++;
        _rawKeySize += (ulong)row.Key.Length;
        _rawValueSize += (ulong)row.Value.Length;
        switch (row.Kind)
        {
            case RowKind.Tombstone:
                _blockDeletes++;
                _deletes++;
                break;
            case RowKind.Merge:
                _blockMerges++;
                _merges++;
                break;
            default:
                _blockPuts++;
                _puts++;
                break;
        }

        if (_kind == SstKind.Wal)
        {
            _firstEntry ??= SeqBytes(row.Seq);
        }
        else
        {
            _firstEntry ??= row.Key.ToArray();
            _lastKey = row.Key.ToArray();
            _filter!.AddKey(row.Key.Span);
        }
    }

    public EncodedSst Finish()
    {
        FinishBlock();
        var codec = _settings.Codec;
        var dataEnd = (ulong)_output.WrittenCount;

        ulong filterOffset = dataEnd, filterLen = 0;
        if (_filter is not null && _rows >= _settings.MinFilterKeys && _rows > 0)
        {
            filterLen = (ulong)WriteBlock(FilterBlockCodec.EncodeLegacy(_filter.Build()), codec);
        }

        var indexOffset = (ulong)_output.WrittenCount;
        var indexLen = (ulong)WriteBlock(SsTableIndexCodec.Encode(new SsTableIndexModel(_blocks)), codec);

        ulong statsOffset = 0, statsLen = 0;
        if (_kind == SstKind.Compacted)
        {
            statsOffset = (ulong)_output.WrittenCount;
            var stats = new SstStatsModel(_puts, _deletes, _merges, _rawKeySize, _rawValueSize, _blockStats);
            statsLen = (ulong)WriteBlock(SstStatsCodec.Encode(stats), codec);
        }

        var info = new SsTableInfoModel
        {
            FirstEntry = Optional(_firstEntry),
            LastEntry = _kind == SstKind.Compacted ? Optional(_lastKey) : null,
            IndexOffset = indexOffset,
            IndexLen = indexLen,
            FilterOffset = filterOffset,
            FilterLen = filterLen,
            Compression = (SstCompression)(byte)codec,
            SstType = _kind,
            StatsOffset = statsOffset,
            StatsLen = statsLen,
            FilterFormat = SstFilterFormat.Legacy,
        };

        var infoOffset = (ulong)_output.WrittenCount;
        WriteBlock(SsTableInfoCodec.Encode(info), BlockCodec.None);
        var tail = _output.GetSpan(10);
        BinaryPrimitives.WriteUInt64BigEndian(tail, infoOffset);
        BinaryPrimitives.WriteUInt16BigEndian(tail[8..], SstBuildSettings.FormatVersion);
        _output.Advance(10);
        return new EncodedSst(_output.WrittenMemory, info, _rows);
    }

    private void FinishBlock()
    {
        if (_block.IsEmpty)
        {
            return;
        }

        _blocks.Add(new BlockMetaModel((ulong)_output.WrittenCount, _pendingIndexKey));
        var raw = ArrayPool<byte>.Shared.Rent(_block.EncodedLength);
        try
        {
            var length = _block.WriteTo(raw);
            WriteBlock(raw.AsSpan(0, length), _settings.Codec);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(raw);
        }

        _blockStats.Add(new BlockStatsModel(_blockPuts, _blockDeletes, _blockMerges));
        _blockPuts = _blockDeletes = _blockMerges = 0;
        _block.Reset();
    }

    /// <summary>Appends <c>compress(payload) ++ crc32</c>; returns the bytes appended.</summary>
    private int WriteBlock(ReadOnlySpan<byte> payload, BlockCodec codec)
    {
        var start = _output.WrittenCount;
        BlockCompression.Compress(codec, payload, _output);
        var stored = _output.WrittenSpan[start..];
        var crc = Checksum.Compute(stored);
        BinaryPrimitives.WriteUInt32BigEndian(_output.GetSpan(4), crc);
        _output.Advance(4);
        return _output.WrittenCount - start;
    }

    /// <summary>
    /// Absent stays absent, as SlateDB writes it (an empty SST has no first or last entry). A null <c>byte[]</c>
    /// assigned to a <c>ReadOnlyMemory&lt;byte&gt;?</c> would convert to a present, empty entry.
    /// </summary>
    private static ReadOnlyMemory<byte>? Optional(byte[]? bytes) => bytes is null ? default(ReadOnlyMemory<byte>?) : bytes;

    private static byte[] SeqBytes(ulong seq)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, seq);
        return bytes;
    }

    /// <summary>
    /// The index key of a block: empty for the first; otherwise the shortest prefix of the block's first key that is
    /// greater than the previous block's last key (the whole key when they are equal), as SlateDB computes it.
    /// </summary>
    internal static byte[] IndexKey(byte[]? previousLastKey, ReadOnlySpan<byte> firstKey)
    {
        if (previousLastKey is null)
        {
            return [];
        }

        var common = previousLastKey.AsSpan().CommonPrefixLength(firstKey);
        if (common < previousLastKey.Length && common < firstKey.Length)
        {
            return firstKey[..(common + 1)].ToArray();
        }

        if (previousLastKey.Length == firstKey.Length)
        {
            return firstKey.ToArray();
        }

        return firstKey[..Math.Min(firstKey.Length, previousLastKey.Length + 1)].ToArray();
    }
}
