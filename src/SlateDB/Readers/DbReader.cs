using Microsoft.Extensions.Logging;
using SlateDB.Composition;
using SlateDB.Db;
using SlateDB.Readers;
using SlateDB.ReadPath;
using SlateDB.Storage;

namespace SlateDB;

/// <summary>
/// A read-only replica of a database (SlateDB's <c>DbReader</c>): reads what the writer made durable, from another
/// process or machine, without ever claiming a writer epoch or writing a fence, so any number of readers run beside
/// the one writer. See <see cref="DbReaderMode"/> for how it chooses what it reads. Reads see durable writes only;
/// <see cref="ReadOptions.DurabilityFilter"/> and <see cref="ReadOptions.Dirty"/> change nothing. Thread-safe.
/// </summary>
public sealed class DbReader : IAsyncDisposable
{
    private readonly DbComponents _c;
    private readonly DbReaderOptions _options;
    private readonly ReaderRefresh _refresh;
    private readonly ReaderReads _reads;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _refreshLock = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private ReaderView _view;
    private DateTimeOffset _lastRefresh;
    private string? _lastError;
    private Task _poll = Task.CompletedTask;
    private int _disposed;
    private long _refreshes;

    private DbReader(DbComponents components, DbReaderOptions options, ReaderRefresh refresh, ReaderReads reads, ReaderView view, ILogger logger)
    {
        _c = components;
        _options = options;
        _refresh = refresh;
        _reads = reads;
        _view = view;
        _logger = logger;
        _lastRefresh = components.TimeProvider.GetUtcNow();
    }

    /// <summary>The database's path.</summary>
    public string Path => _c.Path;

    /// <summary>The settings the reader was opened with.</summary>
    public DbReaderOptions Options => _options;

    /// <summary>Opens a reader on the database at <paramref name="path"/>.</summary>
    /// <param name="path">The database's key prefix in the store; not empty or white space.</param>
    /// <param name="objectStore">Where the database lives.</param>
    /// <param name="options">Settings; null for the defaults (a managed checkpoint, 10 s polls).</param>
    /// <param name="cancellationToken">Cancels the open.</param>
    /// <exception cref="ArgumentException">The path is empty or a setting is out of range.</exception>
    /// <exception cref="SlateDbException">Invalid: no database at the path, or an unknown or expired checkpoint.</exception>
    public static Task<DbReader> OpenAsync(string path, IObjectStore objectStore, DbReaderOptions? options = null, CancellationToken cancellationToken = default)
    {
        var builder = Builder(path, objectStore);
        if (options is not null)
        {
            builder.WithOptions(options);
        }

        return builder.OpenAsync(cancellationToken);
    }

    /// <summary>A builder for opening a reader with components (clock, logging, metrics, seed).</summary>
    public static DbReaderBuilder Builder(string path, IObjectStore objectStore) => new(path, objectStore);

    internal static async Task<DbReader> OpenCoreAsync(ComponentSettings settings, DbReaderOptions options, CancellationToken cancellationToken)
    {
        ReadPath.PointReadCode.PrepareInBackground();
        var components = DbComponents.Create(settings with { UseDiskCache = false });
        try
        {
            var logger = components.LoggerFactory.CreateLogger("SlateDB.Reader");
            var clock = new MonotonicClock(components.TimeProvider, long.MinValue);
            var refresh = new ReaderRefresh(components, options, clock, logger);
            var view = await refresh.OpenAsync(cancellationToken).ConfigureAwait(false);
            var reader = new DbReader(components, options, refresh, new ReaderReads(components.Tables, clock, components.Merge), view, logger);
            ReaderLog.Opened(logger, components.Path, options.Mode.ToString(), view.ManifestId, view.VisibleSeq);
            if (options.Mode.Kind != DbReaderModeKind.Checkpoint)
            {
                // Started here, not through Task.Run: the first poll's timer is set before the open returns, so the
                // interval counts from the open even when the thread pool is slow to run new work.
                reader._poll = reader.PollLoopAsync(reader._stop.Token);
            }

            return reader;
        }
        catch
        {
            components.Dispose();
            throw;
        }
    }

    /// <summary>The reader's state now, read from memory.</summary>
    public DbReaderStatus Status
    {
        get
        {
            var view = View;
            return new DbReaderStatus
            {
                Mode = _options.Mode,
                Closed = Volatile.Read(ref _disposed) != 0,
                ManifestId = view.ManifestId,
                CheckpointId = view.CheckpointId,
                DurableSequence = (long)view.VisibleSeq,
                LastReplayedWalId = view.LastWalId,
                L0SstCount = view.Core.Tree.L0.Count,
                SortedRunCount = view.Core.Tree.Compacted.Count,
                ReplayedBytes = view.ReplayedBytes,
                LastRefresh = _lastRefresh,
                LastRefreshError = Volatile.Read(ref _lastError),
            };
        }
    }

    private ReaderView View => Volatile.Read(ref _view);

    /// <summary>How many refreshes completed (polls and <see cref="RefreshAsync"/> calls).</summary>
    internal long RefreshCount => Interlocked.Read(ref _refreshes);

    /// <summary>Reads a key's value; null when the key is absent, deleted or expired.</summary>
    /// <exception cref="ArgumentException">The key is empty or longer than 65,535 bytes.</exception>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "As SlateDb's: the overloads differ in a required parameter's type.")]
    public async ValueTask<byte[]?> GetAsync(ReadOnlyMemory<byte> key, ReadOptions? options = null, CancellationToken cancellationToken = default)
    {
        var row = await GetRowAsync(key, options, cancellationToken).ConfigureAwait(false);
        return row is { } found ? found.Value.ToArray() : null;
    }

    /// <summary>Reads the value of a UTF-8 string key as a UTF-8 string; null when absent.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "As SlateDb.GetAsync: the overloads differ in a required parameter's type.")]
    public async ValueTask<string?> GetAsync(string key, ReadOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        var row = await GetRowAsync(System.Text.Encoding.UTF8.GetBytes(key), options, cancellationToken).ConfigureAwait(false);
        return row is { } found ? System.Text.Encoding.UTF8.GetString(found.Value.Span) : null;
    }

    /// <summary>Reads a key's value with its sequence number and timestamps; null when absent, deleted or expired.</summary>
    public async ValueTask<KeyValue?> GetKeyValueAsync(ReadOnlyMemory<byte> key, ReadOptions? options = null, CancellationToken cancellationToken = default)
    {
        var row = await GetRowAsync(key, options, cancellationToken).ConfigureAwait(false);
        return row is { } found ? SlateDb.PointReadResult(found) : null;
    }

    /// <summary>Scans a range: each key's newest visible value, in key order (or reverse). The scan sees the reader's view at its start.</summary>
    public IAsyncEnumerable<KeyValue> ScanAsync(KeyRange range, ScanOptions? options = null, CancellationToken cancellationToken = default) =>
        new ScanEnumerable(token => CreateIteratorAsync(range, options, token), cancellationToken);

    /// <summary>Scans the keys that start with <paramref name="prefix"/>.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "As SlateDb's: the overloads differ in a required parameter's type.")]
    public IAsyncEnumerable<KeyValue> ScanPrefixAsync(ReadOnlyMemory<byte> prefix, ScanOptions? options = null, CancellationToken cancellationToken = default) =>
        ScanAsync(KeyRange.Prefix(prefix), options, cancellationToken);

    /// <summary>Scans the keys that start with the UTF-8 bytes of <paramref name="prefix"/>.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "As SlateDb.ScanPrefixAsync: the overloads differ in a required parameter's type.")]
    public IAsyncEnumerable<KeyValue> ScanPrefixAsync(string prefix, ScanOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        return ScanPrefixAsync(System.Text.Encoding.UTF8.GetBytes(prefix), options, cancellationToken);
    }

    /// <summary>Creates an iterator over a range (see <see cref="DbIterator"/>); dispose it when done.</summary>
    public ValueTask<DbIterator> CreateIteratorAsync(KeyRange range, ScanOptions? options = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfDisposed();
        return ValueTask.FromResult(_reads.CreateIterator(View, range, options ?? ScanOptions.Default));
    }

    /// <summary>
    /// Rereads the manifest and the WAL tail now instead of at the next poll (nothing in checkpoint mode). Failures
    /// are thrown here; the background polls log them and try again.
    /// </summary>
    public async ValueTask RefreshAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        await RefreshOnceAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops polling and, in managed mode, deletes the reader's checkpoint (best effort: it expires anyway).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        await _poll.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await _c.Tables.StopWarmingAsync().ConfigureAwait(false);
        await _refreshLock.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            await _refresh.ReleaseAsync(View, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SlateDbException or IOException)
        {
            ReaderLog.RefreshFailed(_logger, View.ManifestId, e);
        }
        finally
        {
            _refreshLock.Release();
            _stop.Dispose();
            _c.Dispose();
        }
    }

    private async ValueTask<Format.RowEntry?> GetRowAsync(ReadOnlyMemory<byte> key, ReadOptions? options, CancellationToken cancellationToken)
    {
        WriteBatch.ValidateKey(key.Span);
        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfDisposed();
        _c.Metrics.Gets.Add(1);
        return await _reads.GetAsync(View, key, (options ?? ReadOptions.Default).CacheBlocks, cancellationToken).ConfigureAwait(false);
    }

    private async Task RefreshOnceAsync(CancellationToken cancellationToken)
    {
        await _refreshLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var next = await _refresh.RefreshAsync(View, cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref _view, next);
            _lastRefresh = _c.TimeProvider.GetUtcNow();
            Volatile.Write(ref _lastError, null);
            Interlocked.Increment(ref _refreshes);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Volatile.Write(ref _lastError, e.Message);
            throw;
        }
        finally
        {
            _refreshLock.Release();
        }
    }

    private async Task PollLoopAsync(CancellationToken token)
    {
        while (!token.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_options.ManifestPollInterval, _c.TimeProvider, token).ConfigureAwait(false);
                await RefreshOnceAsync(token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is SlateDbException or IOException)
            {
                // Reads go on from the last view; the next poll tries again.
                ReaderLog.RefreshFailed(_logger, View.ManifestId, e);
            }
        }
    }

    private void ThrowIfDisposed()
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            throw SlateDbException.Closed(CloseReason.Clean, "The reader is closed.");
        }
    }
}
