using SlateDB.Format;
using SlateDB.Memtable;

namespace SlateDB.Tests.Memtable;

/// <summary>A plain sorted model of a KvTable: (key ascending, seq descending) -> row, with the same replace rule.</summary>
internal sealed class KvTableModel
{
    private readonly SortedDictionary<(byte[] Key, ulong Seq), RowEntry> _rows = new(new EntryComparer());

    public int Count => _rows.Count;

    public IEnumerable<RowEntry> All => _rows.Values;

    /// <summary>The largest create timestamp ever put (replaced rows included), or long.MinValue.</summary>
    public long MaxCreateTs { get; private set; } = long.MinValue;

    public void Put(RowEntry row)
    {
        _rows[(row.Key.ToArray(), row.Seq)] = row;
        if (row.CreateTs is { } ts && ts > MaxCreateTs)
        {
            MaxCreateTs = ts;
        }
    }

    /// <summary>The newest version of the key with a seq at most maxSeq (a linear scan: fine for test sizes).</summary>
    public RowEntry? Get(byte[] key, ulong maxSeq)
    {
        foreach (var ((k, seq), row) in _rows)
        {
            if (seq <= maxSeq && k.AsSpan().SequenceEqual(key))
            {
                return row;
            }
        }

        return null;
    }

    /// <summary>The rows a range iteration must yield, in order (versions newest first within a key).</summary>
    public List<RowEntry> Range(KeyBound start, KeyBound end, IterationOrder order)
    {
        var inRange = _rows.Where(e => AboveStart(e.Key.Key, start) && BelowEnd(e.Key.Key, end)).ToList();
        if (order == IterationOrder.Ascending)
        {
            return inRange.Select(e => e.Value).ToList();
        }

        // Keys descending, versions still newest first: reverse the runs of equal keys, not the versions.
        var result = new List<RowEntry>(inRange.Count);
        var runEnd = inRange.Count;
        while (runEnd > 0)
        {
            var runStart = runEnd - 1;
            while (runStart > 0 && inRange[runStart - 1].Key.Key.AsSpan().SequenceEqual(inRange[runEnd - 1].Key.Key))
            {
                runStart--;
            }

            result.AddRange(inRange.GetRange(runStart, runEnd - runStart).Select(e => e.Value));
            runEnd = runStart;
        }

        return result;
    }

    public static int CompareKeys(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b) => a.SequenceCompareTo(b);

    private static bool AboveStart(byte[] key, KeyBound start) => start.Kind switch
    {
        BoundKind.Included => CompareKeys(key, start.Key.Span) >= 0,
        BoundKind.Excluded => CompareKeys(key, start.Key.Span) > 0,
        _ => true,
    };

    private static bool BelowEnd(byte[] key, KeyBound end) => end.Kind switch
    {
        BoundKind.Included => CompareKeys(key, end.Key.Span) <= 0,
        BoundKind.Excluded => CompareKeys(key, end.Key.Span) < 0,
        _ => true,
    };

    private sealed class EntryComparer : IComparer<(byte[] Key, ulong Seq)>
    {
        public int Compare((byte[] Key, ulong Seq) x, (byte[] Key, ulong Seq) y)
        {
            var c = CompareKeys(x.Key, y.Key);
            return c != 0 ? c : y.Seq.CompareTo(x.Seq);
        }
    }
}
