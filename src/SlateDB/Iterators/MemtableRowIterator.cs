using SlateDB.Format;
using SlateDB.Memtable;

namespace SlateDB.Iterators;

/// <summary>Rows of a memtable within a range.</summary>
internal sealed class MemtableRowIterator(KvTable table, KeyRange range, IterationOrder order) : IRowIterator
{
    private readonly KvTableIterator _inner = table.Range(range.StartBound, range.EndBound, order);

    private RowEntry _current;

    public RowEntry Current => _current;

    public ValueTask<bool> MoveNextAsync(CancellationToken cancellationToken) => ValueTask.FromResult(_inner.TryNext(out _current));

    /// <summary>Nothing to release: the rows are in memory.</summary>
    public void Dispose()
    {
    }
}
