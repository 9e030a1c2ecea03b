using System.Runtime.CompilerServices;
using SlateDB.Storage;

namespace SlateDB.Testing;

/// <summary>
/// A testing tool: wraps an <see cref="IObjectStore"/> and adds latency and failures as a real, unreliable object store
/// would, from a seeded random source so a run can be repeated. Not for production use.
/// </summary>
/// <remarks>
/// <para>Faults (see <see cref="FaultInjectionOptions"/>): transient failures before the request reaches the wrapped
/// store, lost responses (the request is applied, then a transient failure is thrown), and permanent failures.
/// <see cref="FailAll"/> simulates an outage: while set, every request fails transiently without reaching the store.
/// Both <see cref="Options"/> and <see cref="FailAll"/> can be changed at any time, from any thread.</para>
/// <para>Reproducibility: each selected request takes exactly two draws from the random source, in call order, so the
/// same seed and the same sequence of calls give the same faults and delays. Concurrent callers interleave their
/// draws in whatever order they arrive.</para>
/// </remarks>
public sealed class FaultInjectingObjectStore : IObjectStore
{
    private readonly IObjectStore _inner;
    private readonly Random _random;
    private readonly Lock _randomLock = new();
    private readonly TimeProvider _timeProvider;
    private volatile FaultInjectionOptions _options;
    private volatile bool _failAll;
    private long _selectedRequests;
    private long _transientFailures;
    private long _lostResponses;
    private long _permanentFailures;
    private long _outageFailures;

    /// <summary>Creates a fault-injecting wrapper.</summary>
    /// <param name="inner">The store requests are passed to.</param>
    /// <param name="options">Which faults to inject; none when null.</param>
    /// <param name="random">The seeded random source (used under a lock); seed 0 when null.</param>
    /// <param name="timeProvider">The clock added latency runs on; <see cref="TimeProvider.System"/> when null.</param>
    /// <exception cref="ArgumentException">A setting in <paramref name="options"/> is out of range.</exception>
    public FaultInjectingObjectStore(IObjectStore inner, FaultInjectionOptions? options = null, Random? random = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(inner);
        options ??= FaultInjectionOptions.None;
        options.Validate();
        _inner = inner;
        _options = options;
        _random = random ?? new Random(0);
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>The wrapped store.</summary>
    public IObjectStore Inner => _inner;

    /// <summary>The faults injected from now on; may be replaced at any time.</summary>
    /// <exception cref="ArgumentException">A setting is out of range.</exception>
    public FaultInjectionOptions Options
    {
        get => _options;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            value.Validate();
            _options = value;
        }
    }

    /// <summary>While true, every request fails transiently before reaching the wrapped store (an outage).</summary>
    public bool FailAll
    {
        get => _failAll;
        set => _failAll = value;
    }

    /// <summary>How many requests were selected for fault injection (outages not included).</summary>
    public long SelectedRequests => Interlocked.Read(ref _selectedRequests);

    /// <summary>How many transient failures were injected before a request reached the store.</summary>
    public long InjectedTransientFailures => Interlocked.Read(ref _transientFailures);

    /// <summary>How many requests were applied and then reported as failed.</summary>
    public long InjectedLostResponses => Interlocked.Read(ref _lostResponses);

    /// <summary>How many permanent failures were injected.</summary>
    public long InjectedPermanentFailures => Interlocked.Read(ref _permanentFailures);

    /// <summary>How many requests failed because <see cref="FailAll"/> was set.</summary>
    public long OutageFailures => Interlocked.Read(ref _outageFailures);

    /// <inheritdoc/>
    public ValueTask<ObjectContent?> GetAsync(string path, CancellationToken cancellationToken) =>
        RunAsync(FaultOperations.Get, path, path, static (inner, p, ct) => inner.GetAsync(p, ct), cancellationToken);

    /// <inheritdoc/>
    public ValueTask<ObjectContent?> GetRangeAsync(string path, ByteRange range, CancellationToken cancellationToken) =>
        RunAsync(FaultOperations.GetRange, path, (path, range), static (inner, s, ct) => inner.GetRangeAsync(s.path, s.range, ct), cancellationToken);

    /// <inheritdoc/>
    public ValueTask<ObjectMetadata?> HeadAsync(string path, CancellationToken cancellationToken) =>
        RunAsync(FaultOperations.Head, path, path, static (inner, p, ct) => inner.HeadAsync(p, ct), cancellationToken);

    /// <inheritdoc/>
    public ValueTask<PutResult> PutAsync(string path, ReadOnlyMemory<byte> data, PutMode mode, CancellationToken cancellationToken)
    {
        var operation = mode.Kind switch
        {
            PutModeKind.Create => FaultOperations.PutCreate,
            PutModeKind.Update => FaultOperations.PutUpdate,
            _ => FaultOperations.PutOverwrite,
        };
        return RunAsync(operation, path, (path, data, mode), static (inner, s, ct) => inner.PutAsync(s.path, s.data, s.mode, ct), cancellationToken);
    }

    /// <inheritdoc/>
    public async ValueTask DeleteAsync(string path, CancellationToken cancellationToken)
    {
        _ = await RunAsync(FaultOperations.Delete, path, path, static async (inner, p, ct) =>
        {
            await inner.DeleteAsync(p, ct).ConfigureAwait(false);
            return true;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<ObjectMetadata> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var (fault, latency) = Decide(FaultOperations.List, prefix);
        await BeforeAsync(fault, latency, "list", prefix, cancellationToken).ConfigureAwait(false);
        if (fault == Fault.LostResponse)
        {
            // The listing is served (read in full) but never reaches the caller.
            await foreach (var _ in _inner.ListAsync(prefix, cancellationToken).ConfigureAwait(false))
            {
            }

            throw LostResponse("list", prefix);
        }

        await foreach (var item in _inner.ListAsync(prefix, cancellationToken).ConfigureAwait(false))
        {
            yield return item;
        }
    }

    private async ValueTask<TResult> RunAsync<TState, TResult>(
        FaultOperations operation,
        string path,
        TState state,
        Func<IObjectStore, TState, CancellationToken, ValueTask<TResult>> call,
        CancellationToken cancellationToken)
    {
        var (fault, latency) = Decide(operation, path);
        var name = OperationName(operation);
        await BeforeAsync(fault, latency, name, path, cancellationToken).ConfigureAwait(false);
        var result = await call(_inner, state, cancellationToken).ConfigureAwait(false);
        if (fault == Fault.LostResponse)
        {
            throw LostResponse(name, path);
        }

        return result;
    }

    /// <summary>Draws this request's fault and delay.</summary>
    private (Fault Fault, TimeSpan Latency) Decide(FaultOperations operation, string path)
    {
        if (_failAll)
        {
            Interlocked.Increment(ref _outageFailures);
            return (Fault.Outage, TimeSpan.Zero);
        }

        var options = _options;
        var selected = operation == FaultOperations.List ? options.SelectsListing(path) : options.Selects(operation, path);
        if (!selected)
        {
            return (Fault.None, TimeSpan.Zero);
        }

        Interlocked.Increment(ref _selectedRequests);
        double faultDraw, jitterDraw;
        lock (_randomLock)
        {
            faultDraw = _random.NextDouble();
            jitterDraw = _random.NextDouble();
        }

        var latency = options.Latency + (options.LatencyJitter * jitterDraw);
        var fault = Fault.None;
        if (faultDraw < options.PermanentFailureProbability)
        {
            fault = Fault.Permanent;
            Interlocked.Increment(ref _permanentFailures);
        }
        else if (faultDraw < options.PermanentFailureProbability + options.TransientFailureProbability)
        {
            fault = Fault.Transient;
            Interlocked.Increment(ref _transientFailures);
        }
        else if (faultDraw < options.PermanentFailureProbability + options.TransientFailureProbability + options.LostResponseProbability)
        {
            fault = Fault.LostResponse;
            Interlocked.Increment(ref _lostResponses);
        }

        return (fault, latency);
    }

    /// <summary>Waits out the added latency and throws the faults that strike before the request reaches the store.</summary>
    private async ValueTask BeforeAsync(Fault fault, TimeSpan latency, string operation, string path, CancellationToken cancellationToken)
    {
        if (latency > TimeSpan.Zero)
        {
            await Task.Delay(latency, _timeProvider, cancellationToken).ConfigureAwait(false);
        }

        cancellationToken.ThrowIfCancellationRequested();
        switch (fault)
        {
            case Fault.Outage:
                throw new SlateDbException(SlateDbErrorKind.Unavailable, $"Injected outage: {operation} of '{path}' failed.");
            case Fault.Transient:
                throw new SlateDbException(SlateDbErrorKind.Unavailable, $"Injected transient failure: {operation} of '{path}' failed before reaching the store.");
            case Fault.Permanent:
                throw new SlateDbException(SlateDbErrorKind.Internal, $"Injected permanent failure: {operation} of '{path}' failed.");
            default:
                break;
        }
    }

    private static SlateDbException LostResponse(string operation, string path) =>
        new(SlateDbErrorKind.Unavailable, $"Injected lost response: {operation} of '{path}' was applied but its response was lost.");

    private static string OperationName(FaultOperations operation) => operation switch
    {
        FaultOperations.Get => "get",
        FaultOperations.GetRange => "get_range",
        FaultOperations.Head => "head",
        FaultOperations.Delete => "delete",
        FaultOperations.List => "list",
        _ => "put",
    };

    private enum Fault
    {
        None,
        Outage,
        Transient,
        LostResponse,
        Permanent,
    }
}
