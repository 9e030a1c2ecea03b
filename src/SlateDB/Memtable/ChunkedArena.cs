using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace SlateDB.Memtable;

/// <summary>
/// An append-only store of <typeparamref name="T"/> slots in chunks that never move, addressed by an int that
/// encodes (chunk number, offset). One writer allocates; any number of readers resolve addresses concurrently.
/// </summary>
/// <remarks>
/// Chunks start small and double up to <c>1 &lt;&lt; offsetBits</c> slots, so small tables stay small and big
/// ones make few large allocations. A block of slots never straddles two chunks. Readers may only resolve an
/// address they obtained through a release/acquire publication (a <see cref="Volatile"/> write of the address
/// by the writer after it filled the slots): the chunk directory is published before any address in it.
/// </remarks>
internal sealed class ChunkedArena<T>
    where T : struct
{
    private readonly int _offsetBits;
    private readonly int _offsetMask;
    private readonly int _maxChunkLength;
    private readonly int _maxChunks;

    // Directory of chunks; replaced by a bigger copy when full and published with Volatile.Write.
    private T[][] _chunks;

    // Writer-only state.
    private int _chunkCount;
    private T[] _current;
    private int _used;

    // Slots in all chunks, allocated or not (written by the writer, read by anyone).
    private long _capacity;

    /// <summary>Creates an arena whose first chunk holds <paramref name="firstChunkLength"/> slots.</summary>
    public ChunkedArena(int offsetBits, int firstChunkLength)
    {
        if (offsetBits is < 4 or > 24)
        {
            throw new ArgumentOutOfRangeException(nameof(offsetBits));
        }

        _offsetBits = offsetBits;
        _maxChunkLength = 1 << offsetBits;
        _offsetMask = _maxChunkLength - 1;
        _maxChunks = 1 << (31 - offsetBits);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(firstChunkLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(firstChunkLength, _maxChunkLength);
        _current = new T[firstChunkLength];
        _chunks = new T[8][];
        _chunks[0] = _current;
        _chunkCount = 1;
        _capacity = firstChunkLength;
    }

    /// <summary>Slots in all the arena's chunks, used or not (any thread).</summary>
    public long CapacitySlots => Volatile.Read(ref _capacity);

    /// <summary>Reserves <paramref name="length"/> contiguous zeroed slots and returns the address of the first (writer only).</summary>
    public int Allocate(int length)
    {
        if (_used + length > _current.Length)
        {
            AddChunk(length);
        }

        var address = ((_chunkCount - 1) << _offsetBits) | _used;
        _used += length;
        return address;
    }

    /// <summary>The slot at <paramref name="address"/>; further slots of the same block follow it contiguously.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref T At(int address)
    {
        var chunk = Volatile.Read(ref _chunks)[address >> _offsetBits];
        return ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(chunk), address & _offsetMask);
    }

    private void AddChunk(int length)
    {
        if (length > _maxChunkLength)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, "Block is larger than a chunk.");
        }

        if (_chunkCount == _maxChunks)
        {
            throw new InvalidOperationException("The memtable arena is full.");
        }

        var size = Math.Min(_maxChunkLength, Math.Max(_current.Length * 2, length));
        var chunk = new T[size];
        var directory = _chunks;
        if (_chunkCount == directory.Length)
        {
            var bigger = new T[directory.Length * 2][];
            Array.Copy(directory, bigger, directory.Length);
            bigger[_chunkCount] = chunk;
            Volatile.Write(ref _chunks, bigger);
        }
        else
        {
            // Readers cannot look at this slot before an address in it is published (with release semantics).
            directory[_chunkCount] = chunk;
        }

        _chunkCount++;
        _current = chunk;
        _used = 0;
        Volatile.Write(ref _capacity, _capacity + size);
    }
}
