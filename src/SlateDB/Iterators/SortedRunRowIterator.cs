using SlateDB.Format;
using SlateDB.Manifest;
using SlateDB.Sst;

namespace SlateDB.Iterators;

/// <summary>Rows of a sorted run within a range: its SSTs (disjoint, in key order) one after the other.</summary>
internal sealed class SortedRunRowIterator : IRowIterator
{
    private readonly TableStore _tables;
    private readonly SortedRun _run;
    private readonly KeyRange _range;
    private readonly IterationOrder _order;
    private readonly BlockFetch _fetch;
    private int _next;
    private int _last;
    private SstRowIterator? _current;

    public SortedRunRowIterator(TableStore tables, SortedRun run, KeyRange range, IterationOrder order, BlockFetch fetch)
    {
        _tables = tables;
        _run = run;
        _range = range;
        _order = order;
        _fetch = fetch;

        // From the first view that may hold the start key (adjacent views may share it) to the last starting at or before the end.
        var firstView = range.Start is { } start ? SortedRuns.ViewsForKey(run, start.Span).First : 0;
        var lastView = range.End is { } end ? Math.Max(0, SortedRuns.LastViewStartingAtOrBefore(run, end.Span)) : run.Views.Count - 1;
        (_next, _last) = order == IterationOrder.Ascending ? (firstView, lastView) : (lastView, firstView);
    }

    public RowEntry Current => _current!.Current;

    public ValueTask<bool> MoveNextAsync(CancellationToken cancellationToken)
    {
        if (_current is not null)
        {
            var pending = _current.MoveNextAsync(cancellationToken);
            if (!pending.IsCompletedSuccessfully)
            {
                return NextSstAsync(pending, cancellationToken);
            }

            if (pending.Result)
            {
                return new ValueTask<bool>(true);
            }
        }

        return NextSstAsync(new ValueTask<bool>(false), cancellationToken);
    }

    /// <summary>Disposes the current SST's iterator (cancelling its block reads ahead); no later SST is opened.</summary>
    public void Dispose()
    {
        _current?.Dispose();
        _next = _order == IterationOrder.Ascending ? _last + 1 : _last - 1;
    }

    /// <summary>Finishes the current SST's step; when it has no row left, moves on to the next SST with one.</summary>
    private async ValueTask<bool> NextSstAsync(ValueTask<bool> pending, CancellationToken cancellationToken)
    {
        if (await pending.ConfigureAwait(false))
        {
            return true;
        }

        while (true)
        {
            if (_run.Views.Count == 0 || (_order == IterationOrder.Ascending ? _next > _last : _next < _last))
            {
                return false;
            }

            // The next SST starts with the read size the scan has reached: it is already known to be sequential.
            _current?.Dispose();
            _current = new SstRowIterator(_tables, _run.Views[_next], _range, _order, _fetch, _current?.ReadAheadBytes ?? 0);
            _next += _order == IterationOrder.Ascending ? 1 : -1;
            if (await _current.MoveNextAsync(cancellationToken).ConfigureAwait(false))
            {
                return true;
            }
        }
    }
}
