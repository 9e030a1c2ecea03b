using System.Collections.Concurrent;
using SlateDB.Common;
using SlateDB.Format;
using SlateDB.Manifest;
using SlateDB.Memtable;
using SlateDB.Storage;

namespace SlateDB.Sst;

/// <summary>
/// The engine's SST I/O (SlateDB's <c>TableStore</c>): writes WAL SSTs, fences and L0/compacted SSTs, reads WAL SSTs
/// back, and serves point lookups from SSTs through their (cached) index and bloom filter.
/// </summary>
internal sealed class TableStore(IObjectStore store, DbPaths paths, SlateDbOptions options)
{
    private readonly SstBuildSettings _settings = SstBuildSettings.From(options);
    private readonly ConcurrentDictionary<string, Task<SstFile>> _open = new(StringComparer.Ordinal);

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
    public async Task<long?> WriteWalAsync(ulong walId, IReadOnlyList<RowEntry> rows, CancellationToken cancellationToken)
    {
        var builder = new SstBuilder(_settings, SstKind.Wal);
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
    /// Writes a frozen memtable as the L0 SST <paramref name="id"/>: per key only the newest version is kept (older
    /// ones are shadowed for every reader the writer serves).
    /// </summary>
    public async Task<SsTableHandle> WriteMemtableAsync(Ulid id, KvTable table, CancellationToken cancellationToken)
    {
        var builder = new SstBuilder(_settings, SstKind.Compacted);
        var iterator = table.Iterate();
        ReadOnlyMemory<byte> previousKey = default;
        var first = true;
        while (iterator.TryNext(out var row))
        {
            if (!first && row.Key.Span.SequenceEqual(previousKey.Span))
            {
                continue;
            }

            builder.Add(row);
            previousKey = row.Key;
            first = false;
        }

        return await WriteCompactedAsync(id, builder, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Finishes <paramref name="builder"/> and writes it as compacted SST <paramref name="id"/>.</summary>
    public async Task<SsTableHandle> WriteCompactedAsync(Ulid id, SstBuilder builder, CancellationToken cancellationToken)
    {
        var sst = builder.Finish();
        var path = paths.CompactedSstPath(id);
        await store.PutAsync(path, sst.Bytes, PutMode.Overwrite, cancellationToken).ConfigureAwait(false);
        var handle = new SsTableHandle(SsTableId.Compacted(id), SstBuildSettings.FormatVersion, sst.Info);
        _open.TryAdd(path, Task.FromResult(SstFile.Open(sst.Bytes, path)));
        return handle;
    }

    /// <summary>Opens (once, then cached) the SST behind a handle.</summary>
    public Task<SstFile> OpenAsync(SsTableHandle handle, CancellationToken cancellationToken)
    {
        var path = handle.Id.IsWal ? paths.WalSstPath(handle.Id.WalId) : paths.CompactedSstPath(handle.Id.CompactedId);
        if (_open.TryGetValue(path, out var cached) && !cached.IsFaulted && !cached.IsCanceled)
        {
            return cached;
        }

        var opening = SstFile.OpenAsync(store, path, handle.Info, handle.FormatVersion, CancellationToken.None);
        _open[path] = opening;
        return opening.WaitAsync(cancellationToken);
    }

    /// <summary>Forgets cached SSTs that are no longer part of the database.</summary>
    public void Evict(SsTableHandle handle)
    {
        var path = handle.Id.IsWal ? paths.WalSstPath(handle.Id.WalId) : paths.CompactedSstPath(handle.Id.CompactedId);
        _open.TryRemove(path, out _);
    }

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
            var block = await sst.ReadBlockAsync(store, i, cancellationToken).ConfigureAwait(false);
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
