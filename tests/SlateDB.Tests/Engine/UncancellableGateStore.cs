using SlateDB.Storage;

namespace SlateDB.Tests.Engine;

/// <summary>
/// A store whose puts, range reads or listings under a prefix wait at a gate while it is closed, ignoring their
/// cancellation tokens: a request stuck in the network, which lets a test hold a read or a stop in flight.
/// </summary>
internal sealed class UncancellableGateStore(IObjectStore inner, string gatedPrefix) : IObjectStore
{
    private volatile TaskCompletionSource? _gate;
    private TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Gate puts.</summary>
    public bool GatePuts { get; init; }

    /// <summary>Gate reads (whole and ranged).</summary>
    public bool GateReads { get; init; }

    /// <summary>Gate listings.</summary>
    public bool GateLists { get; init; }

    /// <summary>Closes the gate; <see cref="Reached"/> completes when a request first waits at it.</summary>
    public void Close()
    {
        _reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    public void Open() => Interlocked.Exchange(ref _gate, null)?.TrySetResult();

    /// <summary>Completes when a request waits at the closed gate.</summary>
    public Task Reached => _reached.Task;

    public async ValueTask<ObjectContent?> GetAsync(string path, CancellationToken cancellationToken)
    {
        await PassAsync(GateReads, path);
        return await inner.GetAsync(path, cancellationToken);
    }

    public async ValueTask<ObjectContent?> GetRangeAsync(string path, ByteRange range, CancellationToken cancellationToken)
    {
        await PassAsync(GateReads, path);
        return await inner.GetRangeAsync(path, range, cancellationToken);
    }

    public ValueTask<ObjectMetadata?> HeadAsync(string path, CancellationToken cancellationToken) => inner.HeadAsync(path, cancellationToken);

    public async ValueTask<PutResult> PutAsync(string path, ReadOnlyMemory<byte> data, PutMode mode, CancellationToken cancellationToken)
    {
        await PassAsync(GatePuts, path);
        return await inner.PutAsync(path, data, mode, cancellationToken);
    }

    public ValueTask DeleteAsync(string path, CancellationToken cancellationToken) => inner.DeleteAsync(path, cancellationToken);

    public async IAsyncEnumerable<ObjectMetadata> ListAsync(string prefix, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await PassAsync(GateLists, prefix);
        await foreach (var item in inner.ListAsync(prefix, cancellationToken))
        {
            yield return item;
        }
    }

    private Task PassAsync(bool gated, string path)
    {
        if (gated && _gate is { } gate && path.StartsWith(gatedPrefix, StringComparison.Ordinal))
        {
            _reached.TrySetResult();
            return gate.Task;
        }

        return Task.CompletedTask;
    }
}
