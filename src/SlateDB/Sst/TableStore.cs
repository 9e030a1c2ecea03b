using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using SlateDB.Caching;
using SlateDB.Common;
using SlateDB.Format;
using SlateDB.Format.Blocks;
using SlateDB.Manifest;
using SlateDB.Storage;

namespace SlateDB.Sst;

/// <summary>
/// The engine's SST I/O (SlateDB's <c>TableStore</c>): writes L0 and compacted SSTs, opens SSTs, reads their blocks
/// and serves point lookups from them through their (cached) index and bloom filter. The WAL's objects are the WAL's
/// own (<see cref="Wal.ObjectStoreWal"/>); what a flush writes is the memtable flusher's.
/// </summary>
internal sealed class TableStore(IObjectStore store, DbPaths paths, SlateDbOptions options, IBlockCache? cache = null)
{
    private readonly SstBuildSettings _settings = SstBuildSettings.From(options) with { Buffers = new SstBufferPool(maxPooledBytes: SstBufferPool.MaxPooledBytesFor(options)) };
    private readonly ConcurrentDictionary<SsTableId, string> _paths = new();

    public IObjectStore Store => store;

    public DbPaths Paths => paths;

    public SstBuildSettings Settings => _settings;

    /// <summary>Finishes <paramref name="builder"/> and writes it as compacted SST <paramref name="id"/>, which must not exist yet.</summary>
    /// <exception cref="SlateDbException">Internal: an object with that id already exists (it is left as it is).</exception>
    public async Task<SsTableHandle> WriteCompactedAsync(Ulid id, SstBuilder builder, CancellationToken cancellationToken)
    {
        var sst = builder.Finish();
        var path = paths.CompactedSstPath(id);

        // Create-if-absent, as SlateDB writes SSTs: an id minted twice must fail, not replace an SST the manifest
        // already lists (two writers seeded alike in the same millisecond mint the same ULID).
        var result = await store.PutAsync(path, sst.Bytes, PutMode.Create, cancellationToken).ConfigureAwait(false);
        if (!result.IsWritten)
        {
            sst.Release();
            throw new SlateDbException(SlateDbErrorKind.Internal, $"The SST '{path}' already exists: its id was minted twice, and the existing SST is kept.");
        }

        var handle = new SsTableHandle(SsTableId.Compacted(id), SstBuildSettings.FormatVersion, sst.Info);
        if (cache is not null)
        {
            var opened = SstFile.Open(sst.Bytes, path);
            cache.Set(new BlockCacheKey(path, 0, BlockCacheEntryKind.Metadata), opened, opened.MetadataSize);
        }

        // The upload returned and the opened SST holds copies: the buffer can be reused. (A failed upload keeps it.)
        sst.Release();
        return handle;
    }

    /// <summary>Opens the SST behind a handle: its metadata (index, filter) comes from the cache when it is there.</summary>
    public ValueTask<SstFile> OpenAsync(SsTableHandle handle, CancellationToken cancellationToken)
        => TryGetOpened(handle, out var file) ? new(file) : OpenUncachedAsync(handle, cancellationToken);

    private async ValueTask<SstFile> OpenUncachedAsync(SsTableHandle handle, CancellationToken cancellationToken)
    {
        var path = PathOf(handle.Id);
        var opened = await SstFile.OpenAsync(store, path, handle.Info, handle.FormatVersion, cancellationToken).ConfigureAwait(false);
        cache?.Set(new BlockCacheKey(path, 0, BlockCacheEntryKind.Metadata), opened, opened.MetadataSize);
        return opened;
    }

    /// <summary>The opened SST behind a handle when its metadata is cached.</summary>
    private bool TryGetOpened(SsTableHandle handle, [NotNullWhen(true)] out SstFile? file)
    {
        if (cache is not null && cache.TryGet(new BlockCacheKey(PathOf(handle.Id), 0, BlockCacheEntryKind.Metadata), out var cached) && cached is SstFile found)
        {
            file = found;
            return true;
        }

        file = null;
        return false;
    }

    /// <summary>An SST's object path, built once per SST (reads look it up for every cache probe).</summary>
    private string PathOf(SsTableId id) => _paths.TryGetValue(id, out var path) ? path : _paths.GetOrAdd(id, paths.SstPath(id));

    /// <summary>Forgets cached data of an SST that is no longer part of the database.</summary>
    public void Evict(SsTableHandle handle)
    {
        cache?.Remove(new BlockCacheKey(paths.SstPath(handle.Id), 0, BlockCacheEntryKind.Metadata));
        _paths.TryRemove(handle.Id, out _);
    }

    /// <summary>
    /// Reads <paramref name="count"/> adjacent data blocks from <paramref name="first"/>: from the cache where they are,
    /// otherwise with one ranged GET covering them all.
    /// </summary>
    public async ValueTask<Block[]> ReadBlocksAsync(SstFile sst, int first, int count, bool cacheBlocks, CancellationToken cancellationToken)
    {
        var blocks = new Block[count];
        int firstMissing = -1, lastMissing = -1;
        for (var i = 0; i < count; i++)
        {
            if (cache is not null && cache.TryGet(BlockKey(sst, first + i), out var cached) && cached is Block block)
            {
                blocks[i] = block;
            }
            else
            {
                firstMissing = firstMissing < 0 ? i : firstMissing;
                lastMissing = i;
            }
        }

        if (firstMissing < 0)
        {
            return blocks;
        }

        // One request from the first missing block to the last (cached blocks in between are read again).
        var start = sst.BlockRange(first + firstMissing).Offset;
        var end = sst.BlockRange(first + lastMissing).End;
        var bytes = await SstFile.ReadRangeAsync(store, sst.Path, ByteRange.FromBounds(start, end), cancellationToken).ConfigureAwait(false);
        for (var i = firstMissing; i <= lastMissing; i++)
        {
            if (blocks[i] is not null)
            {
                continue;
            }

            var range = sst.BlockRange(first + i);
            var block = sst.DecodeBlock(bytes.Slice((int)(range.Offset - start), (int)range.Length));
            blocks[i] = block;
            if (cacheBlocks)
            {
                cache?.Set(BlockKey(sst, first + i), block, range.Length + 64);
            }
        }

        return blocks;
    }

    private static BlockCacheKey BlockKey(SstFile sst, int index) => new(sst.Path, sst.BlockRange(index).Offset, BlockCacheEntryKind.DataBlock);

    /// <summary>The newest version of <paramref name="key"/> with sequence at most <paramref name="maxSeq"/> in one SST view.</summary>
    public ValueTask<RowEntry?> GetAsync(SsTableView view, ReadOnlyMemory<byte> key, ulong maxSeq, bool cacheBlocks, CancellationToken cancellationToken)
        => GetAsync(view, new PointLookup(key, maxSeq), cacheBlocks, cancellationToken);

    /// <summary>The newest version of the looked-up key in one SST view, reading what the cache does not hold.</summary>
    public async ValueTask<RowEntry?> GetAsync(SsTableView view, PointLookup lookup, bool cacheBlocks, CancellationToken cancellationToken)
    {
        switch (TryGetCached(view, lookup, out var found))
        {
            case CachedLookup.Found:
                return found;
            case CachedLookup.Absent:
                return null;
        }

        var key = lookup.Key;
        var sst = await OpenAsync(view.Sst, cancellationToken).ConfigureAwait(false);
        if (!lookup.MightContain(sst))
        {
            return null;
        }

        // Only blocks first..last can hold the key. There are two when the key is the next block's index key (often
        // the whole first key): its newest versions may then end the block before. Read both in one request; the
        // rest (a key whose versions span more blocks) one at a time.
        var firstBlock = sst.FirstBlockFor(key.Span);
        var lastBlock = sst.LastBlockFor(key.Span);
        for (var i = firstBlock; i <= lastBlock;)
        {
            var count = i == firstBlock ? Math.Min(2, lastBlock - firstBlock + 1) : 1;
            var blocks = await ReadBlocksAsync(sst, i, count, cacheBlocks, cancellationToken).ConfigureAwait(false);
            foreach (var block in blocks)
            {
                switch (BlockPointSearch.Find(block, key, lookup.MaxSeq, out var row))
                {
                    case PointSearchOutcome.Found:
                        return row;
                    case PointSearchOutcome.Absent:
                        return null;
                }
            }

            i += count;
        }

        return null;
    }

    /// <summary>
    /// A point lookup in one SST view that uses only memory: the view's key range, then the cached metadata (bloom
    /// filter, index) and cached data blocks. <see cref="CachedLookup.NeedsRead"/> when something must be fetched.
    /// </summary>
    public CachedLookup TryGetCached(SsTableView view, PointLookup lookup, out RowEntry row)
    {
        row = default;
        var key = lookup.Key.Span;
        var info = view.Sst.Info;
        if ((info.FirstEntry is { } first && key.SequenceCompareTo(first.Span) < 0)
            || (info.LastEntry is { } last && key.SequenceCompareTo(last.Span) > 0)
            || (view.VisibleRange is { } visible && !KeyRanges.Contains(visible, key)))
        {
            return CachedLookup.Absent;
        }

        if (!TryGetOpened(view.Sst, out var sst))
        {
            return CachedLookup.NeedsRead;
        }

        if (!lookup.MightContain(sst))
        {
            return CachedLookup.Absent;
        }

        var lastBlock = sst.LastBlockFor(key);
        for (var i = sst.FirstBlockFor(key); i <= lastBlock; i++)
        {
            if (cache is null || !cache.TryGet(BlockKey(sst, i), out var cached) || cached is not Block block)
            {
                return CachedLookup.NeedsRead;
            }

            switch (BlockPointSearch.Find(block, lookup.Key, lookup.MaxSeq, out row))
            {
                case PointSearchOutcome.Found:
                    return CachedLookup.Found;
                case PointSearchOutcome.Absent:
                    return CachedLookup.Absent;
            }
        }

        return CachedLookup.Absent;
    }
}
