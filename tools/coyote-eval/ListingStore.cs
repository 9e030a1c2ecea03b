using SlateDB;
using SlateDB.Storage;

/// <summary>
/// Delegates to an in-memory store but lists the paths it saw written through a hand-written enumerator (no
/// compiler-generated async iterator, which Coyote's rewriting breaks).
/// </summary>
public sealed class ListingStore(InMemoryObjectStore inner) : IObjectStore
{
    public ValueTask<ObjectContent?> GetAsync(string path, CancellationToken cancellationToken) => inner.GetAsync(path, cancellationToken);
    public ValueTask<ObjectContent?> GetRangeAsync(string path, ByteRange range, CancellationToken cancellationToken) => inner.GetRangeAsync(path, range, cancellationToken);
    public ValueTask<ObjectMetadata?> HeadAsync(string path, CancellationToken cancellationToken) => inner.HeadAsync(path, cancellationToken);
    private readonly SortedSet<string> _paths = new(StringComparer.Ordinal);
    public void Track(string path) { lock (_paths) _paths.Add(path); }
    public ValueTask<PutResult> PutAsync(string path, ReadOnlyMemory<byte> data, PutMode mode, CancellationToken cancellationToken) { Track(path); return inner.PutAsync(path, data, mode, cancellationToken); }
    public ValueTask DeleteAsync(string path, CancellationToken cancellationToken) => inner.DeleteAsync(path, cancellationToken);
    public IAsyncEnumerable<ObjectMetadata> ListAsync(string prefix, CancellationToken cancellationToken)
    {
        var list = new List<ObjectMetadata>();
        string[] paths;
        lock (_paths) paths = [.. _paths];
        foreach (var path in paths.Where(p => p.StartsWith(prefix, StringComparison.Ordinal)))
        {
            var head = inner.HeadAsync(path, cancellationToken);
            if (!head.IsCompleted) throw new InvalidOperationException("the in-memory store answered asynchronously");
            if (head.Result is { } meta) list.Add(meta);
        }

        return new Listing(list);
    }

    private sealed class Listing(List<ObjectMetadata> items) : IAsyncEnumerable<ObjectMetadata>
    {
        public IAsyncEnumerator<ObjectMetadata> GetAsyncEnumerator(CancellationToken cancellationToken = default) => new Enumerator(items);
    }

    private sealed class Enumerator(List<ObjectMetadata> items) : IAsyncEnumerator<ObjectMetadata>
    {
        private int _index = -1;
        public ObjectMetadata Current => items[_index];
        public ValueTask<bool> MoveNextAsync() => new(++_index < items.Count);
        public ValueTask DisposeAsync() => default;
    }
}
