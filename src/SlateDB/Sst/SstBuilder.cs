using System.Buffers;
using System.Buffers.Binary;
using SlateDB.Format;
using SlateDB.Format.Blocks;
using SlateDB.Format.Compression;
using SlateDB.Format.Filters;
using SlateDB.Format.FlatBuffers;

namespace SlateDB.Sst;

/// <summary>
/// An SST's bytes and the metadata a manifest records for it. When the bytes live in a pooled buffer
/// (<see cref="SstBufferPool"/>), <see cref="Release"/> hands it back: call it only once the upload has returned and
/// nothing keeps a reference to <see cref="Bytes"/> (or a slice of it); after it the bytes must not be read.
/// Not releasing is always safe: the buffer is then left to the GC.
/// </summary>
internal sealed class EncodedSst(ReadOnlyMemory<byte> bytes, SsTableInfoModel info, int rowCount, byte[]? pooled = null, SstBufferPool? pool = null, long offset = 0)
{
    private byte[]? _pooled = pooled;

    /// <summary>
    /// Where <see cref="Bytes"/> start in the object: 0, or for a builder that streamed its data blocks to a
    /// <see cref="Storage.IStreamingObjectWriter"/>, the bytes already written there (<see cref="Bytes"/> is the rest).
    /// </summary>
    public long Offset => offset;

    /// <summary>The size of the whole object.</summary>
    public long Size => offset + bytes.Length;

    public ReadOnlyMemory<byte> Bytes => _pooled is null && pool is not null
        ? throw new InvalidOperationException("The SST's buffer was released to the pool.")
        : bytes;

    public SsTableInfoModel Info => info;

    public int RowCount => rowCount;

    /// <summary>Returns the buffer to its pool (once; later calls do nothing).</summary>
    public void Release()
    {
        if (pool is not null && Interlocked.Exchange(ref _pooled, null) is { } buffer)
        {
            pool.Return(buffer);
        }
    }
}

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
    private readonly OutputBuffer _output;
    private readonly BlockBuilder _block;
    private readonly List<BlockMetaModel> _blocks = [];
    private readonly List<BlockStatsModel> _blockStats = [];
    private readonly BloomFilterBuilder? _filter;
    private byte[]? _firstEntry;

    // The last key added (compacted SSTs), kept in a reused buffer: it is only needed as an array at the end.
    private byte[] _lastKey = [];
    private int _lastKeyLength = -1;
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

    /// <summary>Bytes handed to <see cref="Sink"/> so far (all before the output buffer's).</summary>
    private long _streamed;

    /// <param name="settings">Block size, codec and filter settings.</param>
    /// <param name="kind">Compacted (key order) or WAL (sequence order).</param>
    /// <param name="expectedSize">
    /// The expected size of the SST, to size the output buffer once: for a WAL SST an upper bound of its uncompressed
    /// size (<see cref="Wal.WalBuffer.EstimatedSize"/>), for a compacted one the rows' estimated size.
    /// </param>
    /// <param name="sink">
    /// Where finished data blocks go as they are produced, about <see cref="StreamChunkBytes"/> at a time (the object
    /// being written); <see cref="Finish"/> then returns only what is left (the last data blocks and the metadata), for
    /// the caller to write before committing. Null: the whole SST is built in memory.
    /// </param>
    public SstBuilder(SstBuildSettings settings, SstKind kind, long expectedSize = 64 * 1024, Storage.IStreamingObjectWriter? sink = null)
    {
        _settings = settings;
        _kind = kind;
        Sink = sink;
        // WAL writers pass WalBuffer.EstimatedSize, a close upper bound of the uncompressed object; compacted writers
        // pass SlateDB's row size estimate, which leaves out varints and block overhead (and compression may grow a block).
        var slack = kind == SstKind.Wal && settings.Codec == BlockCodec.None ? 0 : expectedSize / 8;
        var capacity = Math.Clamp(expectedSize + slack + 4096, 4096, Array.MaxLength);
        _output = new OutputBuffer((int)(sink is null ? capacity : Math.Min(capacity, 2 * StreamChunkBytes)), settings.Buffers);
        _block = BlockBuilder.Create(BlockFormatVersion.V2, settings.BlockSize);
        if (kind == SstKind.Compacted)
        {
            _filter = new BloomFilterBuilder(settings.FilterBitsPerKey);
        }
    }

    /// <summary>A streaming builder writes its data blocks out once this many bytes are buffered.</summary>
    public const int StreamChunkBytes = 1024 * 1024;

    public int RowCount => _rows;

    /// <summary>Where the data blocks go as they are finished; null when the SST is built whole in memory.</summary>
    public Storage.IStreamingObjectWriter? Sink { get; }

    /// <summary>
    /// Where copies of the first data blocks go as they are finished (a streamed L0 flush's warm on write: the blocks
    /// leave the builder before the SST is published); null: none are copied.
    /// </summary>
    public DataBlockCopies? BlockCopies { get; set; }

    /// <summary>
    /// The frozen memtable an L0 flush writes, when the SST's cache entry is to be that table itself
    /// (<see cref="RetainedMemtable"/>) rather than its data blocks; null otherwise.
    /// </summary>
    public Memtable.KvTable? RetainedTable { get; set; }

    /// <summary>Bytes written so far plus the open block: the size the SST would have if finished now, roughly.</summary>
    public long EstimatedSize => Position + _block.EncodedLength;

    /// <summary>The offset in the object of the next byte written.</summary>
    private long Position => _streamed + _output.WrittenCount;

    public void Add(in RowEntry row)
    {
        if (_block.IsEmpty)
        {
            StartBlock(row);
        }
        else if (!_block.TryAdd(row))
        {
            FinishBlock();
            StartBlock(row);
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
            var key = row.Key.Span;
            _firstEntry ??= key.ToArray();
            if (_lastKey.Length < key.Length)
            {
                _lastKey = new byte[Math.Max(key.Length, 2 * _lastKey.Length)];
            }

            key.CopyTo(_lastKey);
            _lastKeyLength = key.Length;
            _filter!.AddKey(key);
        }
    }

    public EncodedSst Finish()
    {
        FinishBlock();
        var codec = _settings.Codec;
        var dataEnd = (ulong)Position;

        ulong filterOffset = dataEnd, filterLen = 0;
        if (_filter is not null && _rows >= _settings.MinFilterKeys && _rows > 0)
        {
            filterLen = (ulong)WriteBlock(FilterBlockCodec.EncodeLegacy(_filter.Build()), codec);
        }

        var indexOffset = (ulong)Position;
        var indexLen = (ulong)WriteBlock(SsTableIndexCodec.Encode(new SsTableIndexModel(_blocks)), codec);

        ulong statsOffset = 0, statsLen = 0;
        if (_kind == SstKind.Compacted)
        {
            statsOffset = (ulong)Position;
            var stats = new SstStatsModel(_puts, _deletes, _merges, _rawKeySize, _rawValueSize, _blockStats);
            statsLen = (ulong)WriteBlock(SstStatsCodec.Encode(stats), codec);
        }

        var info = new SsTableInfoModel
        {
            FirstEntry = Optional(_firstEntry),
            LastEntry = _kind == SstKind.Compacted ? Optional(_lastKeyLength < 0 ? null : _lastKey.AsSpan(0, _lastKeyLength).ToArray()) : null,
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

        var infoOffset = (ulong)Position;
        WriteBlock(SsTableInfoCodec.Encode(info), BlockCodec.None);
        var tail = _output.GetSpan(10);
        BinaryPrimitives.WriteUInt64BigEndian(tail, infoOffset);
        BinaryPrimitives.WriteUInt16BigEndian(tail[8..], SstBuildSettings.FormatVersion);
        _output.Advance(10);
        return new EncodedSst(_output.WrittenMemory, info, _rows, _output.Pool is null ? null : _output.Buffer, _output.Pool, _streamed);
    }

    /// <summary>Adds the first row of a block, after working out the block's index key.</summary>
    private void StartBlock(in RowEntry row)
    {
        _pendingIndexKey = _kind == SstKind.Wal
            ? SeqBytes(row.Seq)
            : IndexKey(_lastKey.AsSpan(0, Math.Max(0, _lastKeyLength)), hasPrevious: _lastKeyLength >= 0, row.Key.Span);
        if (!_block.TryAdd(row))
        {
            throw new InvalidOperationException("An empty block refused a row.");
        }
    }

    private void FinishBlock()
    {
        if (_block.IsEmpty)
        {
            return;
        }

        _blocks.Add(new BlockMetaModel((ulong)Position, _pendingIndexKey));
        var start = _output.WrittenCount;
        if (_settings.Codec == BlockCodec.None)
        {
            // Stored as is: build the block straight into the output.
            _output.Advance(_block.WriteTo(_output.GetSpan(_block.EncodedLength)));
            AppendChecksum(start);
        }
        else
        {
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
        }

        BlockCopies?.Offer(_output.WrittenSpan[start..]);
        _blockStats.Add(new BlockStatsModel(_blockPuts, _blockDeletes, _blockMerges));
        _blockPuts = _blockDeletes = _blockMerges = 0;
        _block.Reset();
        if (Sink is { } sink && _output.WrittenCount >= StreamChunkBytes)
        {
            // Written while the bytes are still in the CPU's cache, from a buffer reused for the whole SST.
            sink.Write(_output.WrittenSpan);
            _streamed += _output.WrittenCount;
            _output.Clear();
        }
    }

    /// <summary>Appends <c>compress(payload) ++ crc32</c>; returns the bytes appended.</summary>
    private int WriteBlock(ReadOnlySpan<byte> payload, BlockCodec codec)
    {
        var start = _output.WrittenCount;
        BlockCompression.Compress(codec, payload, _output);
        AppendChecksum(start);
        return _output.WrittenCount - start;
    }

    /// <summary>Appends the CRC-32 of the bytes written since <paramref name="start"/>.</summary>
    private void AppendChecksum(int start)
    {
        var crc = Checksum.Compute(_output.WrittenSpan[start..]);
        BinaryPrimitives.WriteUInt32BigEndian(_output.GetSpan(4), crc);
        _output.Advance(4);
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
    internal static byte[] IndexKey(byte[]? previousLastKey, ReadOnlySpan<byte> firstKey) =>
        IndexKey(previousLastKey, previousLastKey is not null, firstKey);

    private static byte[] IndexKey(ReadOnlySpan<byte> previousLastKey, bool hasPrevious, ReadOnlySpan<byte> firstKey)
    {
        if (!hasPrevious)
        {
            return [];
        }

        var common = previousLastKey.CommonPrefixLength(firstKey);
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

    /// <summary>
    /// The SST's bytes, in one array that grows by doubling (as <see cref="ArrayBufferWriter{T}"/>) but is allocated
    /// without zeroing: every byte handed out is written before it is read, and the pages past the end of a
    /// generously sized buffer are never touched. With a pool the array is rented from it (an outgrown one goes back
    /// at once: nothing has seen it yet); the finished SST's array goes back through <see cref="EncodedSst.Release"/>.
    /// </summary>
    private sealed class OutputBuffer(int capacity, SstBufferPool? pool) : IBufferWriter<byte>
    {
        private byte[] _buffer = pool is null ? GC.AllocateUninitializedArray<byte>(capacity) : pool.Rent(capacity);
        private int _written;

        public SstBufferPool? Pool => pool;

        public byte[] Buffer => _buffer;

        public int WrittenCount => _written;

        public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _written);

        public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _written);

        /// <summary>Forgets what was written (it was handed on); the buffer is reused.</summary>
        public void Clear() => _written = 0;

        public void Advance(int count)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(count);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(count, _buffer.Length - _written);
            _written += count;
        }

        public Memory<byte> GetMemory(int sizeHint = 0)
        {
            Reserve(sizeHint);
            return _buffer.AsMemory(_written);
        }

        public Span<byte> GetSpan(int sizeHint = 0)
        {
            Reserve(sizeHint);
            return _buffer.AsSpan(_written);
        }

        private void Reserve(int sizeHint)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(sizeHint);
            var needed = Math.Max(sizeHint, 1);
            if (_buffer.Length - _written >= needed)
            {
                return;
            }

            var size = (int)Math.Min(Array.MaxLength, Math.Max((long)_written + needed, 2L * _buffer.Length));
            if (size - _written < needed)
            {
                throw new InvalidOperationException("The SST would be larger than the largest array.");
            }

            var bigger = pool is null ? GC.AllocateUninitializedArray<byte>(size) : pool.Rent(size);
            _buffer.AsSpan(0, _written).CopyTo(bigger);
            pool?.Return(_buffer);
            _buffer = bigger;
        }
    }
}
