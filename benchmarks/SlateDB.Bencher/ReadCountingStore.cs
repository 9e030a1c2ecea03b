using SlateDB.Storage;

namespace SlateDB.Bencher;

/// <summary>
/// Counts the reads (GET, ranged GET, HEAD) passing through it, the most in flight at once, and the summed time they
/// were in flight (busy time ÷ wall time is the mean number in flight, by Little's law).
/// </summary>
internal sealed class ReadCountingStore(IObjectStore inner) : IObjectStore
{
    private long _reads;
    private long _inFlight;
    private long _peak;
    private long _busyTicks;

    public long Reads => Interlocked.Read(ref _reads);

    public long PeakInFlight => Interlocked.Read(ref _peak);

    public TimeSpan Busy => TimeSpan.FromTicks(Interlocked.Read(ref _busyTicks) * TimeSpan.TicksPerSecond / System.Diagnostics.Stopwatch.Frequency);

    public void Reset()
    {
        Interlocked.Exchange(ref _reads, 0);
        Interlocked.Exchange(ref _peak, Interlocked.Read(ref _inFlight));
        Interlocked.Exchange(ref _busyTicks, 0);
    }

    public ValueTask<ObjectContent?> GetAsync(string path, CancellationToken cancellationToken) => CountAsync(() => inner.GetAsync(path, cancellationToken));

    public ValueTask<ObjectContent?> GetRangeAsync(string path, ByteRange range, CancellationToken cancellationToken) =>
        CountAsync(() => inner.GetRangeAsync(path, range, cancellationToken));

    public ValueTask<ObjectMetadata?> HeadAsync(string path, CancellationToken cancellationToken) => CountAsync(() => inner.HeadAsync(path, cancellationToken));

    public ValueTask<PutResult> PutAsync(string path, ReadOnlyMemory<byte> data, PutMode mode, CancellationToken cancellationToken) =>
        inner.PutAsync(path, data, mode, cancellationToken);

    public ValueTask DeleteAsync(string path, CancellationToken cancellationToken) => inner.DeleteAsync(path, cancellationToken);

    public IAsyncEnumerable<ObjectMetadata> ListAsync(string prefix, CancellationToken cancellationToken) => inner.ListAsync(prefix, cancellationToken);

    private async ValueTask<T> CountAsync<T>(Func<ValueTask<T>> read)
    {
        Interlocked.Increment(ref _reads);
        var now = Interlocked.Increment(ref _inFlight);
        long peak;
        while (now > (peak = Interlocked.Read(ref _peak)) && Interlocked.CompareExchange(ref _peak, now, peak) != peak)
        {
        }

        var start = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            return await read().ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Add(ref _busyTicks, System.Diagnostics.Stopwatch.GetTimestamp() - start);
            Interlocked.Decrement(ref _inFlight);
        }
    }
}
