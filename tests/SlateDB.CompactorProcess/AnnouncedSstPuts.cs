using SlateDB.Storage;

namespace SlateDB.CompactorProcess;

/// <summary>
/// Announces every SST put on standard output ("put &lt;path&gt;") once written; after <c>hangAfter</c> puts (when
/// above zero) further SST puts hang until cancelled ("hang &lt;path&gt;"). Everything else passes through.
/// </summary>
internal sealed class AnnouncedSstPuts(IObjectStore inner, int hangAfter) : IObjectStore
{
    private int _puts;

    public ValueTask<ObjectContent?> GetAsync(string path, CancellationToken cancellationToken) => inner.GetAsync(path, cancellationToken);

    public ValueTask<ObjectContent?> GetRangeAsync(string path, ByteRange range, CancellationToken cancellationToken) => inner.GetRangeAsync(path, range, cancellationToken);

    public ValueTask<ObjectMetadata?> HeadAsync(string path, CancellationToken cancellationToken) => inner.HeadAsync(path, cancellationToken);

    public async ValueTask<PutResult> PutAsync(string path, ReadOnlyMemory<byte> data, PutMode mode, CancellationToken cancellationToken)
    {
        if (!path.EndsWith(".sst", StringComparison.Ordinal))
        {
            return await inner.PutAsync(path, data, mode, cancellationToken);
        }

        if (hangAfter > 0 && Interlocked.Increment(ref _puts) > hangAfter)
        {
            LineLoggerFactory.WriteLine("hang " + path);
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }

        var result = await inner.PutAsync(path, data, mode, cancellationToken);
        LineLoggerFactory.WriteLine("put " + path);
        return result;
    }

    public ValueTask DeleteAsync(string path, CancellationToken cancellationToken) => inner.DeleteAsync(path, cancellationToken);

    public IAsyncEnumerable<ObjectMetadata> ListAsync(string prefix, CancellationToken cancellationToken) => inner.ListAsync(prefix, cancellationToken);
}
