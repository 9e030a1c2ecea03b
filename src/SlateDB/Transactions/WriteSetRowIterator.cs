using SlateDB.Format;
using SlateDB.Iterators;

namespace SlateDB.Transactions;

/// <summary>
/// A transaction's buffered writes inside a range, as rows at <see cref="PendingSeq"/>: above every sequence the
/// transaction's snapshot can see, so a reader picks them over the database's versions of the same keys.
/// </summary>
internal sealed class WriteSetRowIterator : IRowIterator
{
    /// <summary>The sequence buffered writes carry while uncommitted (reads return it as their sequence).</summary>
    public const ulong PendingSeq = long.MaxValue;

    private readonly KeyValuePair<byte[], PendingWrite>[] _writes;
    private readonly KeyRange _range;
    private readonly bool _ascending;
    private int _index;
    private RowEntry _current;

    public WriteSetRowIterator(KeyValuePair<byte[], PendingWrite>[] writes, KeyRange range, IterationOrder order)
    {
        _writes = writes;
        _range = range;
        _ascending = order == IterationOrder.Ascending;
        _index = _ascending ? FirstAtOrAfterStart() : LastAtOrBeforeEnd();
    }

    public RowEntry Current => _current;

    public ValueTask<bool> MoveNextAsync(CancellationToken cancellationToken)
    {
        if (_index < 0 || _index >= _writes.Length)
        {
            return new(false);
        }

        var (key, write) = _writes[_index];
        if (_ascending ? _range.IsAfterEnd(key) : _range.IsBeforeStart(key))
        {
            _index = -1;
            return new(false);
        }

        _index += _ascending ? 1 : -1;
        _current = new RowEntry(key, write.Value, write.Kind, PendingSeq, CreateTs: null, ExpireTs: null);
        return new(true);
    }

    public void Dispose()
    {
    }

    private int FirstAtOrAfterStart()
    {
        int low = 0, high = _writes.Length;
        while (low < high)
        {
            var mid = (low + high) >>> 1;
            if (_range.IsBeforeStart(_writes[mid].Key))
            {
                low = mid + 1;
            }
            else
            {
                high = mid;
            }
        }

        return low;
    }

    private int LastAtOrBeforeEnd()
    {
        int low = 0, high = _writes.Length;
        while (low < high)
        {
            var mid = (low + high) >>> 1;
            if (_range.IsAfterEnd(_writes[mid].Key))
            {
                high = mid;
            }
            else
            {
                low = mid + 1;
            }
        }

        return low - 1;
    }
}
