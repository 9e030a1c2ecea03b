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
        var firstView = range.Start is { } start ? IndexOfViewFor(run, start.Span) : 0;
        var lastView = range.End is { } end ? IndexOfViewFor(run, end.Span) : run.Views.Count - 1;
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

    /// <summary>The index of the last view whose first key is at or below <paramref name="key"/> (0 when none).</summary>
    private static int IndexOfViewFor(SortedRun run, ReadOnlySpan<byte> key)
    {
        var views = run.Views;
        int lo = 0, hi = views.Count - 1, found = 0;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            var first = views[mid].Sst.Info.FirstEntry;
            if (first is null || first.Value.Span.SequenceCompareTo(key) <= 0)
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
}
