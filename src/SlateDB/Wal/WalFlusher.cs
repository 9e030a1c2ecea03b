using SlateDB.Common;
using SlateDB.Composition;
using SlateDB.WritePath;

namespace SlateDB.Wal;

/// <summary>
/// The writer's WAL flushing (SlateDB's WAL buffer manager): owns the buffer writers append to, and writes it out
/// through an <see cref="IWalWriter"/> as the next WAL object, at a fixed rate (every
/// <see cref="SlateDbOptions.FlushInterval"/>), when asked (an explicit flush, a full buffer, a durable waiter under
/// <see cref="WalFlushPolicy.Eager"/>) and before each L0 flush.
/// Flushes are one at a time and in id order; losing an id to another writer closes the database as fenced.
/// </summary>
internal sealed class WalFlusher : IDisposable
{
    private readonly IWalWriter _writer;
    private readonly DbComponents _c;
    private readonly Microsoft.Extensions.Logging.ILogger _logger;
    private readonly Oracle _oracle;
    private readonly Lock _writeLock;
    private readonly Action<ulong> _flushed;
    private readonly AsyncSignal _signal = new();
    private readonly SemaphoreSlim _flushLock = new(1, 1);
    private WalBuffer? _spare;
    private TaskCompletionSource _written = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ulong _nextWalId;
    private ulong _lastFlushedWalId;
    private Exception? _broken;

    /// <param name="writer">Where WAL objects go.</param>
    /// <param name="components">The database's parts (options, clock, metrics).</param>
    /// <param name="oracle">Raised to each flushed buffer's last sequence: its rows are durable.</param>
    /// <param name="writeLock">The database's write lock, under which writers append to <see cref="Current"/>.</param>
    /// <param name="nextWalId">The id the first flush writes (the one after recovery's fence).</param>
    /// <param name="flushed">Called after each WAL object is written, with its id.</param>
    public WalFlusher(IWalWriter writer, DbComponents components, Oracle oracle, Lock writeLock, ulong nextWalId, Action<ulong> flushed)
    {
        _writer = writer;
        _c = components;
        _logger = components.LoggerFactory.CreateLogger("SlateDB.Wal");
        _oracle = oracle;
        _writeLock = writeLock;
        _flushed = flushed;
        _nextWalId = nextWalId;
        _lastFlushedWalId = nextWalId - 1;
    }

    /// <summary>The buffer writers append to. Read, appended to and swapped only under the write lock.</summary>
    public WalBuffer Current { get; private set; } = new();

    /// <summary>The id the next flush writes.</summary>
    public ulong NextWalId => Volatile.Read(ref _nextWalId);

    /// <summary>The id of the last WAL object written (recovery's fence before the first flush).</summary>
    public ulong LastFlushedWalId => Volatile.Read(ref _lastFlushedWalId);

    /// <summary>Completes when the next WAL object is written (in-process change feeds wait on it instead of polling).</summary>
    public Task NextWrittenAsync() => Volatile.Read(ref _written).Task;

    /// <summary>Asks the flush loop to write the buffer now.</summary>
    public void RequestFlush() => _signal.Set();

    /// <summary>
    /// Asks for a WAL write because a writer waits for durability: with <see cref="WalFlushPolicy.Eager"/> the loop
    /// starts one as soon as none is in flight (and the floor allows); with the fixed-interval policy nothing changes.
    /// </summary>
    public void RequestEagerFlush()
    {
        if (_c.Options.WalFlushPolicy == WalFlushPolicy.Eager)
        {
            _signal.Set();
        }
    }

    /// <summary>Writes the buffer at a fixed rate, and whenever asked, until <paramref name="token"/> is cancelled.</summary>
    public async Task RunAsync(CancellationToken token)
    {
        var floor = _c.Options.WalFlushPolicy == WalFlushPolicy.Eager ? _c.Options.WalFlushMinInterval : TimeSpan.Zero;
        long? lastStart = null;
        if (_c.Options.FlushInterval is null)
        {
            // No timer: the WAL is written only when asked. Without this wait, the loop's first pass (which may start
            // late on a busy machine, after the first writes) would write them unasked.
            await _signal.WaitAsync().WaitAsync(token).ConfigureAwait(false);
        }

        while (!token.IsCancellationRequested)
        {
            // Eager: at least the floor between the starts of two writes. Requests made meanwhile wait in the signal.
            if (floor > TimeSpan.Zero && lastStart is { } last)
            {
                var wait = floor - _c.TimeProvider.GetElapsedTime(last);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, _c.TimeProvider, token).ConfigureAwait(false);
                }
            }

            _signal.Reset();
            lastStart = _c.TimeProvider.GetTimestamp();

            // The next tick is due one interval after this pass starts, not after it ends: the WAL is written at
            // a fixed rate (as SlateDB's ticker does), so the PUT's latency does not stretch the interval. A request
            // (an eager waiter, an explicit flush, a full buffer) made while this write is in flight starts the next
            // write as soon as this one ends: everything appended meanwhile goes out together (group commit).
            var tick = _c.Options.FlushInterval is { } interval ? Task.Delay(interval, _c.TimeProvider, token) : null;
            await FlushOnceAsync(token).ConfigureAwait(false);
            var signal = _signal.WaitAsync();
            if (tick is not null)
            {
                await Task.WhenAny(signal, tick).ConfigureAwait(false);
            }
            else
            {
                await signal.WaitAsync(token).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Writes the buffer, if it holds anything, as the next WAL object.</summary>
    /// <exception cref="SlateDbException">Closed/Fenced: another writer took the id.</exception>
    public async Task FlushOnceAsync(CancellationToken token)
    {
        await _flushLock.WaitAsync(token).ConfigureAwait(false);
        try
        {
            if (_broken is { } broken)
            {
                // A WAL write failed or was abandoned: it may still land, so no later id may be written (a later
                // object after a hole, or after another writer's fence, would replay rows without those before them).
                // A fence stays a fence: every later flush and durable wait reports it as the first one did.
                if (broken is SlateDbException { Kind: SlateDbErrorKind.Closed, CloseReason: CloseReason.Fenced })
                {
                    throw SlateDbException.Closed(CloseReason.Fenced, broken.Message, broken);
                }

                throw SlateDbException.Closed(CloseReason.Failed, $"An earlier WAL write did not complete ({broken.Message}); no later WAL object is written.", broken);
            }

            WalBuffer buffer;
            ulong walId;
            lock (_writeLock)
            {
                if (Current.IsEmpty)
                {
                    return;
                }

                buffer = Current;
                Current = _spare ?? new WalBuffer();
                _spare = null;
                walId = _nextWalId;
                Volatile.Write(ref _nextWalId, walId + 1);
            }

            long? size;
            try
            {
                using var timed = new Diagnostics.TimedOperation("slatedb.wal.flush", _c.Metrics, _c.Metrics.WalFlushDuration);
                timed.Activity?.SetTag("slatedb.wal.id", walId);
                size = await _writer.TryWriteAsync(walId, buffer.Rows, buffer.EstimatedSize, token).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                _broken = e;
                throw;
            }

            if (size is null)
            {
                var fenced = SlateDbException.Closed(CloseReason.Fenced, $"WAL object {walId} was written by another writer: this instance was fenced.");
                _broken = fenced;
                throw fenced;
            }

            Volatile.Write(ref _lastFlushedWalId, walId);
            _oracle.AdvanceDurable((long)buffer.LastSeq);
            buffer.Clear();
            lock (_writeLock)
            {
                _spare = buffer;
            }

            _c.Metrics.WalFlushes.Add(1);
            _c.Metrics.WalFlushBytes.Add(size.Value);
            Log.WalFlushed(_logger, walId, size.Value);
            _flushed(walId);
            Interlocked.Exchange(ref _written, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        }
        finally
        {
            _flushLock.Release();
        }
    }

    /// <summary>Releases the flush lock; call once no flush runs any more.</summary>
    public void Dispose() => _flushLock.Dispose();
}
