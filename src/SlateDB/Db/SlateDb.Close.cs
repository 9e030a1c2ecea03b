namespace SlateDB;

public sealed partial class SlateDb
{
    private readonly Lock _closeLock = new();
    private Task? _closeTask;

    /// <summary>
    /// Closes the database: writes what is buffered (WAL, then the memtable to L0), stops every background task and
    /// fails pending durability waits. Every later call on the database throws Closed.
    /// </summary>
    /// <remarks>
    /// <para>Idempotent and safe to call concurrently: the first call starts the close and every call, concurrent or
    /// later, awaits that same close and sees its outcome.</para>
    /// <para><paramref name="cancellationToken"/> only abandons this caller's wait: the close itself goes on writing
    /// out what was written, and calling <see cref="CloseAsync"/> again awaits it to the end. Nothing written before
    /// the close is dropped because a caller stopped waiting.</para>
    /// <para>The close throws when what was written could not all be made durable, and says how many writes were
    /// lost. A close after a fatal background failure or fencing does not write anything; it returns normally when
    /// every write was already durable.</para>
    /// </remarks>
    /// <exception cref="SlateDbException">
    /// Closed/Fenced: another writer had opened the database (what was not durable is lost). Closed/Failed: a fatal
    /// background failure had stopped the database, and writes that were not yet durable are lost. Unavailable:
    /// writing out failed otherwise.
    /// </exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired before the close ended (it goes on).</exception>
    public ValueTask CloseAsync(CancellationToken cancellationToken = default)
    {
        Task close;
        lock (_closeLock)
        {
            // Not started under the lock: the close takes the write lock and awaits I/O.
            close = _closeTask ??= Task.Run(CloseCoreAsync, CancellationToken.None);
        }

        return new ValueTask(cancellationToken.CanBeCanceled ? close.WaitAsync(cancellationToken) : close);
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => CloseAsync();

    private async Task CloseCoreAsync()
    {
        UnregisterExitFlush();
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
                // Stop writers first, then write out everything they committed. No caller's token reaches this: a
                // caller that stops waiting must not stop the close half-way.
                lock (_writeLock)
                {
                    _closing = true;
                    FreezeMemtableLocked();
                }

                if (_c.Options.WalEnabled)
                {
                    await _wal.FlushOnceAsync(CancellationToken.None).ConfigureAwait(false);
                }

                await _flusher.FlushAsync(ignoreL0Limit: true, CancellationToken.None).ConfigureAwait(false);
            }
            catch (SlateDbException e) when (e.Kind == SlateDbErrorKind.Closed)
            {
                // Writing out found that another writer fenced this one: close as fenced and say so, like every
                // other call on a fenced instance.
                Interlocked.CompareExchange(ref _closedError, e, null);
                Log.CloseFlushFailed(_logger, e);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
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

        await _c.Tables.StopWarmingAsync().ConfigureAwait(false);

        SignalProgress();
        await StopGarbageCollectorAsync().ConfigureAwait(false);
        _c.Metrics.Dispose();
        _c.OwnedBlockCache?.Dispose();
        _c.OwnedDiskCache?.Dispose();
        (_c.Wal as IDisposable)?.Dispose();
        _manifest.Dispose();
        _stop.Dispose();
        if (CloseFailure(previous, closedError, flushError) is { } failure)
        {
            throw failure;
        }
    }

    /// <summary>
    /// What a finished close reports: null when everything written is durable (or the close was clean); otherwise why
    /// not, with the number of writes that are lost.
    /// </summary>
    private SlateDbException? CloseFailure(SlateDbException? previous, SlateDbException closedError, Exception? flushError)
    {
        var durable = _oracle.DurableSeq;
        var committed = _oracle.CommittedSeq;
        var lost = committed > durable
            ? $" {committed - durable} committed writes (sequence numbers {durable + 1} to {committed}) never became durable and are lost (those awaited as durable have already failed)."
            : null;
        if (flushError is not null)
        {
            return new SlateDbException(
                SlateDbErrorKind.Unavailable,
                $"The database closed, but writing out its buffered data failed.{lost ?? " Unflushed writes that were not awaited as durable may be lost."}",
                flushError);
        }

        if (closedError.CloseReason == CloseReason.Clean)
        {
            return null;
        }

        if (lost is not null)
        {
            var why = closedError.CloseReason == CloseReason.Fenced
                ? "another writer opened the database"
                : "a background failure had stopped it";
            return SlateDbException.Closed(closedError.CloseReason, $"The database closed, but {why}:{lost} {closedError.Message}", closedError);
        }

        // Fenced while writing out, with nothing lost: say so once, as before. A close after an earlier latch with
        // everything durable is a normal close.
        return previous is null ? closedError : null;
    }
}
