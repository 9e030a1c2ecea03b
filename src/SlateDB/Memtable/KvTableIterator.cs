using SlateDB.Format;

namespace SlateDB.Memtable;

/// <summary>
/// Walks the entries of a <see cref="KvTable"/> whose key lies within a range, in either direction, yielding
/// every version. Safe to use while the writer keeps inserting: rows inserted after the iterator was created
/// may or may not show up (callers filter by seq), rows inserted before always do, and the order holds.
/// </summary>
/// <remarks>
/// <para>Ascending yields (key ascending, seq descending): table order. Descending yields keys descending and,
/// within a key, still the newest version first (seq descending), which is what a merging reader wants: the
/// first version it meets of a key is the one that wins.</para>
/// <para>The skip list has forward links only (back links would cost every insert a write to, and often a cache
/// miss on, its successor). Descending therefore runs one O(log n) search per distinct key: it finds the last
/// node before the key, yields the key's versions forwards from the node after it, and continues with that
/// predecessor's key. Within a key it walks O(1) per version and buffers nothing. One iterator must not be
/// used by two threads at once.</para>
/// </remarks>
internal sealed class KvTableIterator
{
    private readonly KvTable _table;
    private readonly IterationOrder _order;
    private readonly KeyBound _start;
    private readonly KeyBound _end;
    private readonly ulong _startPrefix;
    private readonly ulong _endPrefix;

    // Ascending: the next node to yield (0 = exhausted).
    // Descending: the next node to yield within the current key, the current key's first (newest) node
    // (0 = exhausted), and the last node before that key, which starts the next key.
    private int _next;
    private int _groupFirst;
    private int _groupPred;

    internal KvTableIterator(KvTable table, KeyBound start, KeyBound end, IterationOrder order)
    {
        _table = table;
        _order = order;
        _start = start;
        _end = end;
        _startPrefix = start.IsUnbounded ? 0 : KvTable.KeyPrefix(start.Key.Span);
        _endPrefix = end.IsUnbounded ? 0 : KvTable.KeyPrefix(end.Key.Span);
        if (order == IterationOrder.Ascending)
        {
            _next = start.Kind switch
            {
                BoundKind.Unbounded => table.NextOf(KvTable.Head),
                _ => table.NextOf(table.FindLastBefore(start.Key.Span, orEqual: start.Kind == BoundKind.Excluded)),
            };
        }
        else
        {
            var last = end.Kind switch
            {
                BoundKind.Unbounded => table.FindLast(),
                _ => table.FindLastBefore(end.Key.Span, orEqual: end.Kind == BoundKind.Included),
            };
            EnterGroup(last);
        }
    }

    /// <summary>The direction of this iterator.</summary>
    public IterationOrder Order => _order;

    /// <summary>Moves to the next entry; false when the range is exhausted.</summary>
    public bool TryNext(out RowEntry row)
    {
        return _order == IterationOrder.Ascending ? TryNextAscending(out row) : TryNextDescending(out row);
    }

    /// <summary>
    /// Skips ahead, in iteration order, to the first entry whose key is at or after <paramref name="key"/>
    /// (at or below it when descending). Never moves backwards: when the iterator is already there, nothing
    /// changes, so the remaining versions of the current key are still yielded.
    /// </summary>
    public void Seek(ReadOnlySpan<byte> key)
    {
        var prefix = KvTable.KeyPrefix(key);
        if (_order == IterationOrder.Ascending)
        {
            if (_next != KvTable.Head && _table.CompareKey(_next, prefix, key) < 0)
            {
                _next = _table.NextOf(_table.FindLastBefore(key, orEqual: false));
            }
        }
        else if (_groupFirst != KvTable.Head && _table.CompareKey(_groupFirst, prefix, key) > 0)
        {
            EnterGroup(_table.FindLastBefore(key, orEqual: true));
        }
    }

    private bool TryNextAscending(out RowEntry row)
    {
        var node = _next;
        if (node == KvTable.Head || !BelowEnd(node))
        {
            _next = KvTable.Head;
            row = default;
            return false;
        }

        row = _table.RowOf(node);
        _next = _table.NextOf(node);
        return true;
    }

    private bool TryNextDescending(out RowEntry row)
    {
        if (_groupFirst == KvTable.Head)
        {
            row = default;
            return false;
        }

        if (_next == KvTable.Head || !_table.SameKey(_next, _groupFirst))
        {
            // The current key is done; its predecessor is the last version of the next key.
            EnterGroup(_groupPred);
            if (_groupFirst == KvTable.Head)
            {
                row = default;
                return false;
            }
        }

        row = _table.RowOf(_next);
        _next = _table.NextOf(_next);
        return true;
    }

    /// <summary>Positions on the newest version of the key of <paramref name="last"/>, or ends when it is out of range.</summary>
    private void EnterGroup(int last)
    {
        if (last == KvTable.Head || !AboveStart(last))
        {
            _groupFirst = KvTable.Head;
            _next = KvTable.Head;
            return;
        }

        // Every version of the key lies after the last node with a smaller key; versions inserted meanwhile too.
        _groupPred = _table.FindLastBefore(_table.KeyOf(last), orEqual: false);
        _groupFirst = _table.NextOf(_groupPred);
        _next = _groupFirst;
    }

    private bool BelowEnd(int node) => _end.Kind switch
    {
        BoundKind.Included => _table.CompareKey(node, _endPrefix, _end.Key.Span) <= 0,
        BoundKind.Excluded => _table.CompareKey(node, _endPrefix, _end.Key.Span) < 0,
        _ => true,
    };

    private bool AboveStart(int node) => _start.Kind switch
    {
        BoundKind.Included => _table.CompareKey(node, _startPrefix, _start.Key.Span) >= 0,
        BoundKind.Excluded => _table.CompareKey(node, _startPrefix, _start.Key.Span) > 0,
        _ => true,
    };
}
