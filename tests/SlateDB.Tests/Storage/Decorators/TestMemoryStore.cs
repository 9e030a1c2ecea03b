using System.Globalization;
using System.Runtime.CompilerServices;
using SlateDB.Storage;

namespace SlateDB.Tests.Storage.Decorators;

/// <summary>
/// A minimal in-memory store for the decorator tests: one lock around a dictionary, so conditional puts are atomic.
/// Versions are a store-wide counter; every call is counted per operation.
/// </summary>
internal sealed class TestMemoryStore : IObjectStore
{
    private static readonly DateTimeOffset Epoch = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly Lock _lock = new();
    private readonly Dictionary<string, (byte[] Data, string Version)> _objects = new(StringComparer.Ordinal);
    private long _nextVersion;

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _objects.Count;
            }
        }
    }

    public byte[]? Read(string path)
    {
        lock (_lock)
        {
            return _objects.TryGetValue(path, out var entry) ? entry.Data : null;
        }
    }

    public ValueTask<ObjectContent?> GetAsync(string path, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            return ValueTask.FromResult(_objects.TryGetValue(path, out var entry)
                ? new ObjectContent(entry.Data, Metadata(path, entry))
                : null);
        }
    }

    public ValueTask<ObjectContent?> GetRangeAsync(string path, ByteRange range, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            if (!_objects.TryGetValue(path, out var entry))
            {
                return ValueTask.FromResult<ObjectContent?>(null);
            }

            var start = (int)Math.Min(range.Offset, entry.Data.Length);
            var end = (int)Math.Min(range.End, entry.Data.Length);
            return ValueTask.FromResult<ObjectContent?>(new ObjectContent(entry.Data.AsMemory(start, end - start), Metadata(path, entry)));
        }
    }

    public ValueTask<ObjectMetadata?> HeadAsync(string path, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            return ValueTask.FromResult(_objects.TryGetValue(path, out var entry) ? Metadata(path, entry) : null);
        }
    }

    public ValueTask<PutResult> PutAsync(string path, ReadOnlyMemory<byte> data, PutMode mode, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Put(path, data, mode));
    }

    /// <summary>The synchronous put behind <see cref="PutAsync"/>, for tests that act as a rival writer.</summary>
    public PutResult Put(string path, ReadOnlyMemory<byte> data, PutMode mode)
    {
        lock (_lock)
        {
            var exists = _objects.TryGetValue(path, out var current);
            if (mode.Kind == PutModeKind.Create && exists)
            {
                return PutResult.AlreadyExists;
            }

            if (mode.Kind == PutModeKind.Update && (!exists || current.Version != mode.ExpectedVersion))
            {
                return PutResult.VersionMismatch;
            }

            var version = (++_nextVersion).ToString(CultureInfo.InvariantCulture);
            _objects[path] = (data.ToArray(), version);
            return PutResult.Written(version);
        }
    }

    public ValueTask DeleteAsync(string path, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            _objects.Remove(path);
        }

        return ValueTask.CompletedTask;
    }

    public async IAsyncEnumerable<ObjectMetadata> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        List<ObjectMetadata> items;
        lock (_lock)
        {
            items = _objects.Where(o => o.Key.StartsWith(prefix, StringComparison.Ordinal)).Select(o => Metadata(o.Key, o.Value)).ToList();
        }

        foreach (var item in items)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await Task.Yield();
            yield return item;
        }
    }

    private static ObjectMetadata Metadata(string path, (byte[] Data, string Version) entry) =>
        new(path, entry.Data.Length, Epoch, entry.Version);
}
