using System.Runtime.CompilerServices;
using SlateDB.Caching;
using SlateDB.Format;
using SlateDB.Format.Blocks;
using SlateDB.Format.Filters;
using SlateDB.Format.FlatBuffers;
using SlateDB.Storage;

namespace SlateDB.Sst;

/// <summary>
/// An opened SST: its size, format version, info, index and (if any) bloom filter, validated against each other.
/// Immutable and shareable; blocks are read on demand with <see cref="ReadBlockAsync"/>.
/// </summary>
internal sealed class SstFile
{
    private static readonly IFilterPolicy[] s_policies = [new BloomFilterPolicy()];

    /// <summary>
    /// Each block's first key cut to its first 8 bytes (zero-padded, big-endian): index searches compare these
    /// integers, in one small array, and read a whole key only when the prefixes tie.
    /// </summary>
    private readonly ulong[] _firstKeyPrefixes;

    /// <summary>Each block's offset, copied out of the index model for the read path.</summary>
    private readonly ulong[] _blockStarts;

    /// <summary>The block-cache key of this SST's data blocks at offset 0: its path hashed once, for every block's key.</summary>
    private readonly BlockCacheKey _dataBlockKey;
    private bool _mayHaveRetained;

    /// <summary>Point-read block misses in this SST since it was opened (<see cref="CountMiss"/>).</summary>
    private int _misses;

    private SstFile(string path, long size, ushort formatVersion, SsTableInfoModel info, SsTableIndexModel index, IFilter? filter)
    {
        Path = path;
        Size = size;
        FormatVersion = formatVersion;
        Info = info;
        Index = index;
        Filter = filter;
        BlockFormat = formatVersion == 1 ? BlockFormatVersion.V1 : BlockFormatVersion.V2;
        DataEnd = info.FilterLen > 0 ? info.FilterOffset : info.IndexOffset;
        _dataBlockKey = new BlockCacheKey(path, 0, BlockCacheEntryKind.DataBlock);
        _firstKeyPrefixes = new ulong[index.Blocks.Count];
        _blockStarts = new ulong[index.Blocks.Count];
        for (var i = 0; i < index.Blocks.Count; i++)
        {
            _firstKeyPrefixes[i] = KeyPrefix(index.Blocks[i].FirstKey.Span);
            _blockStarts[i] = index.Blocks[i].Offset;
            var start = index.Blocks[i].Offset;
            var end = i + 1 < index.Blocks.Count ? index.Blocks[i + 1].Offset : DataEnd;
            if (end < start || end > DataEnd || end - start < 4)
            {
                Corruption.Throw(path, $"block {i} has an impossible range [{start}, {end})");
            }
        }
    }

    public string Path { get; }

    /// <summary>
    /// True when the flush that wrote this SST kept its memtable in the block cache under <see cref="RetainedKey"/>
    /// (set before the SST's metadata is cached; cleared by the first read that finds the cache let it go). The SST
    /// holds no reference to the table itself: once the cache evicts it, its memory is free.
    /// </summary>
    public bool MayHaveRetained
    {
        get => Volatile.Read(ref _mayHaveRetained);
        set => Volatile.Write(ref _mayHaveRetained, value);
    }

    /// <summary>The cache key of the memtable kept for this SST (<see cref="RetainedMemtable.KeyFor"/>, with the path hashed once).</summary>
    public BlockCacheKey RetainedKey => _dataBlockKey with { Offset = RetainedMemtable.CacheOffset };

    public long Size { get; }

    public ushort FormatVersion { get; }

    public SsTableInfoModel Info { get; }

    public SsTableIndexModel Index { get; }

    public IFilter? Filter { get; }

    public BlockFormatVersion BlockFormat { get; }

    /// <summary>Where the data blocks end.</summary>
    public ulong DataEnd { get; }

    public int BlockCount => _blockStarts.Length;

    /// <summary>Counts a point read's block miss in this SST (for the cache warming); returns the count so far.</summary>
    public int CountMiss() => Interlocked.Increment(ref _misses);

    /// <summary>The byte range of block <paramref name="i"/> (with its checksum).</summary>
    public ByteRange BlockRange(int i)
    {
        var start = _blockStarts[i];
        var end = i + 1 < _blockStarts.Length ? _blockStarts[i + 1] : DataEnd;
        return ByteRange.FromBounds((long)start, (long)end);
    }

    /// <summary>
    /// The end (exclusive) of the run of consecutive blocks from <paramref name="first"/>, before block
    /// <paramref name="end"/>, that spans at most <paramref name="maxBytes"/>: at least one block (a larger block alone).
    /// </summary>
    public int RunEnd(int first, int end, long maxBytes)
    {
        var start = BlockRange(first).Offset;
        var next = first + 1;
        while (next < end && BlockRange(next).End - start <= maxBytes)
        {
            next++;
        }

        return next;
    }

    /// <summary>
    /// What a cached data block of <paramref name="storedLength"/> stored bytes is charged to the block cache: the array
    /// its bytes are kept in (rounded up to its size class, <see cref="Caching.PinnedBlockMemory"/>) and 64 for the block.
    /// </summary>
    public static long CacheCharge(long storedLength) => Caching.PinnedBlockMemory.ClassLength(checked((int)storedLength)) + 64;

    /// <summary>The block-cache key of data block <paramref name="i"/> (the path is not hashed again).</summary>
    public BlockCacheKey BlockKey(int i) => _dataBlockKey with { Offset = (long)_blockStarts[i] };

    /// <summary>The byte range of the statistics block (with its checksum); null when the SST has none (WAL SSTs).</summary>
    public ByteRange? StatsRange => Info.StatsLen > 0 ? new ByteRange((long)Info.StatsOffset, (long)Info.StatsLen) : null;

    /// <summary>Opens an SST from its whole bytes (WAL replay, tests, tools).</summary>
    public static SstFile Open(ReadOnlyMemory<byte> bytes, string path)
    {
        var (infoOffset, version) = SstLayout.ReadFooter(bytes.Span, bytes.Length, path);
        var info = SsTableInfoCodec.Decode(Checksum.Verify(bytes[(int)infoOffset..^SstLayout.FooterLength], path), path);
        var index = DecodeIndex(Slice(bytes, info.IndexOffset, info.IndexLen, "index", path), info, path);
        IFilter? filter = null;
        if (info.FilterLen > 0)
        {
            // A copy: an uncompressed filter would otherwise be a slice that keeps the whole SST buffer alive for as
            // long as the opened SST is cached.
            filter = DecodeFilter(Slice(bytes, info.FilterOffset, info.FilterLen, "filter", path).ToArray(), info, path);
        }

        if (info.StatsLen > 0)
        {
            SstLayout.CheckSection(info.StatsOffset, info.StatsLen, bytes.Length, "statistics", path);
        }

        return new SstFile(path, bytes.Length, version, info, index, filter);
    }

    /// <summary>
    /// Opens an SST from the end of its bytes: <paramref name="tail"/> holds the object from offset
    /// <paramref name="tailOffset"/> to its end and must cover the filter, index, info and footer (what a streaming
    /// <see cref="SstBuilder"/> had left after writing its data blocks out).
    /// </summary>
    public static SstFile OpenTail(ReadOnlyMemory<byte> tail, long tailOffset, string path)
    {
        if (tailOffset == 0)
        {
            return Open(tail, path);
        }

        var size = tailOffset + tail.Length;
        var (infoOffset, version) = SstLayout.ReadFooter(tail.Span, size, path);
        var info = SsTableInfoCodec.Decode(Checksum.Verify(TailSlice(tail, tailOffset, infoOffset, (ulong)size - SstLayout.FooterLength - infoOffset, "info", path), path), path);
        var index = DecodeIndex(TailSlice(tail, tailOffset, info.IndexOffset, info.IndexLen, "index", path), info, path);
        IFilter? filter = null;
        if (info.FilterLen > 0)
        {
            // A copy, as in Open: the cached filter must not keep the builder's buffer alive.
            filter = DecodeFilter(TailSlice(tail, tailOffset, info.FilterOffset, info.FilterLen, "filter", path).ToArray(), info, path);
        }

        if (info.StatsLen > 0)
        {
            SstLayout.CheckSection(info.StatsOffset, info.StatsLen, size, "statistics", path);
        }

        return new SstFile(path, size, version, info, index, filter);
    }

    private static ReadOnlyMemory<byte> TailSlice(ReadOnlyMemory<byte> tail, long tailOffset, ulong offset, ulong length, string what, string path)
    {
        if (offset < (ulong)tailOffset)
        {
            Corruption.Throw(path, $"the {what} at {offset} lies before the bytes kept from {tailOffset}");
        }

        return Slice(tail, offset - (ulong)tailOffset, length, what, path);
    }

    /// <summary>
    /// Opens an SST in the store. With <paramref name="knownInfo"/> (from the manifest) the footer is not read; the
    /// index and filter are fetched in one ranged GET when they are adjacent.
    /// </summary>
    public static async Task<SstFile> OpenAsync(IObjectStore store, string path, SsTableInfoModel? knownInfo, ushort knownVersion, CancellationToken cancellationToken)
    {
        var head = await store.HeadAsync(path, cancellationToken).ConfigureAwait(false)
            ?? throw new SlateDbException(SlateDbErrorKind.Data, $"The SST '{path}' is missing from the object store.");
        return await OpenAsync(store, path, head.Size, knownInfo, knownVersion, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>As <see cref="OpenAsync(IObjectStore, string, SsTableInfoModel?, ushort, CancellationToken)"/>, with the object's size known (from a listing).</summary>
    public static async Task<SstFile> OpenAsync(IObjectStore store, string path, long size, SsTableInfoModel? knownInfo, ushort knownVersion, CancellationToken cancellationToken)
    {
        SsTableInfoModel info;
        ushort version;
        if (knownInfo is null)
        {
            var tailLength = (int)Math.Min(size, 64 * 1024);
            var tail = await ReadRangeAsync(store, path, new ByteRange(size - tailLength, tailLength), cancellationToken).ConfigureAwait(false);
            var (infoOffset, foundVersion) = SstLayout.ReadFooter(tail.Span, size, path);
            version = foundVersion;
            var infoStart = (long)infoOffset;
            var infoBytes = infoStart >= size - tailLength
                ? tail[(int)(infoStart - (size - tailLength))..^SstLayout.FooterLength]
                : await ReadRangeAsync(store, path, ByteRange.FromBounds(infoStart, size - SstLayout.FooterLength), cancellationToken).ConfigureAwait(false);
            info = SsTableInfoCodec.Decode(Checksum.Verify(infoBytes, path), path);
        }
        else
        {
            info = knownInfo;
            version = knownVersion;
        }

        SstLayout.CheckSection(info.IndexOffset, info.IndexLen, size, "index", path);
        if (info.FilterLen > 0)
        {
            SstLayout.CheckSection(info.FilterOffset, info.FilterLen, size, "filter", path);
        }

        if (info.StatsLen > 0)
        {
            SstLayout.CheckSection(info.StatsOffset, info.StatsLen, size, "statistics", path);
        }

        // The filter sits right before the index: read both at once. With the manifest's copy of the info, read on to
        // the end (the info block and footer follow the index) and check the copy against the SST's own.
        var start = info.FilterLen > 0 ? Math.Min(info.FilterOffset, info.IndexOffset) : info.IndexOffset;
        var end = Math.Max(info.IndexOffset + info.IndexLen, info.FilterLen > 0 ? info.FilterOffset + info.FilterLen : 0);
        var readEnd = knownInfo is null ? end : (ulong)size;
        var meta = await ReadRangeAsync(store, path, ByteRange.FromBounds((long)start, (long)readEnd), cancellationToken).ConfigureAwait(false);
        if (knownInfo is not null)
        {
            await CheckManifestCopyAsync(store, path, meta, start, size, knownInfo, knownVersion, cancellationToken).ConfigureAwait(false);
        }

        var index = DecodeIndex(meta.Slice((int)(info.IndexOffset - start), (int)info.IndexLen), info, path);
        IFilter? filter = null;
        if (info.FilterLen > 0)
        {
            filter = DecodeFilter(meta.Slice((int)(info.FilterOffset - start), (int)info.FilterLen), info, path);
        }

        return new SstFile(path, size, version, info, index, filter);
    }

    /// <summary>
    /// Checks the manifest's copy of an SST's info and format version against the SST's own checksummed info block
    /// and footer: a manifest has no checksum, so damage to its copy is found here, not served as data.
    /// </summary>
    private static async Task CheckManifestCopyAsync(
        IObjectStore store, string path, ReadOnlyMemory<byte> tail, ulong tailStart, long size, SsTableInfoModel knownInfo, ushort knownVersion, CancellationToken cancellationToken)
    {
        var (infoOffset, version) = SstLayout.ReadFooter(tail.Span, size, path);
        var infoBytes = infoOffset >= tailStart
            ? tail[(int)(infoOffset - tailStart)..^SstLayout.FooterLength]
            : await ReadRangeAsync(store, path, ByteRange.FromBounds((long)infoOffset, size - SstLayout.FooterLength), cancellationToken).ConfigureAwait(false);
        var own = SsTableInfoCodec.Decode(Checksum.Verify(infoBytes, path), path);
        if (!own.Equals(knownInfo) || version != knownVersion)
        {
            throw new SlateDbException(
                SlateDbErrorKind.Data,
                $"The manifest's entry for SST '{path}' does not match the SST's own info block (format version {knownVersion} vs {version}): the manifest is corrupt.");
        }
    }

    /// <summary>Reads and decodes data block <paramref name="i"/>.</summary>
    public async ValueTask<Block> ReadBlockAsync(IObjectStore store, int i, CancellationToken cancellationToken)
    {
        var stored = await ReadRangeAsync(store, Path, BlockRange(i), cancellationToken).ConfigureAwait(false);
        return DecodeBlock(stored);
    }

    /// <summary>Every row of this SST, in stored order, when all its bytes (<paramref name="bytes"/>) are in memory.</summary>
    public List<RowEntry> ReadAllRows(ReadOnlyMemory<byte> bytes) => [.. RowsOf(0, BlockCount, bytes, 0)];

    /// <summary>
    /// The rows of data blocks [<paramref name="first"/>, <paramref name="next"/>), in stored order, decoded from
    /// <paramref name="bytes"/>, which hold this SST's bytes from offset <paramref name="offset"/> on.
    /// </summary>
    public IEnumerable<RowEntry> RowsOf(int first, int next, ReadOnlyMemory<byte> bytes, long offset)
    {
        for (var i = first; i < next; i++)
        {
            var range = BlockRange(i);
            var iterator = DecodeBlock(bytes.Slice((int)(range.Offset - offset), (int)range.Length)).CreateIterator();
            for (iterator.SeekToFirst(); iterator.IsValid; iterator.Next())
            {
                yield return iterator.Current;
            }
        }
    }

    /// <summary>
    /// Decodes a stored data block (checksum, decompression, block format). <paramref name="longLived"/> (the block goes
    /// into the block cache) puts a decompressed block's bytes where young-generation collections do not copy them
    /// (see <see cref="Format.Compression.BlockCompression.Decompress"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public Block DecodeBlock(ReadOnlyMemory<byte> stored, bool longLived = false) =>
        Block.Decode(SstLayout.OpenBlock(stored, Info.Compression, Path, longLived), BlockFormat, Path);

    /// <summary>Whether this SST's blocks are stored compressed (their read buffers are then short-lived).</summary>
    public bool IsCompressed => Info.Compression != SstCompression.None;

    /// <summary>Reads and decodes the statistics block; null when the SST has none.</summary>
    public async ValueTask<SstStatsModel?> ReadStatsAsync(IObjectStore store, CancellationToken cancellationToken)
    {
        if (StatsRange is not { } range)
        {
            return null;
        }

        var stored = await ReadRangeAsync(store, Path, range, cancellationToken).ConfigureAwait(false);
        return DecodeStats(stored);
    }

    /// <summary>Decodes a stored statistics block (checksum, decompression, flatbuffer).</summary>
    public SstStatsModel DecodeStats(ReadOnlyMemory<byte> stored) =>
        SstStatsCodec.Decode(SstLayout.OpenBlock(stored, Info.Compression, Path), Path);

    /// <summary>The index of the first block that can hold <paramref name="key"/> (the last whose separator is below it).</summary>
    public int FirstBlockFor(ReadOnlySpan<byte> key) => LastBlockStartingBefore(key, orAt: false);

    /// <summary>The index of the last block that can hold a key at or below <paramref name="key"/> (its separator is not above it).</summary>
    public int LastBlockFor(ReadOnlySpan<byte> key) => LastBlockStartingBefore(key, orAt: true);

    /// <summary>
    /// The blocks that can hold <paramref name="key"/>: <paramref name="first"/> as <see cref="FirstBlockFor"/> and
    /// <paramref name="last"/> as <see cref="LastBlockFor"/> say, with one binary search (the blocks after the first
    /// that can hold it are those whose first key is the key itself, usually none).
    /// </summary>
    public void BlocksFor(ReadOnlySpan<byte> key, out int first, out int last)
    {
        var keyPrefix = KeyPrefix(key);
        first = LastBlockStartingBefore(key, orAt: false);
        last = first;
        while (last + 1 < _firstKeyPrefixes.Length && CompareFirstKey(last + 1, keyPrefix, key) <= 0)
        {
            last++;
        }
    }

    /// <summary>The last block whose first key is below <paramref name="key"/> (or equal to it when <paramref name="orAt"/>); 0 when none is.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int LastBlockStartingBefore(ReadOnlySpan<byte> key, bool orAt)
    {
        var keyPrefix = KeyPrefix(key);
        int lo = 0, hi = _firstKeyPrefixes.Length - 1, found = 0;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            var order = CompareFirstKey(mid, keyPrefix, key);
            if (order < 0 || (orAt && order == 0))
            {
                found = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return found;
    }

    /// <summary>Block <paramref name="block"/>'s first key against <paramref name="key"/> (whose prefix is <paramref name="keyPrefix"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int CompareFirstKey(int block, ulong keyPrefix, ReadOnlySpan<byte> key)
    {
        // Zero padding keeps the order: prefixes that differ order their keys the same way.
        var prefix = _firstKeyPrefixes[block];
        return prefix != keyPrefix
            ? (prefix < keyPrefix ? -1 : 1)
            : Index.Blocks[block].FirstKey.Span.SequenceCompareTo(key);
    }

    /// <summary>The first 8 bytes of a key as a big-endian integer, zero-padded when the key is shorter.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ulong KeyPrefix(ReadOnlySpan<byte> key) =>
        key.Length >= sizeof(ulong) ? System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(key) : ShortKeyPrefix(key);

    private static ulong ShortKeyPrefix(ReadOnlySpan<byte> key)
    {
        Span<byte> padded = stackalloc byte[sizeof(ulong)];
        padded.Clear();
        key.CopyTo(padded);
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(padded);
    }

    /// <summary>Roughly the memory the decoded metadata takes (for cache accounting).</summary>
    public long MetadataSize
    {
        get
        {
            long size = 256 + (Info.FirstEntry?.Length ?? 0) + (Info.LastEntry?.Length ?? 0) + (16L * _firstKeyPrefixes.Length);
            foreach (var block in Index.Blocks)
            {
                size += 40 + block.FirstKey.Length;
            }

            return size + (long)Info.FilterLen;
        }
    }

    internal static ValueTask<ReadOnlyMemory<byte>> ReadRangeAsync(IObjectStore store, string path, ByteRange range, CancellationToken cancellationToken)
    {
        // A read that completes synchronously (a local block read) needs no async state machine. SSTs are created
        // once and never rewritten: the store need not check that a handle it opened earlier still shows the object.
        ValueTask<ObjectContent?> pending;
        using (ImmutableObjectHint.Start())
        {
            pending = store.GetRangeAsync(path, range, cancellationToken);
        }

        return pending.IsCompletedSuccessfully ? new(RangeData(pending.Result, path, range)) : AwaitRangeAsync(pending, path, range);
    }

    private static async ValueTask<ReadOnlyMemory<byte>> AwaitRangeAsync(ValueTask<ObjectContent?> pending, string path, ByteRange range) =>
        RangeData(await pending.ConfigureAwait(false), path, range);

    private static ReadOnlyMemory<byte> RangeData(ObjectContent? content, string path, ByteRange range)
    {
        CheckRangeRead(path, range, content?.Data.Length ?? -1);
        return content!.Data;
    }

    /// <summary>
    /// Reads <paramref name="range"/> of the SST at <paramref name="path"/> into <paramref name="destination"/>, as
    /// <see cref="ReadRangeAsync"/> reads it into a new buffer (the object is immutable). Returns what
    /// <see cref="IRangeReadInto.ReadRangeIntoAsync"/> returns; pass it to <see cref="CheckRangeRead"/>.
    /// </summary>
    internal static ValueTask<int> ReadRangeIntoAsync(IRangeReadInto into, string path, ByteRange range, Memory<byte> destination, CancellationToken cancellationToken)
    {
        using (ImmutableObjectHint.Start())
        {
            return into.ReadRangeIntoAsync(path, range, destination, cancellationToken);
        }
    }

    /// <summary>
    /// Throws a <see cref="SlateDbErrorKind.Data"/> exception unless a read of <paramref name="range"/> returned all of
    /// it: <paramref name="read"/> bytes, -1 for a missing object.
    /// </summary>
    internal static void CheckRangeRead(string path, ByteRange range, long read)
    {
        if (read < 0)
        {
            throw new SlateDbException(SlateDbErrorKind.Data, $"The SST '{path}' is missing from the object store.");
        }

        if (read != range.Length)
        {
            Corruption.Throw(path, $"reading {range} returned {read} bytes: the object is truncated");
        }
    }

    private static ReadOnlyMemory<byte> Slice(ReadOnlyMemory<byte> bytes, ulong offset, ulong length, string what, string path)
    {
        SstLayout.CheckSection(offset, length, bytes.Length, what, path);
        return bytes.Slice((int)offset, (int)length);
    }

    private static SsTableIndexModel DecodeIndex(ReadOnlyMemory<byte> stored, SsTableInfoModel info, string path) =>
        SsTableIndexCodec.Decode(SstLayout.OpenBlock(stored, info.Compression, path), path);

    private static IFilter? DecodeFilter(ReadOnlyMemory<byte> stored, SsTableInfoModel info, string path)
    {
        var raw = SstLayout.OpenBlock(stored, info.Compression, path);
        var filters = info.FilterFormat == SstFilterFormat.Legacy
            ? FilterBlockCodec.DecodeLegacy(raw, s_policies, path)
            : FilterBlockCodec.DecodeComposite(raw, s_policies, path);
        return filters.Count > 0 ? filters[0].Filter : null;
    }
}
