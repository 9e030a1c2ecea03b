namespace SlateDB.Iterators;

/// <summary>
/// How a scan fetches blocks: bytes per read (adjacent blocks together), reads in flight, caching, and the cap up to
/// which a sequential scan grows its reads (<see cref="ReadAheadWindow"/>; at or below
/// <see cref="ReadAheadBytes"/>, reads never grow). With <see cref="Buffers"/> (a compaction, which caches nothing), blocks
/// read ahead stay stored until the iterator reaches each and are read and decoded into reused buffers; the consumer
/// of the rows then owns their lifetimes (see <see cref="BlockBuffers"/>).
/// </summary>
internal readonly record struct BlockFetch(long ReadAheadBytes, int MaxFetchTasks, bool CacheBlocks, long MaxReadAheadBytes = 0, BlockBuffers? Buffers = null)
{
    public static BlockFetch Default => new(1, 1, false);

    /// <summary>The fetch settings of a scan with <paramref name="options"/>.</summary>
    public static BlockFetch From(ScanOptions options) =>
        new(Math.Max(1, options.ReadAheadBytes), Math.Max(1, options.MaxFetchTasks), options.CacheBlocks, Math.Max(0, options.MaxReadAheadBytes));
}

/// <summary>
/// The size of the reads one SST iterator starts (adaptive read-ahead, after RocksDB's automatic read-ahead). It
/// starts at <see cref="BlockFetch.ReadAheadBytes"/>. Each time the reader has used up every block of one read and
/// moves on to the next, the scan has shown it is sequential: the size doubles, from at least the size of the last read
/// started, up to <see cref="BlockFetch.MaxReadAheadBytes"/>. The first read an iterator takes grows nothing, so an
/// SST's first two reads (the one waited for and the one started behind it) keep the configured size, and a short scan
/// makes as many requests as it would without growth. Only the request count of long scans drops.
/// </summary>
internal struct ReadAheadWindow
{
    private readonly long _max;
    private long _bytes;
    private bool _tookOne;

    /// <summary>A window for <paramref name="fetch"/>, starting at <paramref name="carried"/> when that is larger (a sorted run's next SST continues where the last one got).</summary>
    public ReadAheadWindow(BlockFetch fetch, long carried)
    {
        _bytes = Math.Max(fetch.ReadAheadBytes, Math.Min(carried, fetch.MaxReadAheadBytes));
        _max = Math.Max(fetch.MaxReadAheadBytes, _bytes);
    }

    /// <summary>The budget of the next read, in bytes (a read always takes at least one block).</summary>
    public readonly long Bytes => _bytes;

    /// <summary>
    /// The reader takes the next fetched read; <paramref name="lastStartedBytes"/> is the size of the last read started.
    /// From the second read taken on, the budget doubles up to the cap.
    /// </summary>
    public void OnReadTaken(long lastStartedBytes)
    {
        if (!_tookOne)
        {
            _tookOne = true;
            return;
        }

        if (_bytes < _max)
        {
            var grown = Math.Max(_bytes, lastStartedBytes);
            _bytes = grown >= _max / 2 ? _max : grown * 2;
        }
    }
}
