using System.Collections;
using System.Diagnostics;
using System.Runtime.InteropServices;
using SlateDB.Format;
using SlateDB.Format.Rows;
using SlateDB.Memtable;

namespace SlateDB.Wal;

/// <summary>
/// The rows written since the last WAL flush, in sequence order; written as one WAL object when flushed. Appended to
/// under the engine's write lock; swapped for an empty buffer when a flush takes it.
/// </summary>
/// <remarks>
/// A row is kept as a reference to its copy in the memtable's <see cref="RowArena"/> (chunk, offset, key length and
/// seq: 24 bytes, where a <see cref="RowEntry"/> takes 80) and decoded again when the flush reads
/// <see cref="Rows"/>: a buffer that grows to hundreds of thousands of rows while a WAL write is slow then holds a
/// third of the memory. The rows read back are the rows appended (same key, value, kind, seq and timestamps).
/// </remarks>
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

    // A list that grew past this many rows (6 MiB) is dropped when the buffer is cleared, not kept for reuse.
    private const int MaxRetainedCapacity = 256 * 1024;

    // Rows appended with Append (not from a memtable) are copied into chunks of this size.
    private const int OwnChunkLength = 64 * 1024;

    private List<BufferedRow> _rows = [];
    private long _rowBytes;
    private byte[]? _ownChunk;
    private int _ownUsed;

    /// <summary>
    /// At least the size of the WAL object the rows make without compression (their encoding, block trailers, index,
    /// info and footer), and close to it: the writer sizes the object's buffer with it.
    /// </summary>
    public long EstimatedSize => _rows.Count == 0 ? 0 : _rowBytes + (((_rowBytes / HalfBlock) + 1) * BlockOverhead) + FixedOverhead;

    public int Count => _rows.Count;

    public bool IsEmpty => _rows.Count == 0;

    /// <summary>The highest sequence number in the buffer (0 when empty).</summary>
    public ulong LastSeq { get; private set; }

    /// <summary>The rows in append order, decoded as they are read.</summary>
    public IReadOnlyList<RowEntry> Rows => new RowsView(_rows);

    /// <summary>
    /// Appends a row as a memtable stores it: <paramref name="stored"/> is the row <see cref="KvTable.Put(in RowEntry, out RowEntry)"/>
    /// returned (its key and value are slices of the table's <see cref="StoredRow"/> copy, which never changes).
    /// </summary>
    public void AppendStored(in RowEntry stored)
    {
        var found = MemoryMarshal.TryGetArray(stored.Key, out var key);
        Debug.Assert(found && key.Array is not null, "A stored row's key is a slice of its arena chunk.");
        var rowOffset = key.Offset - StoredRow.HeaderLength(stored);
        Debug.Assert(StoredRow.Read(key.Array!, rowOffset, key.Count, stored.Seq) == stored, "The row is laid out as StoredRow writes it.");
        Add(new BufferedRow(key.Array!, rowOffset, key.Count, stored.Seq), stored);
    }

    /// <summary>Appends any row: its bytes are copied into the buffer's own chunks (tests and tools; writes use <see cref="AppendStored"/>).</summary>
    public void Append(in RowEntry row)
    {
        var length = StoredRow.Length(row);
        if (_ownChunk is null || _ownUsed + length > _ownChunk.Length)
        {
            _ownChunk = new byte[Math.Max(OwnChunkLength, length)];
            _ownUsed = 0;
        }

        StoredRow.Write(_ownChunk, _ownUsed, row);
        Add(new BufferedRow(_ownChunk, _ownUsed, row.Key.Length, row.Seq), row);
        _ownUsed += length;
    }

    /// <summary>Empties the buffer for reuse (its list keeps its capacity unless that grew unusually large).</summary>
    public void Clear()
    {
        if (_rows.Capacity > MaxRetainedCapacity)
        {
            _rows = [];
        }
        else
        {
            _rows.Clear();
        }

        _ownChunk = null;
        _ownUsed = 0;
        _rowBytes = 0;
        LastSeq = 0;
    }

    private void Add(in BufferedRow buffered, in RowEntry row)
    {
        _rows.Add(buffered);
        LastSeq = row.Seq;
        _rowBytes += EncodedSizeBound(row);
    }

    /// <summary>
    /// At least the bytes the row takes in a WAL block: its block V2 encoding sharing no key bytes, plus the u16
    /// offset a restart point records.
    /// </summary>
    public static long EncodedSizeBound(in RowEntry row) => RowCodecV2.EncodedSize(row, 0) + sizeof(ushort);

    /// <summary>A buffered row: where its <see cref="StoredRow"/> copy is, and the parts of it kept outside the copy.</summary>
    private readonly record struct BufferedRow(byte[] Chunk, int Offset, int KeyLength, ulong Seq)
    {
        public RowEntry Decode() => StoredRow.Read(Chunk, Offset, KeyLength, Seq);
    }

    /// <summary>The rows of a buffer, decoded on each read.</summary>
    private sealed class RowsView(List<BufferedRow> rows) : IReadOnlyList<RowEntry>
    {
        public int Count => rows.Count;

        public RowEntry this[int index] => rows[index].Decode();

        public IEnumerator<RowEntry> GetEnumerator()
        {
            for (var i = 0; i < rows.Count; i++)
            {
                yield return rows[i].Decode();
            }
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
