using SlateDB.Format;
using SlateDB.Format.Rows;

namespace SlateDB.Wal;

/// <summary>
/// The rows written since the last WAL flush, in sequence order; written as one WAL object when flushed. Appended to
/// under the engine's write lock; swapped for an empty buffer when a flush takes it.
/// </summary>
internal sealed class WalBuffer
{
    // Per data block: its CRC-32 and row count, and its entry in the index (offset and 8-byte first seq, as a
    // flatbuffer table with its vector and offset): 48 bytes or less.
    private const int BlockOverhead = 64;

    // Index and info flatbuffers' fixed parts, their CRCs and the 10-byte footer.
    private const int FixedOverhead = 1024;

    // A block closes when the next row does not fit in 4 KiB, so two neighbouring blocks hold more than 4 KiB
    // between them: there are at most rowBytes / 2 KiB + 1 blocks.
    private const int HalfBlock = 2048;

    private readonly List<RowEntry> _rows = [];
    private long _rowBytes;

    /// <summary>
    /// At least the size of the WAL object the rows make without compression (their encoding, block trailers, index,
    /// info and footer), and close to it: the writer sizes the object's buffer with it.
    /// </summary>
    public long EstimatedSize => _rows.Count == 0 ? 0 : _rowBytes + (((_rowBytes / HalfBlock) + 1) * BlockOverhead) + FixedOverhead;

    public int Count => _rows.Count;

    public bool IsEmpty => _rows.Count == 0;

    /// <summary>The highest sequence number in the buffer (0 when empty).</summary>
    public ulong LastSeq { get; private set; }

    public IReadOnlyList<RowEntry> Rows => _rows;

    public void Append(in RowEntry row)
    {
        _rows.Add(row);
        LastSeq = row.Seq;
        _rowBytes += EncodedSizeBound(row);
    }

    /// <summary>Empties the buffer for reuse (its list keeps its capacity).</summary>
    public void Clear()
    {
        _rows.Clear();
        _rowBytes = 0;
        LastSeq = 0;
    }

    /// <summary>
    /// At least the bytes the row takes in a WAL block: its block V2 encoding sharing no key bytes, plus the u16
    /// offset a restart point records.
    /// </summary>
    public static long EncodedSizeBound(in RowEntry row) => RowCodecV2.EncodedSize(row, 0) + sizeof(ushort);
}
