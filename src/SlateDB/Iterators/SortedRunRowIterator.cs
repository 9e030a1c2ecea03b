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

    public async ValueTask<bool> MoveNextAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (_current is not null && await _current.MoveNextAsync(cancellationToken).ConfigureAwait(false))
            {
                return true;
            }

            if (_run.Views.Count == 0 || (_order == IterationOrder.Ascending ? _next > _last : _next < _last))
            {
                return false;
            }

            _current = new SstRowIterator(_tables, _run.Views[_next], _range, _order, _fetch);
            _next += _order == IterationOrder.Ascending ? 1 : -1;
        }
    }
}
