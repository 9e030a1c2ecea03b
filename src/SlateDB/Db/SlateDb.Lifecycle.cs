namespace SlateDB;

public sealed partial class SlateDb
{
    private SlateDbException? _closedError;

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
            if (Volatile.Read(ref _mergeFlushFailure) is { } mergeFailure)
            {
                throw new SlateDbException(SlateDbErrorKind.Invalid, "The memtable flush failed in the merge operator (it is tried again in the background): " + mergeFailure.Message, mergeFailure);
            }
        }

        ThrowIfClosed();
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
