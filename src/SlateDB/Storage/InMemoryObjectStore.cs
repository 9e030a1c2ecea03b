using System.Globalization;
using System.Runtime.CompilerServices;

namespace SlateDB.Storage;

/// <summary>
/// An <see cref="IObjectStore"/> that keeps objects in memory: for tests, simulations and short-lived databases.
/// </summary>
/// <remarks>
/// <para>Thread-safe. Every operation takes effect atomically under one lock, so conditional puts behave as on a
/// cloud store: of concurrent <see cref="PutMode.Create"/> puts of one key exactly one is written, and of concurrent
/// <see cref="PutMode.Update(string)"/> puts naming the same version exactly one is written.</para>
/// <para>A put copies the caller's bytes, so the caller may reuse its buffer; stored bytes are never changed
/// afterwards, and reads return views of them without copying. Versions are opaque strings that change on every
/// write. <see cref="ObjectMetadata.LastModified"/> comes from the <see cref="TimeProvider"/> given to the
/// constructor. Listings are in ordinal (lexicographic) order of the paths.</para>
/// </remarks>
public sealed partial class InMemoryObjectStore : IObjectStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, StoredObject> _objects = new(StringComparer.Ordinal);
    private readonly TimeProvider _timeProvider;
    private long _lastVersion;

    /// <summary>Creates an empty store.</summary>
    /// <param name="timeProvider">The clock for <see cref="ObjectMetadata.LastModified"/>; the system clock if omitted.</param>
    public InMemoryObjectStore(TimeProvider? timeProvider = null)
    {
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <inheritdoc/>
    public ValueTask<ObjectContent?> GetAsync(string path, CancellationToken cancellationToken)
    {
        ObjectPath.Validate(path);
        cancellationToken.ThrowIfCancellationRequested();
        var stored = Find(path);
        return ValueTask.FromResult(stored is null ? null : new ObjectContent(stored.Data, stored.Metadata));
    }

    /// <inheritdoc/>
    public ValueTask<ObjectContent?> GetRangeAsync(string path, ByteRange range, CancellationToken cancellationToken)
    {
        ObjectPath.Validate(path);
        cancellationToken.ThrowIfCancellationRequested();
        var stored = Find(path);
        if (stored is null)
        {
            return ValueTask.FromResult<ObjectContent?>(null);
        }

        var cut = range.ClipTo(stored.Data.Length);
        return ValueTask.FromResult<ObjectContent?>(new ObjectContent(stored.Data.AsMemory((int)cut.Offset, (int)cut.Length), stored.Metadata));
    }

    /// <inheritdoc/>
    public ValueTask<ObjectMetadata?> HeadAsync(string path, CancellationToken cancellationToken)
    {
        ObjectPath.Validate(path);
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Find(path)?.Metadata);
    }

    /// <inheritdoc/>
    public ValueTask<PutResult> PutAsync(string path, ReadOnlyMemory<byte> data, PutMode mode, CancellationToken cancellationToken)
    {
        ObjectPath.Validate(path);
        cancellationToken.ThrowIfCancellationRequested();

        // Copy outside the lock: the caller may reuse its buffer as soon as this returns.
        var copy = data.ToArray();
        lock (_lock)
        {
            _objects.TryGetValue(path, out var current);
            switch (mode.Kind)
            {
                case PutModeKind.Create when current is not null:
                    return ValueTask.FromResult(PutResult.AlreadyExists);
                case PutModeKind.Update when current is null || !string.Equals(current.Metadata.Version, mode.ExpectedVersion, StringComparison.Ordinal):
                    return ValueTask.FromResult(PutResult.VersionMismatch);
            }

            var version = (++_lastVersion).ToString("x8", CultureInfo.InvariantCulture);
            var metadata = new ObjectMetadata(path, copy.Length, _timeProvider.GetUtcNow(), version);
            _objects[path] = new StoredObject(copy, metadata);
            return ValueTask.FromResult(PutResult.Written(version));
        }
    }

    /// <inheritdoc/>
    public ValueTask DeleteAsync(string path, CancellationToken cancellationToken)
    {
        ObjectPath.Validate(path);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            _objects.Remove(path);
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    /// <remarks>The listing is a snapshot taken when enumeration starts, in ordinal order of the paths.</remarks>
    public IAsyncEnumerable<ObjectMetadata> ListAsync(string prefix, CancellationToken cancellationToken)
    {
        ObjectPath.ValidatePrefix(prefix);
        return ListCoreAsync(prefix, cancellationToken);
    }

    private async IAsyncEnumerable<ObjectMetadata> ListCoreAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        List<ObjectMetadata> matches;
        lock (_lock)
        {
            matches = new List<ObjectMetadata>();
            foreach (var (path, stored) in _objects)
            {
                if (path.StartsWith(prefix, StringComparison.Ordinal))
                {
                    matches.Add(stored.Metadata);
                }
            }
        }

        matches.Sort(static (a, b) => string.CompareOrdinal(a.Path, b.Path));
        foreach (var metadata in matches)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return metadata;
        }
    }

    private StoredObject? Find(string path)
    {
        lock (_lock)
        {
            return _objects.GetValueOrDefault(path);
        }
    }

    private sealed record StoredObject(byte[] Data, ObjectMetadata Metadata);
}
