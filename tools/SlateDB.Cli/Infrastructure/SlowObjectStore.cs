using SlateDB.Storage;

namespace SlateDB.Cli.Infrastructure;

/// <summary>
/// Adds a fixed delay before every request (the hidden <c>--simulate-latency</c> option): a local folder then
/// behaves like a distant bucket, for demonstrations and for the terminal tests that watch a progress bar.
/// </summary>
internal sealed class SlowObjectStore(IObjectStore inner, TimeSpan latency) : IObjectStore
{
    public async ValueTask<ObjectContent?> GetAsync(string path, CancellationToken cancellationToken)
    {
        await Task.Delay(latency, TimeProvider.System, cancellationToken).ConfigureAwait(false);
        return await inner.GetAsync(path, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<ObjectContent?> GetRangeAsync(string path, ByteRange range, CancellationToken cancellationToken)
    {
        await Task.Delay(latency, TimeProvider.System, cancellationToken).ConfigureAwait(false);
        return await inner.GetRangeAsync(path, range, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<ObjectMetadata?> HeadAsync(string path, CancellationToken cancellationToken)
    {
        await Task.Delay(latency, TimeProvider.System, cancellationToken).ConfigureAwait(false);
        return await inner.HeadAsync(path, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<PutResult> PutAsync(string path, ReadOnlyMemory<byte> data, PutMode mode, CancellationToken cancellationToken)
    {
        await Task.Delay(latency, TimeProvider.System, cancellationToken).ConfigureAwait(false);
        return await inner.PutAsync(path, data, mode, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DeleteAsync(string path, CancellationToken cancellationToken)
    {
        await Task.Delay(latency, TimeProvider.System, cancellationToken).ConfigureAwait(false);
        await inner.DeleteAsync(path, cancellationToken).ConfigureAwait(false);
    }

    public async IAsyncEnumerable<ObjectMetadata> ListAsync(string prefix, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.Delay(latency, TimeProvider.System, cancellationToken).ConfigureAwait(false);
        await foreach (var item in inner.ListAsync(prefix, cancellationToken).ConfigureAwait(false))
        {
            yield return item;
        }
    }
}
