using System.Runtime.CompilerServices;
using SlateDB.Storage;

namespace SlateDB.Extensions.Hosting.Tests;

/// <summary>An object store that delegates to another, holding puts of compacted SSTs (L0 flushes) while <see cref="HoldL0"/> is set.</summary>
internal sealed class L0GatedStore(IObjectStore inner) : IObjectStore
{
    private volatile TaskCompletionSource _open = Opened();

    public bool HoldL0
    {
        set
        {
            if (value)
            {
                _open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
            else
            {
                _open.TrySetResult();
            }
        }
    }

    public ValueTask<ObjectContent?> GetAsync(string path, CancellationToken cancellationToken) => inner.GetAsync(path, cancellationToken);

    public ValueTask<ObjectContent?> GetRangeAsync(string path, ByteRange range, CancellationToken cancellationToken) => inner.GetRangeAsync(path, range, cancellationToken);

    public ValueTask<ObjectMetadata?> HeadAsync(string path, CancellationToken cancellationToken) => inner.HeadAsync(path, cancellationToken);

    public async ValueTask<PutResult> PutAsync(string path, ReadOnlyMemory<byte> data, PutMode mode, CancellationToken cancellationToken)
    {
        if (path.Contains("compacted/", StringComparison.Ordinal))
        {
            await _open.Task.WaitAsync(cancellationToken);
        }

        return await inner.PutAsync(path, data, mode, cancellationToken);
    }

    public ValueTask DeleteAsync(string path, CancellationToken cancellationToken) => inner.DeleteAsync(path, cancellationToken);

    public IAsyncEnumerable<ObjectMetadata> ListAsync(string prefix, CancellationToken cancellationToken) => inner.ListAsync(prefix, cancellationToken);

    private static TaskCompletionSource Opened()
    {
        var open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        open.SetResult();
        return open;
    }
}

/// <summary>An object store on which every call waits until cancelled: an unreachable store.</summary>
internal sealed class HangingStore : IObjectStore
{
    public async ValueTask<ObjectContent?> GetAsync(string path, CancellationToken cancellationToken)
    {
        await Task.Delay(Timeout.Infinite, cancellationToken);
        return null;
    }

    public async ValueTask<ObjectContent?> GetRangeAsync(string path, ByteRange range, CancellationToken cancellationToken)
    {
        await Task.Delay(Timeout.Infinite, cancellationToken);
        return null;
    }

    public async ValueTask<ObjectMetadata?> HeadAsync(string path, CancellationToken cancellationToken)
    {
        await Task.Delay(Timeout.Infinite, cancellationToken);
        return null;
    }

    public async ValueTask<PutResult> PutAsync(string path, ReadOnlyMemory<byte> data, PutMode mode, CancellationToken cancellationToken)
    {
        await Task.Delay(Timeout.Infinite, cancellationToken);
        throw new InvalidOperationException("unreachable");
    }

    public async ValueTask DeleteAsync(string path, CancellationToken cancellationToken) => await Task.Delay(Timeout.Infinite, cancellationToken);

    public async IAsyncEnumerable<ObjectMetadata> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.Delay(Timeout.Infinite, cancellationToken);
        yield break;
    }
}

internal static class Eventually
{
    /// <summary>Polls <paramref name="condition"/> until it holds or 10 s pass.</summary>
    public static async Task<bool> HoldsAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            if (await condition())
            {
                return true;
            }

            await Task.Delay(25);
        }

        return await condition();
    }

    public static Task<bool> HoldsAsync(Func<bool> condition) => HoldsAsync(() => Task.FromResult(condition()));
}
