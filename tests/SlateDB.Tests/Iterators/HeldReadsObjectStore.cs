using System.Collections.Concurrent;
using SlateDB.Storage;

namespace SlateDB.Tests.Iterators;

/// <summary>
/// Holds every ranged GET of a compacted SST until the test releases it or its token is cancelled, counting the GETs
/// in flight and the ones that ended by cancellation. Other requests pass straight through.
/// </summary>
internal sealed class HeldReadsObjectStore(IObjectStore inner) : IObjectStore
{
    private readonly ConcurrentQueue<TaskCompletionSource> _held = new();
    private int _inFlight;
    private int _cancelled;

    /// <summary>When false, GETs are not held.</summary>
    public bool Holding { get; set; } = true;

    public int InFlight => Volatile.Read(ref _inFlight);

    public int Cancelled => Volatile.Read(ref _cancelled);

    /// <summary>Lets the oldest held GET go on; false when none is held.</summary>
    public bool ReleaseOne()
    {
        while (_held.TryDequeue(out var gate))
        {
            if (gate.TrySetResult())
            {
                return true;
            }
        }

        return false;
    }

    public ValueTask<ObjectContent?> GetAsync(string path, CancellationToken cancellationToken) => inner.GetAsync(path, cancellationToken);

    public async ValueTask<ObjectContent?> GetRangeAsync(string path, ByteRange range, CancellationToken cancellationToken)
    {
        if (!Holding || !path.Contains("/compacted/", StringComparison.Ordinal))
        {
            return await inner.GetRangeAsync(path, range, cancellationToken);
        }

        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Interlocked.Increment(ref _inFlight);
        _held.Enqueue(gate);
        try
        {
            await gate.Task.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            Interlocked.Increment(ref _cancelled);
            throw;
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }

        return await inner.GetRangeAsync(path, range, cancellationToken);
    }

    public ValueTask<ObjectMetadata?> HeadAsync(string path, CancellationToken cancellationToken) => inner.HeadAsync(path, cancellationToken);

    public ValueTask<PutResult> PutAsync(string path, ReadOnlyMemory<byte> data, PutMode mode, CancellationToken cancellationToken) =>
        inner.PutAsync(path, data, mode, cancellationToken);

    public ValueTask DeleteAsync(string path, CancellationToken cancellationToken) => inner.DeleteAsync(path, cancellationToken);

    public IAsyncEnumerable<ObjectMetadata> ListAsync(string prefix, CancellationToken cancellationToken) => inner.ListAsync(prefix, cancellationToken);
}
