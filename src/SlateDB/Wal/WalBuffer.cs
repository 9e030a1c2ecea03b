using SlateDB.Format;

namespace SlateDB.Wal;

/// <summary>
/// The rows written since the last WAL flush, in sequence order; written as one WAL object when flushed. Appended to
/// under the engine's write lock; swapped for an empty buffer when a flush takes it.
/// </summary>
internal sealed class WalBuffer
{
    private readonly List<RowEntry> _rows = [];

    /// <summary>Estimated encoded size of the rows.</summary>
    public long EstimatedSize { get; private set; }

    public int Count => _rows.Count;

    public bool IsEmpty => _rows.Count == 0;

    /// <summary>The highest sequence number in the buffer (0 when empty).</summary>
    public ulong LastSeq { get; private set; }

    public IReadOnlyList<RowEntry> Rows => _rows;

    public void Append(in RowEntry row)
    {
        _rows.Add(row);
        LastSeq = row.Seq;
        EstimatedSize += EstimateSize(row);
    }

    /// <summary>Empties the buffer for reuse (its list keeps its capacity).</summary>
    public void Clear()
    {
        _rows.Clear();
        EstimatedSize = 0;
        LastSeq = 0;
    }

    /// <summary>Roughly the bytes the row takes in an SST (key, value, sequence, flags, timestamps, lengths).</summary>
    public static long EstimateSize(in RowEntry row) => row.Key.Length + row.Value.Length + 8 + 1 + 16 + 6;
}
