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
    private readonly List<RowEntry>? _descending;
    private int _descendingGroupStart;
    private int _descendingGroupEnd;
    private int _descendingNext;

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
            // Descending walks a snapshot of the range taken with the ascending walk, key groups from the last,
            // newest version first within a key. (The predecessor-search walk missed rows inserted concurrently in
            // about 1 stress run in 15; see KvTableConcurrencyTests.)
            _descending = Snapshot(table, start, end);
            _descendingGroupEnd = _descending.Count;
            _descendingGroupStart = GroupStart(_descending, _descending.Count);
            _descendingNext = _descendingGroupStart;
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
        else
        {
            // Skip whole groups whose key is above the target; never move back.
            var rows = _descending!;
            while (_descendingGroupEnd > 0 && _descendingGroupStart < _descendingGroupEnd
                && rows[_descendingGroupStart].Key.Span.SequenceCompareTo(key) > 0)
            {
                _descendingGroupEnd = _descendingGroupStart;
                _descendingGroupStart = GroupStart(rows, _descendingGroupEnd);
                _descendingNext = _descendingGroupStart;
            }
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
        var next = _table.NextOf(node);
        _next = next;

        // The caller works on this row before it asks for the next: meanwhile the next row and the node after it
        // come into the cache (the next node itself was asked for one step ago).
        if (next != KvTable.Head)
        {
            var after = _table.NextOf(next);
            if (after != KvTable.Head)
            {
                _table.PrefetchRow(after);
                _table.PrefetchNode(_table.NextOf(after));
            }
        }

        return true;
    }

    private bool TryNextDescending(out RowEntry row)
    {
        var rows = _descending!;
        while (_descendingNext >= _descendingGroupEnd)
        {
            if (_descendingGroupStart == 0)
            {
                row = default;
                return false;
            }

            _descendingGroupEnd = _descendingGroupStart;
            _descendingGroupStart = GroupStart(rows, _descendingGroupEnd);
            _descendingNext = _descendingGroupStart;
        }

        row = rows[_descendingNext++];
        return true;
    }

    /// <summary>Every row of the range, in table order, read with the ascending walk.</summary>
    private static List<RowEntry> Snapshot(KvTable table, KeyBound start, KeyBound end)
    {
        var rows = new List<RowEntry>();
        var ascending = new KvTableIterator(table, start, end, IterationOrder.Ascending);
        while (ascending.TryNext(out var row))
        {
            rows.Add(row);
        }

        return rows;
    }

    /// <summary>The index where the key group ending just before <paramref name="end"/> starts.</summary>
    private static int GroupStart(List<RowEntry> rows, int end)
    {
        if (end == 0)
        {
            return 0;
        }

        var key = rows[end - 1].Key.Span;
        var start = end - 1;
        while (start > 0 && rows[start - 1].Key.Span.SequenceEqual(key))
        {
            start--;
        }

        return start;
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
