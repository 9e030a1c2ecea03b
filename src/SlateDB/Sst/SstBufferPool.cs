namespace SlateDB.Sst;

/// <summary>
/// A small pool of the large arrays SSTs are built into, one per database (<see cref="TableStore"/>), so that L0
/// flushes and compactions reuse a few buffers instead of leaving one large-object-heap array per SST for a full GC to
/// find. A buffer goes back only through <see cref="EncodedSst.Release"/>, which the writer calls once the SST's upload
/// has returned successfully and nothing holds the bytes any more; a failed or abandoned upload leaves its buffer to
/// the GC, since a store might still be reading it. The pool is bounded: at most <see cref="MaxBuffers"/> buffers and
/// <see cref="MaxPooledBytes"/> bytes are kept; a buffer that does not fit is dropped.
/// </summary>
internal sealed class SstBufferPool
{
    /// <summary>Requests below this size are not pooled: their arrays are small and cheap to collect.</summary>
    public const int MinPooledSize = 1024 * 1024;

    private readonly List<byte[]> _free = [];
    private readonly object _gate = new();
    private long _pooledBytes;

    /// <summary>
    /// The idle bytes a database's pool keeps: a quarter of <see cref="SlateDbOptions.MemoryBudgetBytes"/> when a
    /// budget is set (at least 16 MiB), otherwise 640 MiB (two compacted SSTs of the default 256 MiB plus two L0 SSTs).
    /// </summary>
    public static long MaxPooledBytesFor(SlateDbOptions options) =>
        options.MemoryBudgetBytes is { } budget ? Math.Max(budget / 4, 16L * 1024 * 1024) : 640L * 1024 * 1024;

    /// <param name="maxBuffers">How many idle buffers are kept at most.</param>
    /// <param name="maxPooledBytes">How many bytes of idle buffers are kept at most.</param>
    public SstBufferPool(int maxBuffers = 4, long maxPooledBytes = 640L * 1024 * 1024)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxBuffers);
        ArgumentOutOfRangeException.ThrowIfNegative(maxPooledBytes);
        MaxBuffers = maxBuffers;
        MaxPooledBytes = maxPooledBytes;
    }

    public int MaxBuffers { get; }

    public long MaxPooledBytes { get; }

    /// <summary>Idle buffers in the pool now.</summary>
    public int PooledCount
    {
        get
        {
            lock (_gate)
            {
                return _free.Count;
            }
        }
    }

    /// <summary>Bytes of idle buffers in the pool now.</summary>
    public long PooledBytes
    {
        get
        {
            lock (_gate)
            {
                return _pooledBytes;
            }
        }
    }

    /// <summary>
    /// A buffer of at least <paramref name="minimumLength"/> bytes, not zeroed: the smallest idle one that fits, or a
    /// new one (rounded up, so that SSTs of similar sizes can share it). Small requests get a plain new array.
    /// </summary>
    public byte[] Rent(int minimumLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(minimumLength);
        if (minimumLength < MinPooledSize)
        {
            return GC.AllocateUninitializedArray<byte>(minimumLength);
        }

        lock (_gate)
        {
            var best = -1;
            for (var i = 0; i < _free.Count; i++)
            {
                if (_free[i].Length >= minimumLength && (best < 0 || _free[i].Length < _free[best].Length))
                {
                    best = i;
                }
            }

            if (best >= 0)
            {
                var buffer = _free[best];
                _free.RemoveAt(best);
                _pooledBytes -= buffer.Length;
                return buffer;
            }
        }

        return GC.AllocateUninitializedArray<byte>(RoundUp(minimumLength));
    }

    /// <summary>
    /// Takes back a buffer nothing references any more (the caller's promise). Small, surplus or oversize buffers are
    /// dropped for the GC.
    /// </summary>
    public void Return(byte[] buffer)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        if (buffer.Length < MinPooledSize)
        {
            return;
        }

        lock (_gate)
        {
            for (var i = 0; i < _free.Count; i++)
            {
                if (ReferenceEquals(_free[i], buffer))
                {
                    throw new InvalidOperationException("An SST buffer was returned to the pool twice.");
                }
            }

            if (_free.Count >= MaxBuffers || _pooledBytes + buffer.Length > MaxPooledBytes)
            {
                return;
            }

            _free.Add(buffer);
            _pooledBytes += buffer.Length;
        }
    }

    /// <summary>Rounds a size up to a whole MiB, or to 4 MiB past 16 MiB, without passing the largest array.</summary>
    private static int RoundUp(int length)
    {
        long step = length > 16 * 1024 * 1024 ? 4 * 1024 * 1024 : 1024 * 1024;
        return (int)Math.Min(Array.MaxLength, (length + step - 1) / step * step);
    }
}
