using SlateDB.Format;
using SlateDB.Memtable;
using SlateDB.Sst;

namespace SlateDB.Iterators;

/// <summary>
/// Rows of an L0 SST read from the memtable the cache keeps in its place (<see cref="RetainedMemtable"/>), ascending,
/// within a range: each as the SST holds it (<see cref="RetainedMemtable.AsFlushed"/>).
/// </summary>
/// <remarks>
/// Ascending only: a descending walk of a <see cref="KvTable"/> collects the range first (it guards against concurrent
/// inserts), which a whole kept table would make a copy of every row; descending scans read the SST's blocks.
/// </remarks>
internal sealed class RetainedMemtableRowIterator(RetainedMemtable retained, KeyRange range) : IRowIterator
{
    private readonly KvTableIterator _inner = retained.Table.Range(range.StartBound, range.EndBound, IterationOrder.Ascending);

    private RowEntry _current;

    public RowEntry Current => _current;

    public ValueTask<bool> MoveNextAsync(CancellationToken cancellationToken)
    {
        while (_inner.TryNext(out var row))
        {
            if (retained.AsFlushed(row) is { } flushed)
            {
                _current = flushed;
                return ValueTask.FromResult(true);
            }
        }

        return ValueTask.FromResult(false);
    }

    /// <summary>Nothing to release: the rows are in memory.</summary>
    public void Dispose()
    {
    }
}
