using System.Runtime.CompilerServices;
using SlateDB.Storage;

namespace SlateDB.Tests.Engine;

/// <summary>
/// Holds the first listing of <c>wal/</c> that comes after this handle wrote a manifest (an epoch claim) until
/// <see cref="Release"/>: the moment a writer that lists the WAL after claiming its epoch is most exposed to a newer
/// writer opening meanwhile.
/// </summary>
internal sealed class ListAfterClaimGateStore(IObjectStore inner) : IObjectStore
{
    private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _claimed;
    private int _held;

    /// <summary>True once a listing is being held.</summary>
    public bool Holding => Volatile.Read(ref _held) == 1;

    public void Release() => _gate.TrySetResult();

    public ValueTask<ObjectContent?> GetAsync(string path, CancellationToken cancellationToken) => inner.GetAsync(path, cancellationToken);

    public ValueTask<ObjectContent?> GetRangeAsync(string path, ByteRange range, CancellationToken cancellationToken) => inner.GetRangeAsync(path, range, cancellationToken);

    public ValueTask<ObjectMetadata?> HeadAsync(string path, CancellationToken cancellationToken) => inner.HeadAsync(path, cancellationToken);

    public async ValueTask<PutResult> PutAsync(string path, ReadOnlyMemory<byte> data, PutMode mode, CancellationToken cancellationToken)
    {
        var result = await inner.PutAsync(path, data, mode, cancellationToken);
        if (path.Contains("/manifest/", StringComparison.Ordinal) && result.IsWritten)
        {
            Interlocked.Exchange(ref _claimed, 1);
        }

        return result;
    }

    public ValueTask DeleteAsync(string path, CancellationToken cancellationToken) => inner.DeleteAsync(path, cancellationToken);

    public async IAsyncEnumerable<ObjectMetadata> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (prefix.Contains("/wal/", StringComparison.Ordinal) && Volatile.Read(ref _claimed) == 1 && Interlocked.CompareExchange(ref _held, 1, 0) == 0)
        {
            await _gate.Task.WaitAsync(cancellationToken);
        }

        await foreach (var item in inner.ListAsync(prefix, cancellationToken))
        {
            yield return item;
        }
    }
}
