using SlateDB.Format;

namespace SlateDB.Iterators;

/// <summary>
/// Merges sources into one stream in key order (a k-way merge). Among equal keys the higher sequence comes first, then
/// the source listed first (sources are given newest first). The heap holds source indices ordered by each source's
/// current row, so a step moves ints, not rows; once one source is left its rows pass straight through. A step whose
/// source has its next row in memory completes without waiting.
/// </summary>
internal sealed class MergeRowIterator : IRowIterator
{
    private readonly IRowIterator[] _sources;

    /// <summary>The current row of each source in the heap.</summary>
    private readonly RowEntry[] _heads;

    /// <summary>Indices of the sources with rows left; <c>_heap[0]</c> holds the row that comes first.</summary>
    private readonly int[] _heap;
    private readonly bool _descending;
    private int _count;
    private bool _started;

    public MergeRowIterator(IReadOnlyList<IRowIterator> sources, IterationOrder order)
    {
        _sources = [.. sources];
        _heads = new RowEntry[_sources.Length];
        _heap = new int[_sources.Length];
        _descending = order == IterationOrder.Descending;
    }

    /// <summary>The top source's row (valid after <see cref="MoveNextAsync"/> returned true).</summary>
    public RowEntry Current => _heads[_heap[0]];

    /// <summary>The top source's row without copying it; valid until the next <see cref="MoveNextAsync"/>.</summary>
    public ref readonly RowEntry CurrentRef => ref _heads[_heap[0]];

    public ValueTask<bool> MoveNextAsync(CancellationToken cancellationToken)
    {
        if (!_started)
        {
            return StartAsync(cancellationToken);
        }

        if (_count == 0)
        {
            return new ValueTask<bool>(false);
        }

        // The row returned last came from the top source: move it on.
        var top = _heap[0];
        var pending = _sources[top].MoveNextAsync(cancellationToken);
        return pending.IsCompletedSuccessfully
            ? new ValueTask<bool>(Advanced(top, pending.Result))
            : AdvanceSlowAsync(top, pending);
    }

    /// <summary>Disposes every source (cancelling their block reads ahead).</summary>
    public void Dispose()
    {
        _count = 0;
        foreach (var source in _sources)
        {
            source.Dispose();
        }
    }

    private async ValueTask<bool> StartAsync(CancellationToken cancellationToken)
    {
        _started = true;
        for (var i = 0; i < _sources.Length; i++)
        {
            if (await _sources[i].MoveNextAsync(cancellationToken).ConfigureAwait(false))
            {
                _heads[i] = _sources[i].Current;
                _heap[_count] = i;
                SiftUp(_count++);
            }
        }

        return _count > 0;
    }

    private async ValueTask<bool> AdvanceSlowAsync(int top, ValueTask<bool> pending) =>
        Advanced(top, await pending.ConfigureAwait(false));

    /// <summary>Puts the top source back in order after it moved (or drops it at its end); true while rows are left.</summary>
    private bool Advanced(int top, bool moved)
    {
        if (moved)
        {
            _heads[top] = _sources[top].Current;
            if (_count > 1)
            {
                SiftDown(0);
            }

            return true;
        }

        if (--_count == 0)
        {
            _heads[top] = default;
            return false;
        }

        _heap[0] = _heap[_count];
        SiftDown(0);
        return true;
    }

    private void SiftUp(int position)
    {
        var item = _heap[position];
        while (position > 0)
        {
            var parent = (position - 1) / 2;
            if (!Precedes(item, _heap[parent]))
            {
                break;
            }

            _heap[position] = _heap[parent];
            position = parent;
        }

        _heap[position] = item;
    }

    private void SiftDown(int position)
    {
        var item = _heap[position];
        while (true)
        {
            var child = (2 * position) + 1;
            if (child >= _count)
            {
                break;
            }

            if (child + 1 < _count && Precedes(_heap[child + 1], _heap[child]))
            {
                child++;
            }

            if (!Precedes(_heap[child], item))
            {
                break;
            }

            _heap[position] = _heap[child];
            position = child;
        }

        _heap[position] = item;
    }

    /// <summary>Whether source <paramref name="a"/>'s current row comes before source <paramref name="b"/>'s.</summary>
    private bool Precedes(int a, int b)
    {
        ref readonly var x = ref _heads[a];
        ref readonly var y = ref _heads[b];
        var byKey = x.Key.Span.SequenceCompareTo(y.Key.Span);
        if (byKey != 0)
        {
            return _descending ? byKey > 0 : byKey < 0;
        }

        return x.Seq != y.Seq ? x.Seq > y.Seq : a < b;
    }
}
