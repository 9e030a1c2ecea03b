using SlateDB.Db;
using SlateDB.Format;
using SlateDB.Iterators;
using SlateDB.Sst;

namespace SlateDB.Readers;

/// <summary>
/// Point reads and scans over a <see cref="ReaderView"/>: replayed tables newest first, then L0 and the sorted runs,
/// through the same SST lookup (<see cref="PointProbeOrder"/>, <see cref="TableStore"/>) and iterators
/// (<see cref="MergeRowIterator"/>, <see cref="DbIterator"/>) as the writer's read path.
/// </summary>
internal sealed class ReaderReads(TableStore tables, MonotonicClock clock, Merge.MergeFolder? merge = null)
{
    public async ValueTask<RowEntry?> GetAsync(ReaderView view, ReadOnlyMemory<byte> key, bool cacheBlocks, CancellationToken cancellationToken)
    {
        var newest = await FindNewestAsync(view, key, cacheBlocks, cancellationToken).ConfigureAwait(false);
        if (newest is not { } row)
        {
            return null;
        }

        if (row.Kind != RowKind.Merge)
        {
            return Visible(row);
        }

        // Operands fold over older versions in every source: read the key through the folding iterator.
        if (merge is null)
        {
            throw Merge.MergeFolder.MissingOperator();
        }

        var iterator = CreateIterator(view, KeyRange.BetweenInclusive(key, key), ScanOptions.Default with { CacheBlocks = cacheBlocks });
        KeyValue? folded;
        await using (iterator.ConfigureAwait(false))
        {
            folded = await iterator.NextAsync(cancellationToken).ConfigureAwait(false);
        }

        return folded is null
            ? null
            : RowEntry.Put(folded.Key, folded.Value, (ulong)folded.Sequence, folded.CreatedAt.ToUnixTimeMilliseconds(), folded.ExpiresAt?.ToUnixTimeMilliseconds());
    }

    /// <summary>The newest version of the key visible in the view, of any kind (null when none).</summary>
    private async ValueTask<RowEntry?> FindNewestAsync(ReaderView view, ReadOnlyMemory<byte> key, bool cacheBlocks, CancellationToken cancellationToken)
    {
        var maxSeq = view.VisibleSeq;
        foreach (var replayed in view.Tables)
        {
            if (replayed.Table.TryGet(key.Span, maxSeq, out var inMemory))
            {
                return inMemory;
            }
        }

        var lookup = new PointLookup(key, maxSeq);
        var views = new PointProbeOrder(view.Core.Tree, key);
        while (views.MoveNext())
        {
            var state = tables.TryGetCached(views.Current, lookup, out var cached);
            if (state == CachedLookup.Found)
            {
                return cached;
            }

            if (state == CachedLookup.Absent)
            {
                continue;
            }

            var row = await tables.GetAsync(views.Current, lookup, cacheBlocks, cancellationToken).ConfigureAwait(false);
            if (row is { } found)
            {
                return found;
            }
        }

        return null;
    }

    public DbIterator CreateIterator(ReaderView view, KeyRange range, ScanOptions options)
    {
        var fetch = BlockFetch.From(options);
        var order = options.Order;
        IRowIterator Open(KeyRange r) => OpenSources(view, r, order, fetch);
        return new DbIterator(Open, range, order, view.VisibleSeq, clock.Now, onDispose: null, merge);
    }

    private IRowIterator OpenSources(ReaderView view, KeyRange range, IterationOrder order, BlockFetch fetch)
    {
        var sources = new List<IRowIterator>();
        foreach (var replayed in view.Tables)
        {
            sources.Add(new MemtableRowIterator(replayed.Table, range, order));
        }

        foreach (var sst in view.Core.Tree.L0)
        {
            sources.Add(new SstRowIterator(tables, sst, range, order, fetch));
        }

        foreach (var run in view.Core.Tree.Compacted)
        {
            sources.Add(new SortedRunRowIterator(tables, run, range, order, fetch));
        }

        return new MergeRowIterator(sources, order);
    }

    /// <summary>The row as a read returns it: null for tombstones and expired rows.</summary>
    private RowEntry? Visible(in RowEntry row)
    {
        switch (row.Kind)
        {
            case RowKind.Tombstone:
                return null;
            default:
                return row.ExpireTs is { } expire && expire <= clock.Now() ? null : row;
        }
    }
}
