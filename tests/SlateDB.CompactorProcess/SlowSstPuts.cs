using SlateDB.Storage;

namespace SlateDB.CompactorProcess;

/// <summary>Announces every SST put on standard output ("put &lt;path&gt;"), then delays it; everything else passes through.</summary>
internal sealed class SlowSstPuts(IObjectStore inner, TimeSpan delay) : IObjectStore
{
    public ValueTask<ObjectContent?> GetAsync(string path, CancellationToken cancellationToken) => inner.GetAsync(path, cancellationToken);

    public ValueTask<ObjectContent?> GetRangeAsync(string path, ByteRange range, CancellationToken cancellationToken) => inner.GetRangeAsync(path, range, cancellationToken);

    public ValueTask<ObjectMetadata?> HeadAsync(string path, CancellationToken cancellationToken) => inner.HeadAsync(path, cancellationToken);

    public async ValueTask<PutResult> PutAsync(string path, ReadOnlyMemory<byte> data, PutMode mode, CancellationToken cancellationToken)
    {
        if (!path.EndsWith(".sst", StringComparison.Ordinal))
        {
            return await inner.PutAsync(path, data, mode, cancellationToken);
        }

        var result = await inner.PutAsync(path, data, mode, cancellationToken);
        LineLoggerFactory.WriteLine("put " + path);
        await Task.Delay(delay, cancellationToken);
        return result;
    }

    public ValueTask DeleteAsync(string path, CancellationToken cancellationToken) => inner.DeleteAsync(path, cancellationToken);

    public IAsyncEnumerable<ObjectMetadata> ListAsync(string prefix, CancellationToken cancellationToken) => inner.ListAsync(prefix, cancellationToken);
}
