namespace SlateDB.Memtable;

/// <summary>
/// The bytes of a memtable's rows (see <see cref="StoredRow"/>), copied into chunks that never move and addressed by
/// a <c>uint</c>: the chunk number in the high 14 bits and the offset in 4-byte units in the low 18. One writer
/// allocates; any number of readers resolve addresses concurrently.
/// </summary>
/// <remarks>
/// <para>Chunks start at 4 KiB and double up to 1 MiB, so small tables stay small and a full one is a few dozen
/// arrays holding no references: the garbage collector neither scans nor moves per-row objects. A row larger than a
/// quarter chunk gets a chunk of its own (the current chunk keeps its free space). Chunks are allocated without
/// zeroing: only bytes the writer wrote are ever read.</para>
/// <para>Readers may only resolve an address they obtained through a release/acquire publication (a
/// <see cref="Volatile"/> write of the address, or of a link to a node holding it, after the row was written): the
/// chunk directory is published before any address in it.</para>
/// </remarks>
internal sealed class RowArena
{
    private const int OffsetBits = 18;
    private const uint OffsetMask = (1u << OffsetBits) - 1;
    private const int MaxChunkLength = 4 << OffsetBits;
    private const int MaxChunks = 1 << (32 - OffsetBits);
    private const int FirstChunkLength = 4096;
    private const int OwnChunkThreshold = MaxChunkLength / 4;

    // Directory of chunks; replaced by a bigger copy when full and published with Volatile.Write.
    private byte[][] _chunks = new byte[8][];

    // Writer-only state.
    private int _chunkCount;
    private byte[] _current = [];
    private int _currentIndex = -1;
    private int _used;

    /// <summary>Bytes held by the chunks (allocated, used or not).</summary>
    public long AllocatedBytes { get; private set; }

    /// <summary>
    /// Reserves <paramref name="length"/> bytes (writer only): returns their address and where to write them.
    /// </summary>
    /// <exception cref="InvalidOperationException">The arena already holds the most chunks it can address.</exception>
    public uint Allocate(int length, out byte[] chunk, out int offset)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (length > OwnChunkThreshold)
        {
            chunk = GC.AllocateUninitializedArray<byte>(length);
            offset = 0;
            return Address(AddChunk(chunk), 0);
        }

        var start = (_used + 3) & ~3;
        if (start + length > _current.Length)
        {
            var size = Math.Min(MaxChunkLength, Math.Max(FirstChunkLength, _current.Length * 2));
            while (size < length)
            {
                size *= 2;
            }

            _current = GC.AllocateUninitializedArray<byte>(size);
            _currentIndex = AddChunk(_current);
            start = 0;
        }

        _used = start + length;
        chunk = _current;
        offset = start;
        return Address(_currentIndex, start);
    }

    /// <summary>The chunk holding <paramref name="address"/>.</summary>
    public byte[] ChunkOf(uint address) => Volatile.Read(ref _chunks)[address >> OffsetBits];

    /// <summary>The byte offset of <paramref name="address"/> in its chunk.</summary>
    public static int OffsetOf(uint address) => (int)(address & OffsetMask) << 2;

    private static uint Address(int chunkIndex, int offset) => ((uint)chunkIndex << OffsetBits) | ((uint)offset >> 2);

    private int AddChunk(byte[] chunk)
    {
        if (_chunkCount == MaxChunks)
        {
            throw new InvalidOperationException("The memtable's row arena is full.");
        }

        var directory = _chunks;
        if (_chunkCount == directory.Length)
        {
            var bigger = new byte[directory.Length * 2][];
            Array.Copy(directory, bigger, directory.Length);
            bigger[_chunkCount] = chunk;
            Volatile.Write(ref _chunks, bigger);
        }
        else
        {
            // Readers cannot look at this slot before an address in it is published (with release semantics).
            directory[_chunkCount] = chunk;
        }

        AllocatedBytes += chunk.Length;
        return _chunkCount++;
    }
}
