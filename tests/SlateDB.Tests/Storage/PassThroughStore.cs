using SlateDB.Storage;

namespace SlateDB.Tests.Storage;

/// <summary>
/// A store that only passes the <see cref="IObjectStore"/> calls on: it neither streams puts nor reads into a caller's
/// buffer, as the cloud stores do not, whatever the store underneath can.
/// </summary>
internal sealed class PassThroughStore(IObjectStore inner) : IObjectStore
{
    public ValueTask<ObjectContent?> GetAsync(string path, CancellationToken cancellationToken) => inner.GetAsync(path, cancellationToken);

    public ValueTask<ObjectContent?> GetRangeAsync(string path, ByteRange range, CancellationToken cancellationToken) => inner.GetRangeAsync(path, range, cancellationToken);

    public ValueTask<ObjectMetadata?> HeadAsync(string path, CancellationToken cancellationToken) => inner.HeadAsync(path, cancellationToken);

    public ValueTask<PutResult> PutAsync(string path, ReadOnlyMemory<byte> data, PutMode mode, CancellationToken cancellationToken) => inner.PutAsync(path, data, mode, cancellationToken);

    public ValueTask DeleteAsync(string path, CancellationToken cancellationToken) => inner.DeleteAsync(path, cancellationToken);

    public IAsyncEnumerable<ObjectMetadata> ListAsync(string prefix, CancellationToken cancellationToken) => inner.ListAsync(prefix, cancellationToken);
}
