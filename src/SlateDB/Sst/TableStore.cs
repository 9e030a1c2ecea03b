using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
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
internal sealed partial class TableStore(IObjectStore store, DbPaths paths, SlateDbOptions options, IBlockCache? cache = null, Diagnostics.SlateDbMetrics? metrics = null)
{
    private readonly SstBuildSettings _settings = SstBuildSettings.From(options) with { Buffers = new SstBufferPool(maxPooledBytes: SstBufferPool.MaxPooledBytesFor(options)) };
    private readonly ConcurrentDictionary<SsTableId, BlockCacheKey> _metadataKeys = new();
    private readonly ConcurrentDictionary<SsTableId, TaskCompletionSource<SstFile>> _loading = new();
    private readonly Lock _keepLock = new();
    private volatile bool _preloadStopped;
    private Task _preload = Task.CompletedTask;

    public IObjectStore Store => store;

    public DbPaths Paths => paths;

    public SstBuildSettings Settings => _settings;

    /// <summary>Finishes <paramref name="builder"/> and writes it as compacted SST <paramref name="id"/> (a compaction's output), which must not exist yet.</summary>
    /// <exception cref="SlateDbException">Internal: an object with that id already exists (it is left as it is).</exception>
    public Task<SsTableHandle> WriteCompactedAsync(Ulid id, SstBuilder builder, CancellationToken cancellationToken) =>
        WriteCompactedAsync(id, builder, SstWriteSource.Compaction, cancellationToken);

    /// <summary>
    /// Finishes <paramref name="builder"/> and writes it as compacted SST <paramref name="id"/>, which must not exist
    /// yet. Its index and filter go into the block cache; after a flush its data blocks too (up to
    /// <see cref="SlateDbOptions.FlushWarmCapBytes"/>); the disk cache admits it as its settings say for
    /// <paramref name="source"/>. Nothing written depends on the source.
    /// </summary>
    /// <exception cref="SlateDbException">Internal: an object with that id already exists (it is left as it is).</exception>
    public async Task<SsTableHandle> WriteCompactedAsync(Ulid id, SstBuilder builder, SstWriteSource source, CancellationToken cancellationToken)
    {
        if (builder.Sink is { } sink)
        {
            return await CommitStreamedAsync(id, builder, sink, source, cancellationToken).ConfigureAwait(false);
        }

        var sst = builder.Finish();
        var path = paths.CompactedSstPath(id);

        // Create-if-absent, as SlateDB writes SSTs: an id minted twice must fail, not replace an SST the manifest
        // already lists (two writers seeded alike in the same millisecond mint the same ULID).
        var result = store is DiskCachedObjectStore disk
            ? await disk.PutSstAsync(path, sst.Bytes, PutMode.Create, source, cancellationToken).ConfigureAwait(false)
            : await store.PutAsync(path, sst.Bytes, PutMode.Create, cancellationToken).ConfigureAwait(false);
        var handle = Published(id, sst, result);
        if (cache is not null)
        {
            var opened = SstFile.Open(sst.Bytes, path);
            var flush = source == SstWriteSource.Flush;
            CacheWritten(handle, opened, flush ? i => OwnStoredBlock(opened, sst.Bytes, i) : null, flush ? builder.RetainedTable : null);
        }

        // The upload returned and the opened SST holds copies: the buffer can be reused. (A failed upload keeps it.)
        sst.Release();
        return handle;
    }

    /// <summary>The handle of the SST <paramref name="id"/> a put of <paramref name="sst"/> returned <paramref name="result"/> for.</summary>
    /// <exception cref="SlateDbException">Internal: the object already existed (it is left as it is; the buffer is released).</exception>
    private SsTableHandle Published(Ulid id, EncodedSst sst, PutResult result)
    {
        if (!result.IsWritten)
        {
            sst.Release();
            throw new SlateDbException(SlateDbErrorKind.Internal, $"The SST '{paths.CompactedSstPath(id)}' already exists: its id was minted twice, and the existing SST is kept.");
        }

        return new SsTableHandle(SsTableId.Compacted(id), SstBuildSettings.FormatVersion, sst.Info);
    }

    /// <summary>
    /// Puts a just-published SST's index and filter into the cache and, after a flush, either the memtable it was
    /// written from (<paramref name="retainedTable"/> given: see <see cref="RetainedMemtable"/>) or, with
    /// <paramref name="storedBlock"/> given, its first data blocks, up to <see cref="SlateDbOptions.FlushWarmCapBytes"/>
    /// of cache charge (as reads charge a block: its stored length and 64). <paramref name="storedBlock"/> gives block
    /// <c>i</c>'s stored bytes, its own copy so the cache never pins a whole SST's buffer, or null where warming stops.
    /// </summary>
    private void CacheWritten(SsTableHandle handle, SstFile opened, Func<int, ReadOnlyMemory<byte>?>? storedBlock, Memtable.KvTable? retainedTable = null)
    {
        if (retainedTable is not null && TryKeep(opened, retainedTable))
        {
            cache!.Set(MetadataKeyOf(handle.Id), opened, opened.MetadataSize);
            return;
        }

        cache!.Set(MetadataKeyOf(handle.Id), opened, opened.MetadataSize);
        if (storedBlock is null)
        {
            return;
        }

        var capBytes = options.FlushWarmCapBytes(cache);
        long warmed = 0;
        for (var i = 0; i < opened.BlockCount; i++)
        {
            var charge = SstFile.CacheCharge(opened.BlockRange(i).Length);
            if (warmed + charge > capBytes || storedBlock(i) is not { } stored)
            {
                return;
            }

            cache.Set(BlockKey(opened, i), opened.DecodeBlock(stored, longLived: true), charge);
            warmed += charge;
        }
    }

    /// <summary>
    /// Puts <paramref name="table"/> into the cache as <paramref name="opened"/>'s in-memory form when it still fits the
    /// flush cap: flushes run in parallel, and each was let keep its table by the cap as it stood when it began, so the
    /// cap is checked again here, one flush at a time. False: the caller caches blocks, or only metadata.
    /// </summary>
    private bool TryKeep(SstFile opened, Memtable.KvTable table)
    {
        lock (_keepLock)
        {
            if (!RetainedMemtable.CanKeep(table, options.FlushWarmCapBytes(cache)))
            {
                return false;
            }

            // The table goes in before the metadata that points to it is published.
            cache!.Set(opened.RetainedKey, new RetainedMemtable(table), table.MemoryBytes);
        }

        opened.MayHaveRetained = true;
        return true;
    }

    /// <summary>Whether flushes may keep their memtables in the cache: only the engine's own <see cref="MemoryBlockCache"/> takes them.</summary>
    private bool KeepsMemtables => cache is not null && Diagnostics.InstrumentedBlockCache.MemoryCacheOf(cache) is not null;

    /// <summary>Block <paramref name="index"/>'s stored bytes in a whole SST's buffer, copied where decoding would not copy them.</summary>
    private static ReadOnlyMemory<byte> OwnStoredBlock(SstFile sst, ReadOnlyMemory<byte> bytes, int index)
    {
        var range = sst.BlockRange(index);
        var stored = bytes.Slice((int)range.Offset, (int)range.Length);
        return sst.IsCompressed ? stored : Caching.PinnedBlockMemory.CopyOf(stored.Span);
    }

    /// <summary>
    /// Opens the SST behind a handle: its metadata (index, filter) comes from the cache when it is there. Otherwise it
    /// is loaded once however many reads ask at the same time (a load under way, started by another read or by
    /// <see cref="PreloadMetadataAsync"/>, is joined); a caller's cancellation ends its own wait, not the load.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public ValueTask<SstFile> OpenAsync(SsTableHandle handle, CancellationToken cancellationToken)
    {
        if (TryGetOpened(handle, out var file))
        {
            return new(file);
        }

        var load = LoadShared(handle);
        return new(cancellationToken.CanBeCanceled ? load.WaitAsync(cancellationToken) : load);
    }

    /// <summary>The load of an SST's metadata: the one under way, or a new one.</summary>
    private Task<SstFile> LoadShared(SsTableHandle handle)
    {
        while (true)
        {
            if (_loading.TryGetValue(handle.Id, out var running))
            {
                return running.Task;
            }

            var load = new TaskCompletionSource<SstFile>(TaskCreationOptions.RunContinuationsAsynchronously);
            if (_loading.TryAdd(handle.Id, load))
            {
                _ = RunLoadAsync(handle, load);
                return load.Task;
            }
        }
    }

    private async Task RunLoadAsync(SsTableHandle handle, TaskCompletionSource<SstFile> load)
    {
        try
        {
            // Re-check: the load that just ended may have cached it after this caller looked.
            if (!TryGetOpened(handle, out var opened))
            {
                var key = MetadataKeyOf(handle.Id);
                opened = await SstFile.OpenAsync(store, key.ObjectPath, handle.Info, handle.FormatVersion, CancellationToken.None).ConfigureAwait(false);
                cache?.Set(key, opened, opened.MetadataSize);
            }

            _loading.TryRemove(new KeyValuePair<SsTableId, TaskCompletionSource<SstFile>>(handle.Id, load));
            load.SetResult(opened);
        }
        catch (Exception e)
        {
            _loading.TryRemove(new KeyValuePair<SsTableId, TaskCompletionSource<SstFile>>(handle.Id, load));
            load.SetException(e);
            _ = load.Task.Exception; // Observed here: every waiter may have given up.
        }
    }

    /// <summary>
    /// Loads the metadata (index and bloom filter) of <paramref name="handles"/> into the block cache, in the given
    /// order, <paramref name="parallelism"/> at a time, until the estimated metadata reaches
    /// <paramref name="budgetBytes"/>: what a database does in the background when it opens, so its first reads find
    /// the metadata loaded or being loaded. A failed load is left to the read that needs the SST to report.
    /// </summary>
    public async Task<int> PreloadMetadataAsync(IEnumerable<SsTableHandle> handles, long budgetBytes, int parallelism, CancellationToken cancellationToken)
    {
        if (cache is null)
        {
            return 0;
        }

        var chosen = new List<SsTableHandle>();
        var seen = new HashSet<SsTableId>();
        long estimated = 0;
        foreach (var handle in handles)
        {
            var size = (long)(handle.Info.IndexLen + handle.Info.FilterLen);
            if (estimated + size > budgetBytes)
            {
                break;
            }

            if (seen.Add(handle.Id) && !TryGetOpened(handle, out _))
            {
                chosen.Add(handle);
                estimated += size;
            }
        }

        var loaded = 0;
        await Parallel.ForEachAsync(chosen, new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken }, async (handle, token) =>
        {
            if (_preloadStopped)
            {
                return; // The database is closing.
            }

            try
            {
                await OpenAsync(handle, token).ConfigureAwait(false);
                Interlocked.Increment(ref loaded);
            }
            catch (Exception e) when (e is SlateDbException or IOException)
            {
                // The read that needs this SST loads it again and reports what is wrong.
            }
        }).ConfigureAwait(false);
        return loaded;
    }

    /// <summary>
    /// Starts loading the metadata of <paramref name="handles"/> (L0 newest first, then the sorted runs) in the
    /// background, 4 at a time, up to <see cref="MetadataPreloadBudget"/>: an opening database calls it as soon as it
    /// has read its manifest, so the loads run beside its WAL work and its first gets find the metadata loaded (or
    /// join a load under way). Best effort: a failure is left to the read that needs the SST.
    /// </summary>
    public void StartMetadataPreload(IEnumerable<SsTableHandle> handles)
    {
        var chosen = handles.ToList();
        if (cache is null || chosen.Count == 0)
        {
            return;
        }

        _preload = Task.Run(
            async () =>
            {
                try
                {
                    await PreloadMetadataAsync(chosen, MetadataPreloadBudget, parallelism: 4, CancellationToken.None).ConfigureAwait(false);
                }
                catch (ObjectDisposedException)
                {
                    // The database was closed under it.
                }
            },
            CancellationToken.None);
    }

    /// <summary>Waits for the preload started at open; <paramref name="stop"/> (the database's close) stops it.</summary>
    public async Task AwaitMetadataPreloadAsync(CancellationToken stop)
    {
        await using (stop.Register(static state => ((TableStore)state!)._preloadStopped = true, this).ConfigureAwait(false))
        {
            await _preload.ConfigureAwait(false);
        }
    }

    /// <summary>The metadata bytes a preload at open may fill: half the cache's metadata capacity (32 MiB for a cache of unknown size).</summary>
    public long MetadataPreloadBudget => cache is null
        ? 0
        : Diagnostics.InstrumentedBlockCache.MemoryCacheOf(cache)?.MetadataCapacityBytes / 2 ?? 32L * 1024 * 1024;

    /// <summary>The opened SST behind a handle when its metadata is cached.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool TryGetOpened(SsTableHandle handle, [NotNullWhen(true)] out SstFile? file)
    {
        if (cache is not null && cache.TryGet(MetadataKeyOf(handle.Id), out var cached) && cached is SstFile found)
        {
            file = found;
            return true;
        }

        file = null;
        return false;
    }

    /// <summary>An SST's metadata cache key, built (its path made and hashed) once per SST: reads probe it for every SST they look in.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private BlockCacheKey MetadataKeyOf(SsTableId id) =>
        _metadataKeys.TryGetValue(id, out var key) ? key : _metadataKeys.GetOrAdd(id, new BlockCacheKey(paths.SstPath(id), 0, BlockCacheEntryKind.Metadata));

    /// <summary>
    /// Drops from the cache the retained memtables (<see cref="RetainedMemtable"/>) of the SSTs in
    /// <paramref name="before"/> that are not in <paramref name="after"/> (the L0 lists of a state change). Their SSTs
    /// still serve anyone reading an older state, through their blocks.
    /// </summary>
    public void ForgetRetainedLeaving(IReadOnlyList<SsTableView> before, IReadOnlyList<SsTableView> after)
    {
        if (cache is null)
        {
            return;
        }

        foreach (var view in before)
        {
            if (!Contains(after, view.Sst.Id))
            {
                // The SST's flag clears itself at its next read (RetainedTableOf finds the entry gone).
                cache.Remove(RetainedMemtable.KeyFor(paths.SstPath(view.Sst.Id)));
            }
        }

        static bool Contains(IReadOnlyList<SsTableView> views, SsTableId id)
        {
            foreach (var view in views)
            {
                if (view.Sst.Id == id)
                {
                    return true;
                }
            }

            return false;
        }
    }

    /// <summary>Forgets cached data of an SST that is no longer part of the database.</summary>
    public void Evict(SsTableHandle handle)
    {
        var key = _metadataKeys.TryRemove(handle.Id, out var kept) ? kept : new BlockCacheKey(paths.SstPath(handle.Id), 0, BlockCacheEntryKind.Metadata);
        cache?.Remove(key);
        cache?.Remove(RetainedMemtable.KeyFor(key.ObjectPath));
    }

    /// <summary>
    /// Reads <paramref name="count"/> adjacent data blocks from <paramref name="first"/>: from the cache where they are,
    /// otherwise with one ranged GET covering them all.
    /// </summary>
    /// <remarks>
    /// <paramref name="slab"/> is for the cache warming's large reads. Uncompressed blocks are decoded in place over the
    /// read's buffer, and a <see cref="MemoryBlockCache"/> charges that buffer until the last of them leaves it (see
    /// <see cref="CacheSlab"/>): one allocation per read instead of a copy per block, in memory that is new to the process
    /// (the warming's cost was mostly those copies). Where the store hands out a slice of a larger buffer, and for
    /// compressed blocks or another cache, each block gets an array of its own (decoded out of a pooled read buffer
    /// where the store can read into one).
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public ValueTask<Block[]> ReadBlocksAsync(SstFile sst, int first, int count, bool cacheBlocks, CancellationToken cancellationToken, bool slab = false)
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
            return new(blocks);
        }

        // One request from the first missing block to the last (cached blocks in between are read again).
        var start = sst.BlockRange(first + firstMissing).Offset;
        var end = sst.BlockRange(first + lastMissing).End;
        // Uncompressed blocks are decoded in place over the read buffer, which then lives as long as they do; compressed
        // ones are decoded into buffers of their own (long-lived when cached) and their read buffer dies at once.
        var keeps = cacheBlocks && cache is not null;
        var slabCache = keeps && slab && !sst.IsCompressed ? Diagnostics.InstrumentedBlockCache.MemoryCacheOf(cache) : null;
        if ((!keeps || (slab && slabCache is null)) && end - start >= ThroughPoolBytes && store is IRangeReadInto { CanReadInto: true } into)
        {
            return ReadMissingThroughPoolAsync(into, sst, first, blocks, firstMissing, lastMissing, ByteRange.FromBounds(start, end), keeps ? cache : null, cancellationToken);
        }

        ValueTask<ReadOnlyMemory<byte>> reading;
        using (RangeBufferHint.Start(longLived: keeps && !sst.IsCompressed))
        {
            reading = SstFile.ReadRangeAsync(store, sst.Path, ByteRange.FromBounds(start, end), cancellationToken);
        }

        var read = new MissingBlocks(sst, first, blocks, firstMissing, lastMissing, start, end, cacheBlocks, slabCache);
        // A read the store completed at once (a local file's) is decoded here, without an async state machine.
        return reading.IsCompletedSuccessfully ? new(DecodeMissing(read, reading.Result)) : DecodeWhenReadAsync(read, reading);
    }

    private async ValueTask<Block[]> DecodeWhenReadAsync(MissingBlocks read, ValueTask<ReadOnlyMemory<byte>> reading) =>
        DecodeMissing(read, await reading.ConfigureAwait(false));

    /// <summary>The blocks a ranged read missed, and where the read's bytes go (<see cref="ReadBlocksAsync"/>).</summary>
    private readonly record struct MissingBlocks(SstFile Sst, int First, Block[] Blocks, int FirstMissing, int LastMissing, long Start, long End, bool CacheBlocks, MemoryBlockCache? SlabCache);

    /// <summary>Decodes the missing blocks out of <paramref name="bytes"/> (the read of <paramref name="read"/>'s range) and caches them as asked.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private Block[] DecodeMissing(in MissingBlocks read, ReadOnlyMemory<byte> bytes)
    {
        var (sst, first, blocks, firstMissing, lastMissing, start, end, cacheBlocks, slabCache) = read;
        var keeps = cacheBlocks && cache is not null;
        // A slab only over a buffer of this read's own: a store may hand out a slice of something larger it keeps (the
        // in-memory store's object, a whole blob), which the cache cannot charge truthfully; those blocks are copied.
        var own = slabCache is not null && MemoryMarshal.TryGetArray(bytes, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length;
        // The slab's bytes no block of this read stands for (cached blocks between the missing ones, read again).
        var shared = own ? new CacheSlab(end - start - MissingBytes(sst, first, blocks, firstMissing, lastMissing)) : null;
        for (var i = firstMissing; i <= lastMissing; i++)
        {
            if (blocks[i] is not null)
            {
                continue;
            }

            var range = sst.BlockRange(first + i);
            var stored = bytes.Slice((int)(range.Offset - start), (int)range.Length);
            var block = sst.DecodeBlock(slabCache is not null && shared is null ? OwnCopy(stored.Span, longLived: true) : stored, longLived: keeps);
            blocks[i] = block;
            if (shared is not null)
            {
                slabCache!.SetSharing(BlockKey(sst, first + i), block, SstFile.CacheCharge(range.Length), shared);
            }
            else if (cacheBlocks)
            {
                cache?.Set(BlockKey(sst, first + i), block, SstFile.CacheCharge(range.Length));
            }
        }

        return blocks;
    }

    private static BlockCacheKey BlockKey(SstFile sst, int index) => sst.BlockKey(index);

    /// <summary>Whether a get's missed block goes into the cache (<see cref="MemoryBlockCache.AdmitsMiss"/>; any other cache takes every one).</summary>
    private bool AdmitsMiss(BlockCacheKey key) =>
        Diagnostics.InstrumentedBlockCache.MemoryCacheOf(cache) is not { } memory || memory.AdmitsMiss(key);

    /// <summary>The stored bytes of the blocks in <paramref name="firstMissing"/>..<paramref name="lastMissing"/> not yet in <paramref name="blocks"/>.</summary>
    private static long MissingBytes(SstFile sst, int first, Block[] blocks, int firstMissing, int lastMissing)
    {
        long bytes = 0;
        for (var i = firstMissing; i <= lastMissing; i++)
        {
            bytes += blocks[i] is null ? sst.BlockRange(first + i).Length : 0;
        }

        return bytes;
    }

    /// <summary>The newest version of <paramref name="key"/> with sequence at most <paramref name="maxSeq"/> in one SST view.</summary>
    public ValueTask<RowEntry?> GetAsync(SsTableView view, ReadOnlyMemory<byte> key, ulong maxSeq, bool cacheBlocks, CancellationToken cancellationToken)
        => GetAsync(view, new PointLookup(key, maxSeq), cacheBlocks, cancellationToken);

    /// <summary>The newest version of the looked-up key in one SST view, reading what the cache does not hold.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public ValueTask<RowEntry?> GetAsync(SsTableView view, PointLookup lookup, bool cacheBlocks, CancellationToken cancellationToken)
    {
        switch (TryGetCached(view, lookup, out var found))
        {
            case CachedLookup.Found:
                return new(found);
            case CachedLookup.Absent:
                return new((RowEntry?)null);
            default:
                return GetAfterMissAsync(view, lookup, cacheBlocks, cancellationToken);
        }
    }

    /// <summary>
    /// The lookup in one SST view after <see cref="TryGetCached"/> answered <see cref="CachedLookup.NeedsRead"/> for
    /// it (so the view's key range may hold the key): opens the SST and reads the blocks the cache lacks, without
    /// probing the cache a second time first.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public ValueTask<RowEntry?> GetAfterMissAsync(SsTableView view, PointLookup lookup, bool cacheBlocks, CancellationToken cancellationToken)
    {
        var opening = OpenAsync(view.Sst, cancellationToken);
        return opening.IsCompletedSuccessfully
            ? GetInOpened(view, lookup, cacheBlocks, opening.Result, cancellationToken)
            : GetWhenOpenedAsync(view, lookup, cacheBlocks, opening, cancellationToken);
    }

    private async ValueTask<RowEntry?> GetWhenOpenedAsync(SsTableView view, PointLookup lookup, bool cacheBlocks, ValueTask<SstFile> opening, CancellationToken cancellationToken)
    {
        var sst = await opening.ConfigureAwait(false);
        return await GetInOpened(view, lookup, cacheBlocks, sst, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// <see cref="GetAfterMissAsync"/> in an opened SST. Reads the store completes at once (a local file's) are searched
    /// here without an async state machine; the first one that does not goes on in <see cref="GetWhenReadAsync"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private ValueTask<RowEntry?> GetInOpened(SsTableView view, PointLookup lookup, bool cacheBlocks, SstFile sst, CancellationToken cancellationToken)
    {
        if (!lookup.MightContain(sst))
        {
            return new((RowEntry?)null);
        }

        // Only blocks first..last can hold the key. There are two when the key is the next block's index key (often
        // the whole first key): its newest versions may then end the block before. Read both in one request; the
        // rest (a key whose versions span more blocks) one at a time.
        sst.BlocksFor(lookup.Key.Span, out var firstBlock, out var lastBlock);
        for (var i = firstBlock; i <= lastBlock;)
        {
            var count = i == firstBlock ? Math.Min(2, lastBlock - firstBlock + 1) : 1;
            var reading = ReadForGetAsync(sst, i, count, cacheBlocks, cancellationToken);
            if (!reading.IsCompletedSuccessfully)
            {
                return GetWhenReadAsync(view, lookup, cacheBlocks, sst, i, count, lastBlock, reading, cancellationToken);
            }

            switch (SearchRead(view, lookup, cacheBlocks, sst, reading.Result, out var row))
            {
                case PointSearchOutcome.Found:
                    return new(row);
                case PointSearchOutcome.Absent:
                    return new((RowEntry?)null);
            }

            i += count;
        }

        return new((RowEntry?)null);
    }

    /// <summary>The rest of <see cref="GetInOpened"/> from a read of blocks <paramref name="i"/>.. that is under way.</summary>
    private async ValueTask<RowEntry?> GetWhenReadAsync(SsTableView view, PointLookup lookup, bool cacheBlocks, SstFile sst, int i, int count, int lastBlock, ValueTask<Block[]> reading, CancellationToken cancellationToken)
    {
        while (true)
        {
            switch (SearchRead(view, lookup, cacheBlocks, sst, await reading.ConfigureAwait(false), out var row))
            {
                case PointSearchOutcome.Found:
                    return row;
                case PointSearchOutcome.Absent:
                    return null;
            }

            i += count;
            if (i > lastBlock)
            {
                return null;
            }

            count = 1;
            reading = ReadForGetAsync(sst, i, count, cacheBlocks, cancellationToken);
        }
    }

    /// <summary>A get's read of <paramref name="count"/> blocks from <paramref name="first"/>, cached as <see cref="AdmitsMiss"/> says.</summary>
    private ValueTask<Block[]> ReadForGetAsync(SstFile sst, int first, int count, bool cacheBlocks, CancellationToken cancellationToken) =>
        ReadBlocksAsync(sst, first, count, cacheBlocks && AdmitsMiss(BlockKey(sst, first)), cancellationToken);

    /// <summary>Counts a get's miss and searches the blocks it read for the looked-up key.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private PointSearchOutcome SearchRead(SsTableView view, PointLookup lookup, bool cacheBlocks, SstFile sst, Block[] blocks, out RowEntry row)
    {
        if (cacheBlocks)
        {
            CountMiss(view.Sst, sst);
        }

        foreach (var block in blocks)
        {
            var outcome = BlockPointSearch.Find(block, lookup.Key, lookup.MaxSeq, out row);
            if (outcome != PointSearchOutcome.NotPassed)
            {
                return outcome;
            }
        }

        row = default;
        return PointSearchOutcome.NotPassed;
    }

    /// <summary>
    /// The memtable an opened SST was flushed from while the cache keeps it (<see cref="RetainedMemtable"/>); null when
    /// there was none or the cache has evicted it (the SST forgets it then, and its blocks serve).
    /// </summary>
    private RetainedMemtable? RetainedTableOf(SstFile sst)
    {
        if (!sst.MayHaveRetained)
        {
            return null;
        }

        if (cache is not null && cache.TryGet(sst.RetainedKey, out var kept) && kept is RetainedMemtable retained)
        {
            return retained;
        }

        sst.MayHaveRetained = false;
        return null;
    }

    /// <summary>
    /// The memtable the SST behind <paramref name="view"/> was flushed from, when its metadata and the table are both
    /// cached: an ascending scan reads it instead of the SST's blocks.
    /// </summary>
    public RetainedMemtable? RetainedTableOf(SsTableView view) =>
        TryGetOpened(view.Sst, out var sst) ? RetainedTableOf(sst) : null;

    /// <summary>
    /// A point lookup in one SST view that uses only memory: the view's key range, then the cached metadata (bloom
    /// filter, index) and cached data blocks. <see cref="CachedLookup.NeedsRead"/> when something must be fetched.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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

        if (RetainedTableOf(sst) is { } retained)
        {
            if (retained.Table.TryGet(key, lookup.MaxSeq, out row) && retained.AsFlushed(row) is { } flushed)
            {
                row = flushed;
                return CachedLookup.Found;
            }

            return CachedLookup.Absent;
        }

        if (!lookup.MightContain(sst))
        {
            return CachedLookup.Absent;
        }

        sst.BlocksFor(key, out var firstBlock, out var lastBlock);
        for (var i = firstBlock; i <= lastBlock; i++)
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
