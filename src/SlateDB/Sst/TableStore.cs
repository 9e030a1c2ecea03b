using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using SlateDB.Caching;
using SlateDB.Common;
using SlateDB.Format;
using SlateDB.Format.Blocks;
using SlateDB.Manifest;
using SlateDB.Memtable;
using SlateDB.Storage;

namespace SlateDB.Sst;

/// <summary>
/// The engine's SST I/O (SlateDB's <c>TableStore</c>): writes WAL SSTs, fences and L0/compacted SSTs, reads WAL SSTs
/// back, and serves point lookups from SSTs through their (cached) index and bloom filter.
/// </summary>
internal sealed class TableStore(IObjectStore store, DbPaths paths, SlateDbOptions options, IBlockCache? cache = null)
{
    private readonly SstBuildSettings _settings = SstBuildSettings.From(options);
    private readonly ConcurrentDictionary<SsTableId, string> _paths = new();

    public IObjectStore Store => store;

    public DbPaths Paths => paths;

    public SstBuildSettings Settings => _settings;

    /// <summary>The ids of the WAL objects present, ascending.</summary>
    public async Task<List<ulong>> ListWalIdsAsync(CancellationToken cancellationToken)
    {
        var ids = new List<ulong>();
        await foreach (var item in store.ListAsync(paths.WalDirectory, cancellationToken).ConfigureAwait(false))
        {
            if (paths.TryParseSstId(item.Path, out var id) && id.IsWal)
            {
                ids.Add(id.WalId);
            }
        }

        ids.Sort();
        return ids;
    }

    /// <summary>Writes rows (sequence order) as WAL object <paramref name="walId"/>; returns its size, or null when the id is taken.</summary>
    public async Task<long?> WriteWalAsync(ulong walId, IReadOnlyList<RowEntry> rows, CancellationToken cancellationToken, long estimatedSize = 0)
    {
        var builder = new SstBuilder(_settings, SstKind.Wal, estimatedSize);
        foreach (var row in rows)
        {
            builder.Add(row);
        }

        var sst = builder.Finish();
        var result = await store.PutAsync(paths.WalSstPath(walId), sst.Bytes, PutMode.Create, cancellationToken).ConfigureAwait(false);
        return result.IsWritten ? sst.Bytes.Length : null;
    }

    /// <summary>
    /// Writes the fence at <paramref name="walId"/> as SlateDB 0.12.1 writes it: it flushes an empty memtable there, so
    /// the object is an empty SST of the compacted kind (no blocks, statistics of zero rows). False when the id is taken.
    /// </summary>
    public async Task<bool> WriteWalFenceAsync(ulong walId, CancellationToken cancellationToken)
    {
        var fence = new SstBuilder(_settings, SstKind.Compacted).Finish();
        var result = await store.PutAsync(paths.WalSstPath(walId), fence.Bytes, PutMode.Create, cancellationToken).ConfigureAwait(false);
        return result.IsWritten;
    }

    /// <summary>Reads WAL object <paramref name="walId"/>'s rows in sequence order; null when it does not exist.</summary>
    public async Task<IReadOnlyList<RowEntry>?> ReadWalAsync(ulong walId, CancellationToken cancellationToken)
    {
        var path = paths.WalSstPath(walId);
        var content = await store.GetAsync(path, cancellationToken).ConfigureAwait(false);
        if (content is null)
        {
            return null;
        }

        // A zero-byte object is a fence written by newer SlateDB versions.
        return content.Data.IsEmpty ? [] : ReadAllRows(SstFile.Open(content.Data, path), content.Data);
    }

    /// <summary>Every row of an SST whose bytes are all in memory, in stored order.</summary>
    public static List<RowEntry> ReadAllRows(SstFile sst, ReadOnlyMemory<byte> bytes)
    {
        var rows = new List<RowEntry>();
        for (var i = 0; i < sst.BlockCount; i++)
        {
            var range = sst.BlockRange(i);
            var block = sst.DecodeBlock(bytes.Slice((int)range.Offset, (int)range.Length));
            var iterator = block.CreateIterator();
            for (iterator.SeekToFirst(); iterator.IsValid; iterator.Next())
            {
                rows.Add(iterator.Current);
            }
        }

        return rows;
    }

    /// <summary>
    /// Writes a frozen memtable as the L0 SST <paramref name="id"/>. Per key it keeps the newest version and, for each
    /// live snapshot in <paramref name="snapshotSeqs"/> (ascending), the version that snapshot sees; other versions are
    /// shadowed for every reader. Rows expired by the memtable's last write time are written as SlateDB writes them
    /// (see <see cref="ApplyExpiry"/>).
    /// </summary>
    public async Task<SsTableHandle> WriteMemtableAsync(Ulid id, KvTable table, ulong[] snapshotSeqs, CancellationToken cancellationToken)
    {
        var builder = new SstBuilder(_settings, SstKind.Compacted, table.EstimatedSize);
        var iterator = table.Iterate();
        var expiryCutoff = table.LastTick;
        ReadOnlyMemory<byte> previousKey = default;
        ulong newerSeq = 0;
        var first = true;
        while (iterator.TryNext(out var row))
        {
            var sameKey = !first && row.Key.Span.SequenceEqual(previousKey.Span);
            if ((!sameKey || SnapshotSeesVersion(snapshotSeqs, row.Seq, newerSeq)) && ApplyExpiry(row, expiryCutoff) is { } kept)
            {
                builder.Add(kept);
            }

            previousKey = row.Key;
            newerSeq = row.Seq;
            first = false;
        }

        return await WriteCompactedAsync(id, builder, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// As SlateDB 0.12.1 flushes and compacts: a row whose expiry is at or before <paramref name="cutoff"/> (for a flush,
    /// the memtable's last write time) becomes a tombstone with the same sequence and create time and no expiry, so
    /// neither it nor an older version underneath is read again (SlateDB's own reads do not hide expired rows); an
    /// expired merge operand is dropped (null).
    /// </summary>
    internal static RowEntry? ApplyExpiry(in RowEntry row, long cutoff)
    {
        if (row.ExpireTs is not { } expire || expire > cutoff)
        {
            return row;
        }

        return row.Kind == RowKind.Merge ? null : RowEntry.Delete(row.Key, row.Seq, row.CreateTs);
    }

    /// <summary>True when some snapshot reads <paramref name="versionSeq"/> as its newest: versionSeq &lt;= s &lt; newerSeq.</summary>
    internal static bool SnapshotSeesVersion(ulong[] snapshotSeqs, ulong versionSeq, ulong newerSeq)
    {
        var index = Array.BinarySearch(snapshotSeqs, versionSeq);
        if (index < 0)
        {
            index = ~index;
        }

        return index < snapshotSeqs.Length && snapshotSeqs[index] < newerSeq;
    }

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
            throw new SlateDbException(SlateDbErrorKind.Internal, $"The SST '{path}' already exists: its id was minted twice, and the existing SST is kept.");
        }

        var handle = new SsTableHandle(SsTableId.Compacted(id), SstBuildSettings.FormatVersion, sst.Info);
        if (cache is not null)
        {
            var opened = SstFile.Open(sst.Bytes, path);
            cache.Set(new BlockCacheKey(path, 0, BlockCacheEntryKind.Metadata), opened, opened.MetadataSize);
        }

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
