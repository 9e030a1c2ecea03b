namespace SlateDB.Storage;

/// <summary>
/// Read backpressure: at most a fixed number of object-store reads (<c>GET</c>, ranged <c>GET</c>, <c>HEAD</c>) in
/// flight at once; a read past the cap waits for a slot before its request starts. A cold start of a large database
/// (many gets and scans missing every cache at once) then holds at most that many response buffers, instead of one per
/// concurrent block miss. Writes, deletes and listings are not limited: the write path has its own backpressure
/// (unflushed bytes), and holding a writer behind readers would stall durability.
/// </summary>
/// <remarks>
/// A slot is held only while the inner store's call runs, never across calls, so nested or sequential reads by one
/// caller cannot deadlock. A read cancelled while waiting for a slot throws <see cref="OperationCanceledException"/>
/// and leaves the count unchanged.
/// </remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "A SemaphoreSlim holds no unmanaged resource unless its AvailableWaitHandle is read, which this class never does.")]
internal sealed partial class ReadLimitingObjectStore : IObjectStore, IStreamingPut
{
    private readonly IObjectStore _inner;
    private readonly SemaphoreSlim _slots;
    private int _inFlight;
    private int _peakInFlight;
    private long _waited;

    public ReadLimitingObjectStore(IObjectStore inner, int maxInFlightReads)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxInFlightReads, 1);
        _inner = inner;
        MaxInFlightReads = maxInFlightReads;
        _slots = new SemaphoreSlim(maxInFlightReads, maxInFlightReads);
    }

    /// <summary>The cap.</summary>
    public int MaxInFlightReads { get; }

    /// <summary>The most reads that were in flight at once since creation.</summary>
    public int PeakInFlightReads => Volatile.Read(ref _peakInFlight);

    /// <summary>How many reads had to wait for a slot.</summary>
    public long ReadsThatWaited => Interlocked.Read(ref _waited);

    public async ValueTask<ObjectContent?> GetAsync(string path, CancellationToken cancellationToken)
    {
        await EnterAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await _inner.GetAsync(path, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Exit();
        }
    }

    /// <remarks>
    /// With a free slot and an inner read that completes synchronously (a local block read), no async state machine
    /// runs: block misses are the hot path of cold reads.
    /// </remarks>
    public ValueTask<ObjectContent?> GetRangeAsync(string path, ByteRange range, CancellationToken cancellationToken)
    {
        if (!_slots.Wait(0, CancellationToken.None))
        {
            Interlocked.Increment(ref _waited);
            return GetRangeAfterWaitAsync(path, range, cancellationToken);
        }

        Entered();
        ValueTask<ObjectContent?> pending;
        try
        {
            pending = _inner.GetRangeAsync(path, range, cancellationToken);
        }
        catch (Exception exception)
        {
            Exit();
            return ValueTask.FromException<ObjectContent?>(exception); // As an async method reports it.
        }

        if (pending.IsCompletedSuccessfully)
        {
            var content = pending.Result;
            Exit();
            return new(content);
        }

        return ExitWhenDoneAsync(pending);
    }

    private async ValueTask<ObjectContent?> GetRangeAfterWaitAsync(string path, ByteRange range, CancellationToken cancellationToken)
    {
        await WaitForSlotAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await _inner.GetRangeAsync(path, range, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Exit();
        }
    }

    private async ValueTask<ObjectContent?> ExitWhenDoneAsync(ValueTask<ObjectContent?> pending)
    {
        try
        {
            return await pending.ConfigureAwait(false);
        }
        finally
        {
            Exit();
        }
    }

    public async ValueTask<ObjectMetadata?> HeadAsync(string path, CancellationToken cancellationToken)
    {
        await EnterAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await _inner.HeadAsync(path, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Exit();
        }
    }

    public ValueTask<PutResult> PutAsync(string path, ReadOnlyMemory<byte> data, PutMode mode, CancellationToken cancellationToken)
        => _inner.PutAsync(path, data, mode, cancellationToken);

    public ValueTask DeleteAsync(string path, CancellationToken cancellationToken) => _inner.DeleteAsync(path, cancellationToken);

    /// <inheritdoc/>
    IStreamingObjectWriter? IStreamingPut.TryStartPut(string path) => (_inner as IStreamingPut)?.TryStartPut(path);

    public IAsyncEnumerable<ObjectMetadata> ListAsync(string prefix, CancellationToken cancellationToken) => _inner.ListAsync(prefix, cancellationToken);

    private ValueTask EnterAsync(CancellationToken cancellationToken)
    {
        // The uncontended case takes a slot synchronously: local reads that complete synchronously stay synchronous.
        if (_slots.Wait(0, CancellationToken.None))
        {
            Entered();
            return ValueTask.CompletedTask;
        }

        Interlocked.Increment(ref _waited);
        return WaitForSlotAsync(cancellationToken);
    }

    private async ValueTask WaitForSlotAsync(CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        Entered();
    }

    private void Entered()
    {
        var now = Interlocked.Increment(ref _inFlight);
        var peak = Volatile.Read(ref _peakInFlight);
        while (now > peak)
        {
            var seen = Interlocked.CompareExchange(ref _peakInFlight, now, peak);
            if (seen == peak)
            {
                break;
            }

            peak = seen;
        }
    }

    private void Exit()
    {
        Interlocked.Decrement(ref _inFlight);
        _slots.Release();
    }
}
