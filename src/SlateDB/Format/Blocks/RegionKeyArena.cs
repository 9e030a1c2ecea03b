namespace SlateDB.Format.Blocks;

/// <summary>
/// Space for the keys a <see cref="BlockIteratorV2"/> rebuilds, carved from rented chunks instead of a new array per
/// restart region (a compaction's largest allocation otherwise). Whoever gives the iterator an arena decides when the
/// rows over it are no longer read: <see cref="ReleaseFilled"/> hands on the chunks filled so far at a point where no
/// row of theirs is still handed out (a block boundary: every row of the blocks left was returned already), and
/// <see cref="ReleaseAll"/> also the chunk being filled (the reader is done). Released chunks go to the release
/// callback, which keeps them until the rows taken from them are consumed (see <c>Iterators.BlockBuffers</c>).
/// Not thread-safe (one reader).
/// </summary>
internal sealed class RegionKeyArena
{
    /// <summary>Bytes per chunk: the rebuilt keys of many regions (about a kilobyte per 4 KiB block of short keys).</summary>
    internal const int ChunkSize = 16 * 1024;

    private readonly Func<int, byte[]> _rent;
    private readonly Action<byte[]> _release;
    private readonly List<byte[]> _filled = [];
    private byte[]? _chunk;
    private int _used;

    /// <param name="rent">Rents a chunk of at least the given length.</param>
    /// <param name="release">Takes a chunk the arena no longer writes or hands out.</param>
    public RegionKeyArena(Func<int, byte[]> rent, Action<byte[]> release)
    {
        _rent = rent;
        _release = release;
    }

    /// <summary>Space for <paramref name="length"/> bytes, not shared with anything allocated before.</summary>
    public Memory<byte> Allocate(int length)
    {
        if (_chunk is null || _chunk.Length - _used < length)
        {
            if (_chunk is not null)
            {
                _filled.Add(_chunk);
            }

            _chunk = _rent(Math.Max(length, ChunkSize));
            _used = 0;
        }

        var space = _chunk.AsMemory(_used, length);
        _used += length;
        return space;
    }

    /// <summary>Releases the chunks filled up so far (the one being filled stays).</summary>
    public void ReleaseFilled()
    {
        foreach (var chunk in _filled)
        {
            _release(chunk);
        }

        _filled.Clear();
    }

    /// <summary>Releases every chunk, the one being filled included; a later allocation rents a new one.</summary>
    public void ReleaseAll()
    {
        ReleaseFilled();
        if (_chunk is { } chunk)
        {
            _chunk = null;
            _used = 0;
            _release(chunk);
        }
    }
}
