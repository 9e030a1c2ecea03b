using System.Buffers;

namespace SlateDB.Iterators;

/// <summary>
/// Buffers a merge reads and decodes blocks into, reused instead of allocated per read and per block (a compaction's
/// read-ahead otherwise allocates a large-object-heap array per read and, compressed, a new array per block).
/// </summary>
/// <remarks>
/// Lifetimes: an SST iterator rents a read buffer per read and, for a compressed SST, one per block it decodes; when it
/// leaves a read (all its blocks used) it <see cref="Retire"/>s the read's buffers. A retired buffer may still back the
/// rows the merge's consumer holds (the key it is gathering, rows queued for the output), so it is not reusable yet:
/// the consumer moves them away (<see cref="MoveRetiredTo"/>) at a point where it has handed on every row it took before, and
/// <see cref="Return"/>s them once whatever it handed the rows to is done with them. <see cref="Retire"/> and
/// <see cref="MoveRetiredTo"/> run in the merge's flow (one at a time); <see cref="Rent"/> and <see cref="Return"/> are
/// thread-safe. A buffer a failed or abandoned read may still write into is never retired: it is left to the GC.
/// </remarks>
internal sealed class BlockBuffers
{
    /// <summary>Arrays larger than this are not kept (a read-ahead far beyond the default 1 MiB).</summary>
    private const int MaxPooledLength = 4 * 1024 * 1024;

    private readonly ArrayPool<byte> _pool;
    private readonly List<byte[]> _retired = [];
    private readonly bool _poison;
    private long _returned;

    /// <param name="poisonReturned">Overwrite every buffer that comes back (tests: a buffer returned too early shows as corrupt rows).</param>
    public BlockBuffers(bool poisonReturned = false)
        : this(pool: null, poisonReturned)
    {
    }

    /// <param name="pool">
    /// Where the arrays come from and go back to: one shared by many merges (<see cref="NewSharedPool"/>; thread-safe),
    /// so their read buffers are reused from one compaction to the next; null: a pool of this merge's own.
    /// </param>
    /// <param name="poisonReturned">As above.</param>
    public BlockBuffers(ArrayPool<byte>? pool, bool poisonReturned)
    {
        _pool = pool ?? ArrayPool<byte>.Create(MaxPooledLength, maxArraysPerBucket: 64);
        _poison = poisonReturned;
    }

    /// <summary>
    /// A pool for many merges' buffers (the compactions of a database under a memory budget): at most
    /// <paramref name="maxArraysPerBucket"/> idle arrays of each power-of-two size up to 4 MiB are kept.
    /// </summary>
    public static ArrayPool<byte> NewSharedPool(int maxArraysPerBucket) => ArrayPool<byte>.Create(MaxPooledLength, maxArraysPerBucket);

    /// <summary>How many buffers came back so far.</summary>
    public long Returned => Interlocked.Read(ref _returned);

    /// <summary>Whether buffers were retired since the last <see cref="MoveRetiredTo"/>.</summary>
    public bool HasRetired => _retired.Count > 0;

    /// <summary>An array of at least <paramref name="length"/> bytes (not cleared).</summary>
    public byte[] Rent(int length) => _pool.Rent(length);

    /// <summary>Marks a buffer no longer read by its iterator; rows over it may still be held downstream.</summary>
    public void Retire(byte[] buffer) => _retired.Add(buffer);

    /// <summary>Moves the buffers retired so far to <paramref name="owner"/>, which returns them when nothing reads them.</summary>
    public void MoveRetiredTo(List<byte[]> owner)
    {
        owner.AddRange(_retired);
        _retired.Clear();
    }

    /// <summary>Takes back a buffer nothing references any more.</summary>
    public void Return(byte[] buffer)
    {
        if (_poison)
        {
            buffer.AsSpan().Fill(0xEE);
        }

        Interlocked.Increment(ref _returned);
        _pool.Return(buffer);
    }
}
