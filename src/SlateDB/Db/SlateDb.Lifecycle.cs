namespace SlateDB;

public sealed partial class SlateDb
{
    private SlateDbException? _closedError;
    private int _closeStarted;
    private Task? _closeTask;

    /// <summary>
    /// Makes every write committed so far durable: writes the WAL buffer (or, with the WAL disabled, flushes the
    /// memtable to L0) and waits for it.
    /// </summary>
    public ValueTask FlushAsync(CancellationToken cancellationToken = default) =>
        FlushAsync(new FlushOptions { FlushType = _c.Options.WalEnabled ? FlushType.Wal : FlushType.MemTable }, cancellationToken);

    /// <summary>Flushes the WAL buffer or the memtable, as <paramref name="options"/> says, and waits for it.</summary>
    /// <exception cref="SlateDbException">Invalid: a WAL flush with the WAL disabled. Closed: the database is closed.</exception>
    public async ValueTask FlushAsync(FlushOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ThrowIfClosed();
        var target = _oracle.CommittedSeq;
        if (options.FlushType == FlushType.Wal)
        {
            if (!_c.Options.WalEnabled)
            {
                throw new SlateDbException(SlateDbErrorKind.Invalid, "A WAL flush was asked for, but the WAL is disabled.");
            }

            RequestWalFlush();
            await _oracle.WaitDurableAsync(target, cancellationToken).ConfigureAwait(false);
            return;
        }

        lock (_writeLock)
        {
            // Read the target with the freeze, under the lock: a write committed between the two would land in the
            // frozen memtable with a sequence above the target, and the wait below would skip that memtable.
            ThrowIfClosed();
            target = _oracle.CommittedSeq;
            FreezeMemtableLocked();
        }

        while (State.Frozen.Any(f => f.LastSeq <= (ulong)target && f.LastSeq != 0))
        {
            ThrowIfClosed();
            var progress = Volatile.Read(ref _flushProgress).Task;
            if (!State.Frozen.Any(f => f.LastSeq <= (ulong)target && f.LastSeq != 0))
            {
                break;
            }

            _flushSignal.Set();
            await progress.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        ThrowIfClosed();
    }

    /// <summary>
    /// Closes the database: writes what is buffered (WAL, then the memtable to L0), stops every background task and
    /// fails pending durability waits. Idempotent. Every later call on the database throws Closed.
    /// </summary>
    /// <exception cref="SlateDbException">
    /// Closed/Fenced: writing out found that another writer had opened the database (what was not durable is lost).
    /// Unavailable: writing out failed otherwise.
    /// </exception>
    public ValueTask CloseAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _closeStarted, 1) == 0)
        {
            _closeTask = CloseCoreAsync(cancellationToken);
        }

        return new ValueTask(_closeTask!);
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => CloseAsync();

    private async Task CloseCoreAsync(CancellationToken cancellationToken)
    {
        var clean = SlateDbException.Closed(CloseReason.Clean, "The database is closed.");
        Exception? flushError = null;
        SlateDbException? previous;
        lock (_writeLock)
        {
            previous = _closedError;
        }

        if (previous is null)
        {
            try
            {
                // Stop writers first, then write out everything they committed.
                lock (_writeLock)
                {
                    _closing = true;
                    FreezeMemtableLocked();
                }

                if (_c.Options.WalEnabled)
                {
                    await _wal.FlushOnceAsync(cancellationToken).ConfigureAwait(false);
                }

                await _flusher.FlushAsync(ignoreL0Limit: true, cancellationToken).ConfigureAwait(false);
            }
            catch (SlateDbException e) when (e.Kind == SlateDbErrorKind.Closed)
            {
                // Writing out found that another writer fenced this one: close as fenced and say so, like every
                // other call on a fenced instance.
                Interlocked.CompareExchange(ref _closedError, e, null);
                Log.CloseFlushFailed(_logger, e);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                flushError = e;
                Log.CloseFlushFailed(_logger, e);
            }
        }

        Interlocked.CompareExchange(ref _closedError, clean, null);
        var closedError = Volatile.Read(ref _closedError)!;
        _oracle.Close(closedError);
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(_loops).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        SignalProgress();
        await StopGarbageCollectorAsync().ConfigureAwait(false);
        _c.Metrics.Dispose();
        _c.OwnedBlockCache?.Dispose();
        _manifest.Dispose();
        _wal.Dispose();
        _flusher.Dispose();
        _stop.Dispose();
        if (previous is null && closedError.CloseReason != CloseReason.Clean)
        {
            throw closedError;
        }

        if (flushError is not null)
        {
            throw new SlateDbException(SlateDbErrorKind.Unavailable, "The database closed, but writing out its buffered data failed; unflushed writes that were not awaited as durable may be lost.", flushError);
        }
    }

    private bool _closing;

    private void ThrowIfClosed()
    {
        var error = Volatile.Read(ref _closedError);
        if (error is not null)
        {
            throw error;
        }

        if (Volatile.Read(ref _closing))
        {
            throw SlateDbException.Closed(CloseReason.Clean, "The database is closing.");
        }
    }

    /// <summary>
    /// Latches a fatal background error: the database closes (Fenced or Failed) and every later call throws the same
    /// exception. Nothing is written after this.
    /// </summary>
    private void Fail(Exception error, string activity)
    {
        var closed = error is SlateDbException { Kind: SlateDbErrorKind.Closed } already
            ? already
            : SlateDbException.Closed(CloseReason.Failed, $"The database closed after a failure while {activity}: {error.Message}", error);
        if (Interlocked.CompareExchange(ref _closedError, closed, null) is null)
        {
            if (closed.CloseReason == CloseReason.Fenced)
            {
                Log.Fenced(_logger, closed.Message);
            }
            else
            {
                Log.BackgroundFailure(_logger, activity, error);
            }

            _oracle.Close(closed);
            _stop.Cancel();
            SignalProgress();
        }
    }
}
