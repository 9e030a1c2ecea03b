using SlateDB.Storage;

namespace SlateDB.WalBench;

/// <summary>Counts PUTs under the database's <c>wal/</c> folder, passing every request through.</summary>
internal sealed class WalPutCounter(IObjectStore inner, string walPrefix) : IObjectStore
{
    private long _walPuts;

    public long WalPuts => Interlocked.Read(ref _walPuts);

    public ValueTask<ObjectContent?> GetAsync(string path, CancellationToken cancellationToken) => inner.GetAsync(path, cancellationToken);

    public ValueTask<ObjectContent?> GetRangeAsync(string path, ByteRange range, CancellationToken cancellationToken) => inner.GetRangeAsync(path, range, cancellationToken);

    public ValueTask<ObjectMetadata?> HeadAsync(string path, CancellationToken cancellationToken) => inner.HeadAsync(path, cancellationToken);

    public ValueTask<PutResult> PutAsync(string path, ReadOnlyMemory<byte> data, PutMode mode, CancellationToken cancellationToken)
    {
        if (path.StartsWith(walPrefix, StringComparison.Ordinal))
        {
            Interlocked.Increment(ref _walPuts);
        }

        return inner.PutAsync(path, data, mode, cancellationToken);
    }

    public ValueTask DeleteAsync(string path, CancellationToken cancellationToken) => inner.DeleteAsync(path, cancellationToken);

    public IAsyncEnumerable<ObjectMetadata> ListAsync(string prefix, CancellationToken cancellationToken) => inner.ListAsync(prefix, cancellationToken);
}
