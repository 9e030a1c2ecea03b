namespace SlateDB;

public sealed partial class SlateDb
{
    private int _backpressureWaiters;

    /// <summary>
    /// The database's state now: open or closed (and why), sequence watermarks, manifest id, writer epoch, LSM tree
    /// shape, unflushed bytes and backpressure. Read from memory, without I/O; safe to call at any time, also after
    /// the close.
    /// </summary>
    public DbStatus Status
    {
        get
        {
            var state = State;
            var core = state.Core;
            var l0 = core.Tree.L0.Count;
            var runs = core.Tree.Compacted.Count;
            foreach (var segment in core.Segments)
            {
                l0 += segment.Tree.L0.Count;
                runs += segment.Tree.Compacted.Count;
            }

            var closedError = Volatile.Read(ref _closedError);
            return new DbStatus
            {
                State = OpenState(closedError),
                CloseReason = closedError?.CloseReason ?? CloseReason.None,
                DurableSequence = _oracle.DurableSeq,
                CommittedSequence = _oracle.CommittedSeq,
                ManifestId = _manifest.Id,
                WriterEpoch = _manifest.Epoch,
                L0SstCount = l0,
                SortedRunCount = runs,
                UnflushedBytes = state.UnflushedBytes,
                WritersHeldByBackpressure = Volatile.Read(ref _backpressureWaiters) > 0,
            };
        }
    }

    private DbOpenState OpenState(SlateDbException? closedError)
    {
        switch (closedError?.CloseReason)
        {
            case CloseReason.Fenced:
                return DbOpenState.Fenced;
            case CloseReason.Failed:
                return DbOpenState.Failed;
        }

        Task? close;
        lock (_closeLock)
        {
            close = _closeTask;
        }

        if (close is not null)
        {
            return close.IsCompleted ? DbOpenState.Closed : DbOpenState.Closing;
        }

        return Volatile.Read(ref _closing) ? DbOpenState.Closing : DbOpenState.Open;
    }
}
