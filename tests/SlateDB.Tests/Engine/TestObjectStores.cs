using SlateDB.Storage;

namespace SlateDB.Tests.Engine;

/// <summary>An object store that counts puts by path prefix (for "how many WAL PUTs" questions).</summary>
internal sealed class PutCountingObjectStore(IObjectStore inner) : IObjectStore
{
    private readonly Lock _lock = new();
    private readonly List<string> _puts = [];

    public int PutsUnder(string prefix)
    {
        lock (_lock)
        {
            return _puts.Count(p => p.StartsWith(prefix, StringComparison.Ordinal));
        }
    }

    public ValueTask<ObjectContent?> GetAsync(string path, CancellationToken cancellationToken) => inner.GetAsync(path, cancellationToken);

    public ValueTask<ObjectContent?> GetRangeAsync(string path, ByteRange range, CancellationToken cancellationToken) => inner.GetRangeAsync(path, range, cancellationToken);

    public ValueTask<ObjectMetadata?> HeadAsync(string path, CancellationToken cancellationToken) => inner.HeadAsync(path, cancellationToken);

    public ValueTask<PutResult> PutAsync(string path, ReadOnlyMemory<byte> data, PutMode mode, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            _puts.Add(path);
        }

        return inner.PutAsync(path, data, mode, cancellationToken);
    }

    public ValueTask DeleteAsync(string path, CancellationToken cancellationToken) => inner.DeleteAsync(path, cancellationToken);

    public IAsyncEnumerable<ObjectMetadata> ListAsync(string prefix, CancellationToken cancellationToken) => inner.ListAsync(prefix, cancellationToken);
}

/// <summary>An object store whose puts under a prefix wait until released (to hold a flush in flight).</summary>
internal sealed class GatedObjectStore(IObjectStore inner, string gatedPrefix) : IObjectStore
{
    private volatile TaskCompletionSource? _gate;
    private int _waiting;

    /// <summary>How many puts are waiting at the gate.</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    public void Close() => _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Open() => Interlocked.Exchange(ref _gate, null)?.TrySetResult();

    public ValueTask<ObjectContent?> GetAsync(string path, CancellationToken cancellationToken) => inner.GetAsync(path, cancellationToken);

    public ValueTask<ObjectContent?> GetRangeAsync(string path, ByteRange range, CancellationToken cancellationToken) => inner.GetRangeAsync(path, range, cancellationToken);

    public ValueTask<ObjectMetadata?> HeadAsync(string path, CancellationToken cancellationToken) => inner.HeadAsync(path, cancellationToken);

    public async ValueTask<PutResult> PutAsync(string path, ReadOnlyMemory<byte> data, PutMode mode, CancellationToken cancellationToken)
    {
        if (_gate is { } gate && path.StartsWith(gatedPrefix, StringComparison.Ordinal))
        {
            Interlocked.Increment(ref _waiting);
            try
            {
                await gate.Task.WaitAsync(cancellationToken);
            }
            finally
            {
                Interlocked.Decrement(ref _waiting);
            }
        }

        return await inner.PutAsync(path, data, mode, cancellationToken);
    }

    public ValueTask DeleteAsync(string path, CancellationToken cancellationToken) => inner.DeleteAsync(path, cancellationToken);

    public IAsyncEnumerable<ObjectMetadata> ListAsync(string prefix, CancellationToken cancellationToken) => inner.ListAsync(prefix, cancellationToken);
}
