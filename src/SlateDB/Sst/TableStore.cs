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
    /// shadowed for every reader.
    /// </summary>
    public async Task<SsTableHandle> WriteMemtableAsync(Ulid id, KvTable table, ulong[] snapshotSeqs, CancellationToken cancellationToken)
    {
        var builder = new SstBuilder(_settings, SstKind.Compacted, table.EstimatedSize);
        var iterator = table.Iterate();
        ReadOnlyMemory<byte> previousKey = default;
        ulong newerSeq = 0;
        var first = true;
        while (iterator.TryNext(out var row))
        {
            var sameKey = !first && row.Key.Span.SequenceEqual(previousKey.Span);
            if (!sameKey || SnapshotSeesVersion(snapshotSeqs, row.Seq, newerSeq))
            {
                builder.Add(row);
            }

            previousKey = row.Key;
            newerSeq = row.Seq;
            first = false;
        }

        return await WriteCompactedAsync(id, builder, cancellationToken).ConfigureAwait(false);
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

    /// <summary>Finishes <paramref name="builder"/> and writes it as compacted SST <paramref name="id"/>.</summary>
    public async Task<SsTableHandle> WriteCompactedAsync(Ulid id, SstBuilder builder, CancellationToken cancellationToken)
    {
        var sst = builder.Finish();
        var path = paths.CompactedSstPath(id);
        await store.PutAsync(path, sst.Bytes, PutMode.Overwrite, cancellationToken).ConfigureAwait(false);
        var handle = new SsTableHandle(SsTableId.Compacted(id), SstBuildSettings.FormatVersion, sst.Info);
        if (cache is not null)
        {
            var opened = SstFile.Open(sst.Bytes, path);
            cache.Set(new BlockCacheKey(path, 0, BlockCacheEntryKind.Metadata), opened, opened.MetadataSize);
        }

        return handle;
    }

    /// <summary>Opens the SST behind a handle: its metadata (index, filter) comes from the cache when it is there.</summary>
    public async ValueTask<SstFile> OpenAsync(SsTableHandle handle, CancellationToken cancellationToken)
    {
        var path = paths.SstPath(handle.Id);
        var key = new BlockCacheKey(path, 0, BlockCacheEntryKind.Metadata);
        if (cache is not null && cache.TryGet(key, out var cached) && cached is SstFile file)
        {
            return file;
        }

        var opened = await SstFile.OpenAsync(store, path, handle.Info, handle.FormatVersion, cancellationToken).ConfigureAwait(false);
        cache?.Set(key, opened, opened.MetadataSize);
        return opened;
    }

    /// <summary>Forgets cached data of an SST that is no longer part of the database.</summary>
    public void Evict(SsTableHandle handle) => cache?.Remove(new BlockCacheKey(paths.SstPath(handle.Id), 0, BlockCacheEntryKind.Metadata));

    /// <summary>
    /// Reads <paramref name="count"/> adjacent data blocks from <paramref name="first"/>: from the cache where they are,
    /// otherwise with one ranged GET covering them all.
    /// </summary>
    public async ValueTask<Block[]> ReadBlocksAsync(SstFile sst, int first, int count, bool cacheBlocks, CancellationToken cancellationToken)
    {
        var blocks = new Block[count];
        var missing = false;
        for (var i = 0; i < count; i++)
        {
            if (cache is not null && cache.TryGet(BlockKey(sst, first + i), out var cached) && cached is Block block)
            {
                blocks[i] = block;
            }
            else
            {
                missing = true;
            }
        }

        if (!missing)
        {
            return blocks;
        }

        var start = sst.BlockRange(first).Offset;
        var end = sst.BlockRange(first + count - 1).End;
        var bytes = await SstFile.ReadRangeAsync(store, sst.Path, ByteRange.FromBounds(start, end), cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < count; i++)
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
    public async ValueTask<RowEntry?> GetAsync(SsTableView view, ReadOnlyMemory<byte> key, ulong maxSeq, bool cacheBlocks, CancellationToken cancellationToken)
    {
        var info = view.Sst.Info;
        if (info.FirstEntry is { } first && key.Span.SequenceCompareTo(first.Span) < 0)
        {
            return null;
        }

        if (info.LastEntry is { } last && key.Span.SequenceCompareTo(last.Span) > 0)
        {
            return null;
        }

        if (view.VisibleRange is { } visible && !KeyRanges.Contains(visible, key.Span))
        {
            return null;
        }

        var sst = await OpenAsync(view.Sst, cancellationToken).ConfigureAwait(false);
        if (sst.Filter is { } filter && !filter.MightMatch(Format.Filters.FilterQuery.Point(key)))
        {
            return null;
        }

        for (var i = sst.FirstBlockFor(key.Span); i < sst.BlockCount; i++)
        {
            var block = (await ReadBlocksAsync(sst, i, 1, cacheBlocks, cancellationToken).ConfigureAwait(false))[0];
            var iterator = block.CreateIterator();
            for (iterator.Seek(key.Span); iterator.IsValid; iterator.Next())
            {
                var row = iterator.Current;
                var order = row.Key.Span.SequenceCompareTo(key.Span);
                if (order > 0)
                {
                    return null;
                }

                if (order == 0 && row.Seq <= maxSeq)
                {
                    return row;
                }
            }
        }

        return null;
    }
}
