namespace SlateDB.WritePath;

/// <summary>
/// The sequence-number watermarks: the last assigned, the last committed (visible to reads) and the last durable
/// (in object storage) sequence, with waiters for durability. Assigned and committed advance under the write lock;
/// durable advances from the flushers.
/// </summary>
internal sealed class Oracle
{
    private long _lastSeq;
    private long _committedSeq;
    private long _durableSeq;
    private TaskCompletionSource _durableAdvanced = NewSignal();
    private Exception? _closedError;

    public Oracle(long recoveredSeq)
    {
        _lastSeq = recoveredSeq;
        _committedSeq = recoveredSeq;
        _durableSeq = recoveredSeq;
    }

    public long LastSeq => Volatile.Read(ref _lastSeq);

    /// <summary>
    /// Called each time a caller starts waiting for a sequence that is not durable yet (the eager WAL flush policy
    /// starts a WAL write on it). Set once, before the database is shared.
    /// </summary>
    public Action? DurableWaiterArrived { get; set; }

    public long CommittedSeq => Volatile.Read(ref _committedSeq);

    public long DurableSeq => Volatile.Read(ref _durableSeq);

    /// <summary>Assigns the next sequence number. Call under the write lock.</summary>
    public long NextSeq() => ++_lastSeq;

    /// <summary>Marks <paramref name="seq"/> committed. Call under the write lock, in order.</summary>
    public void Commit(long seq) => Volatile.Write(ref _committedSeq, seq);

    /// <summary>Raises the durable watermark and wakes waiters whose writes it covers.</summary>
    public void AdvanceDurable(long seq)
    {
        TaskCompletionSource? toComplete = null;
        lock (this)
        {
            if (seq <= _durableSeq)
            {
                return;
            }

            Volatile.Write(ref _durableSeq, seq);
            toComplete = _durableAdvanced;
            _durableAdvanced = NewSignal();
        }

        toComplete.TrySetResult();
    }

    /// <summary>Fails every durability waiter, now and later, with <paramref name="error"/> (on close or fencing).</summary>
    public void Close(Exception error)
    {
        TaskCompletionSource signal;
        lock (this)
        {
            _closedError ??= error;
            signal = _durableAdvanced;
        }

        signal.TrySetException(_closedError);
    }

    /// <summary>Completes when <paramref name="seq"/> is durable.</summary>
    public Task WaitDurableAsync(long seq, CancellationToken cancellationToken)
    {
        if (DurableSeq >= seq)
        {
            return Task.CompletedTask;
        }

        DurableWaiterArrived?.Invoke();
        return WaitSlowAsync(seq, cancellationToken);
    }

    private async Task WaitSlowAsync(long seq, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task signal;
            lock (this)
            {
                if (_durableSeq >= seq)
                {
                    return;
                }

                if (_closedError is not null)
                {
                    throw _closedError;
                }

                signal = _durableAdvanced.Task;
            }

            await signal.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
