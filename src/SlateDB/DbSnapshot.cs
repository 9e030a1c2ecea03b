namespace SlateDB;

/// <summary>
/// A consistent view of the database at one sequence number: reads through it never see later writes. The versions
/// it needs are kept until it is disposed, so dispose it when done.
/// </summary>
public sealed class DbSnapshot : IAsyncDisposable
{
    private readonly SlateDb _db;
    private int _disposed;

    internal DbSnapshot(SlateDb db, long sequence)
    {
        _db = db;
        Sequence = sequence;
    }

    /// <summary>The sequence number the snapshot reads at.</summary>
    public long Sequence { get; }

    /// <summary>Reads a key's value as of the snapshot; null when absent, deleted or expired.</summary>
    public async ValueTask<byte[]?> GetAsync(ReadOnlyMemory<byte> key, ReadOptions? options = null, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        var row = await _db.GetRowAsync(key, options ?? ReadOptions.Default, (ulong)Sequence, cancellationToken).ConfigureAwait(false);
        return row is { } found ? found.Value.ToArray() : null;
    }

    /// <summary>Reads the value of a UTF-8 string key as of the snapshot, as a UTF-8 string; null when absent, deleted or expired.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is null.</exception>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "A string/bytes overload of a shipped method: overloads differ in a required parameter's type, which no argument converts to both, so omitting the optional ones is never ambiguous.")]
    public async ValueTask<string?> GetAsync(string key, ReadOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ThrowIfDisposed();
        var row = await _db.GetRowAsync(System.Text.Encoding.UTF8.GetBytes(key), options ?? ReadOptions.Default, (ulong)Sequence, cancellationToken).ConfigureAwait(false);
        return row is { } found ? System.Text.Encoding.UTF8.GetString(found.Value.Span) : null;
    }

    /// <summary>Reads a key's value and metadata as of the snapshot; null when absent, deleted or expired.</summary>
    public async ValueTask<KeyValue?> GetKeyValueAsync(ReadOnlyMemory<byte> key, ReadOptions? options = null, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        var row = await _db.GetRowAsync(key, options ?? ReadOptions.Default, (ulong)Sequence, cancellationToken).ConfigureAwait(false);
        return row is { } found ? SlateDb.PointReadResult(found) : null;
    }

    /// <summary>Scans a range as of the snapshot.</summary>
    public IAsyncEnumerable<KeyValue> ScanAsync(KeyRange range, ScanOptions? options = null, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        return _db.ScanCoreAsync(range, options ?? ScanOptions.Default, (ulong)Sequence, cancellationToken);
    }

    /// <summary>Creates an iterator over a range as of the snapshot.</summary>
    public ValueTask<DbIterator> CreateIteratorAsync(KeyRange range, ScanOptions? options = null, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        return _db.CreateIteratorCoreAsync(range, options ?? ScanOptions.Default, (ulong)Sequence, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _db.ReleaseSnapshot(this);
        }

        return ValueTask.CompletedTask;
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
}
