using SlateDB.Format;
using SlateDB.Iterators;
using SlateDB.Manifest;
using SlateDB.Sst;

namespace SlateDB.Compaction;

/// <summary>Reading SST views within their visible range (views of shared SSTs restrict what they show).</summary>
internal static class ViewRanges
{
    /// <summary>The scan range of a view: everything, or its visible range.</summary>
    public static KeyRange Of(SsTableView view)
    {
        if (view.VisibleRange is not { } visible)
        {
            return KeyRange.All;
        }

        return KeyRange.Create(
            visible.Start.IsBounded ? visible.Start.Key : (ReadOnlyMemory<byte>?)null,
            visible.Start.Kind == BoundKind.Included,
            visible.End.IsBounded ? visible.End.Key : (ReadOnlyMemory<byte>?)null,
            visible.End.Kind == BoundKind.Included);
    }

    /// <summary>Ascending rows of a sorted run within <paramref name="range"/> (default: all), each view read within its visible range.</summary>
    public static IRowIterator SortedRun(TableStore tables, SortedRun run, BlockFetch fetch, KeyRange? range = null) =>
        run.Views.All(view => view.VisibleRange is null)
            ? new SortedRunRowIterator(tables, run, range ?? KeyRange.All, IterationOrder.Ascending, fetch)
            : new ViewSequenceRowIterator(tables, run.Views, fetch, range ?? KeyRange.All);

    /// <summary>Ascending rows of one view within its visible range.</summary>
    public static IRowIterator View(TableStore tables, SsTableView view, BlockFetch fetch) =>
        new SstRowIterator(tables, view, Of(view), IterationOrder.Ascending, fetch);

    /// <summary>The views of a sorted run one after the other, each within its own visible range and <c>range</c>.</summary>
    private sealed class ViewSequenceRowIterator(TableStore tables, IReadOnlyList<SsTableView> views, BlockFetch fetch, KeyRange range) : IRowIterator
    {
        private int _next;
        private IRowIterator? _current;

        public RowEntry Current => _current!.Current;

        public async ValueTask<bool> MoveNextAsync(CancellationToken cancellationToken)
        {
            while (true)
            {
                if (_current is not null && await _current.MoveNextAsync(cancellationToken).ConfigureAwait(false))
                {
                    return true;
                }

                if (_next >= views.Count)
                {
                    return false;
                }

                _current?.Dispose();
                var view = views[_next++];
                var within = SubcompactionRanges.Intersect(Of(view), range);
                _current = within.IsEmpty ? null : new SstRowIterator(tables, view, within, IterationOrder.Ascending, fetch);
            }
        }

        public void Dispose()
        {
            _current?.Dispose();
            _next = views.Count;
        }
    }
}
