using SlateDB.Storage;

namespace SlateDB.Tests.Storage.Decorators;

/// <summary>
/// Plays an SDK that re-sends a conditional PUT on a stale connection: while armed, a conditional put whose path
/// starts with the armed prefix is applied to the inner store and then reported as a conflict
/// (<see cref="PutOutcome.AlreadyExists"/> or <see cref="PutOutcome.VersionMismatch"/>), as the re-send's 412 would be.
/// </summary>
internal sealed class DoubleApplyingStore(IObjectStore inner) : IObjectStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, int> _armed = new(StringComparer.Ordinal);
    private int _misreported;

    /// <summary>How many puts were applied and reported as conflicts.</summary>
    public int Misreported => Volatile.Read(ref _misreported);

    /// <summary>The next <paramref name="times"/> conditional puts under <paramref name="prefix"/> land but report a conflict.</summary>
    public DoubleApplyingStore Arm(string prefix, int times = 1)
    {
        lock (_lock)
        {
            _armed[prefix] = _armed.GetValueOrDefault(prefix) + times;
        }

        return this;
    }

    public ValueTask<ObjectContent?> GetAsync(string path, CancellationToken cancellationToken) => inner.GetAsync(path, cancellationToken);

    public ValueTask<ObjectContent?> GetRangeAsync(string path, ByteRange range, CancellationToken cancellationToken) => inner.GetRangeAsync(path, range, cancellationToken);

    public ValueTask<ObjectMetadata?> HeadAsync(string path, CancellationToken cancellationToken) => inner.HeadAsync(path, cancellationToken);

    public async ValueTask<PutResult> PutAsync(string path, ReadOnlyMemory<byte> data, PutMode mode, CancellationToken cancellationToken)
    {
        var result = await inner.PutAsync(path, data, mode, cancellationToken);
        if (!result.IsWritten || mode.Kind == PutModeKind.Overwrite || !TakeArmed(path))
        {
            return result;
        }

        Interlocked.Increment(ref _misreported);
        return mode.Kind == PutModeKind.Create ? PutResult.AlreadyExists : PutResult.VersionMismatch;
    }

    public ValueTask DeleteAsync(string path, CancellationToken cancellationToken) => inner.DeleteAsync(path, cancellationToken);

    public IAsyncEnumerable<ObjectMetadata> ListAsync(string prefix, CancellationToken cancellationToken) => inner.ListAsync(prefix, cancellationToken);

    private bool TakeArmed(string path)
    {
        lock (_lock)
        {
            foreach (var (prefix, left) in _armed)
            {
                if (left > 0 && path.StartsWith(prefix, StringComparison.Ordinal))
                {
                    _armed[prefix] = left - 1;
                    return true;
                }
            }

            return false;
        }
    }
}
