using SlateDB.Format;

namespace SlateDB.Iterators;

/// <summary>
/// Merges sources into one stream in key order (a k-way merge over a heap). Among equal keys the higher sequence
/// comes first, then the source listed first (sources are given newest first).
/// </summary>
internal sealed class MergeRowIterator : IRowIterator
{
    private readonly IRowIterator[] _sources;
    private readonly PriorityQueue<int, (RowEntry Row, int Source)> _heap;
    private int _pending = -1;
    private bool _started;
    private RowEntry _current;

    public MergeRowIterator(IReadOnlyList<IRowIterator> sources, IterationOrder order)
    {
        _sources = [.. sources];
        var descending = order == IterationOrder.Descending;
        _heap = new PriorityQueue<int, (RowEntry Row, int Source)>(_sources.Length, Comparer<(RowEntry Row, int Source)>.Create((a, b) =>
        {
            var byKey = a.Row.Key.Span.SequenceCompareTo(b.Row.Key.Span);
            if (byKey != 0)
            {
                return descending ? -byKey : byKey;
            }

            var bySeq = b.Row.Seq.CompareTo(a.Row.Seq);
            return bySeq != 0 ? bySeq : a.Source.CompareTo(b.Source);
        }));
    }

    public RowEntry Current => _current;

    public async ValueTask<bool> MoveNextAsync(CancellationToken cancellationToken)
    {
        if (!_started)
        {
            _started = true;
            for (var i = 0; i < _sources.Length; i++)
            {
                await AdvanceAsync(i, cancellationToken).ConfigureAwait(false);
            }
        }
        else if (_pending >= 0)
        {
            await AdvanceAsync(_pending, cancellationToken).ConfigureAwait(false);
        }

        if (!_heap.TryDequeue(out var source, out var item))
        {
            _pending = -1;
            return false;
        }

        _current = item.Row;
        _pending = source;
        return true;
    }

    private async ValueTask AdvanceAsync(int source, CancellationToken cancellationToken)
    {
        var iterator = _sources[source];
        if (await iterator.MoveNextAsync(cancellationToken).ConfigureAwait(false))
        {
            _heap.Enqueue(source, (iterator.Current, source));
        }
    }
}
