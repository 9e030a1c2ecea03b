using SlateDB.Storage;

namespace SlateDB.Tests.Read;

/// <summary>Counts ranged GETs and the most in flight at once (below the latency, so a delayed request counts as in flight).</summary>
internal sealed class InFlightCountingStore(IObjectStore inner) : IObjectStore
{
    private long _rangeGets;
    private int _inFlight;
    private int _peak;

    public long RangeGets => Interlocked.Read(ref _rangeGets);

    public int PeakInFlight => Volatile.Read(ref _peak);

    public void ResetPeak() => Volatile.Write(ref _peak, 0);

    public ValueTask<ObjectContent?> GetAsync(string path, CancellationToken cancellationToken) => inner.GetAsync(path, cancellationToken);

    public async ValueTask<ObjectContent?> GetRangeAsync(string path, ByteRange range, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _rangeGets);
        var now = Interlocked.Increment(ref _inFlight);
        int peak;
        while (now > (peak = Volatile.Read(ref _peak)) && Interlocked.CompareExchange(ref _peak, now, peak) != peak)
        {
        }

        try
        {
            await Task.Delay(5, cancellationToken).ConfigureAwait(false); // In flight for a while, as over a network.
            return await inner.GetRangeAsync(path, range, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    public ValueTask<ObjectMetadata?> HeadAsync(string path, CancellationToken cancellationToken) => inner.HeadAsync(path, cancellationToken);

    public ValueTask<PutResult> PutAsync(string path, ReadOnlyMemory<byte> data, PutMode mode, CancellationToken cancellationToken) => inner.PutAsync(path, data, mode, cancellationToken);

    public ValueTask DeleteAsync(string path, CancellationToken cancellationToken) => inner.DeleteAsync(path, cancellationToken);

    public IAsyncEnumerable<ObjectMetadata> ListAsync(string prefix, CancellationToken cancellationToken) => inner.ListAsync(prefix, cancellationToken);
}
