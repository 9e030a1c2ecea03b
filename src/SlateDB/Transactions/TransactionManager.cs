using SlateDB.Common;
using SlateDB.ReadPath;

namespace SlateDB.Transactions;

/// <summary>
/// The open transactions and the committed writes they may conflict with. Every commit that lands while a transaction
/// is open records the keys it wrote with its sequence (a plain write as a one-operation transaction); a transaction's
/// commit conflicts when a recorded write after its read sequence touches a key it writes (and, serializable, a key it
/// read or a range it scanned). A record is dropped once every open transaction started at or after it, and the
/// number of recorded keys is capped by <see cref="TransactionOptions.MaxTrackedKeys"/> by expiring the oldest
/// transactions. Open transactions hold their read sequence in the <see cref="SnapshotRegistry"/>, released when they
/// end or expire (<see cref="TransactionOptions.MaxAge"/>).
/// </summary>
/// <remarks>Lock order: the database's write lock, then this manager's lock.</remarks>
internal sealed class TransactionManager
{
    private readonly TransactionOptions _options;
    private readonly SnapshotRegistry _snapshots;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private readonly Dictionary<long, TransactionState> _active = [];

    /// <summary>Open transactions by read sequence (count per sequence): the oldest one bounds what must be kept.</summary>
    private readonly SortedDictionary<long, int> _readSeqs = [];

    /// <summary>For each recorded key, the newest sequence that wrote it.</summary>
    private readonly Dictionary<byte[], long> _lastWrite = new(ByteArrayEqualityComparer.Instance);

    /// <summary>Recorded commits, oldest first.</summary>
    private readonly Queue<CommittedWrites> _committed = new();
    private long _trackedKeys;
    private long _nextId;
    private int _activeCount;

    public TransactionManager(TransactionOptions options, SnapshotRegistry snapshots, TimeProvider time)
    {
        options.Validate();
        _options = options;
        _snapshots = snapshots;
        _time = time;
    }

    /// <summary>
    /// True while a transaction is open: commits must then be recorded. A commit checks it after publishing its
    /// sequence and a full fence (see <see cref="Begin"/>).
    /// </summary>
    public bool HasActive
    {
        get
        {
            Interlocked.MemoryBarrier();
            return Volatile.Read(ref _activeCount) > 0;
        }
    }

    /// <summary>Keys of committed writes currently recorded (for tests and metrics).</summary>
    public long TrackedKeys
    {
        get
        {
            lock (_lock)
            {
                return _trackedKeys;
            }
        }
    }

    /// <summary>Open transactions (for tests and metrics).</summary>
    public int ActiveCount => Volatile.Read(ref _activeCount);

    /// <summary>
    /// Opens a transaction reading at the committed sequence, which <paramref name="committedSeq"/> reads. No write
    /// lock is needed: the transaction counts as open (a full fence) before the sequence is read, and a commit reads
    /// <see cref="HasActive"/> after a full fence that follows publishing its sequence, so either the transaction
    /// reads at or above that commit or the commit is recorded for it. Memtable flushes read the live snapshots under
    /// this manager's lock (<see cref="LiveSnapshotSeqs"/>), so they see the transaction or run before it read its
    /// sequence (then every row they flush is at or below it).
    /// </summary>
    public TransactionState Begin(Func<long> committedSeq, IsolationLevel level)
    {
        lock (_lock)
        {
            ExpireOldLocked();
            Interlocked.Exchange(ref _activeCount, _active.Count + 1);
            var readSeq = committedSeq();
            var state = new TransactionState(++_nextId, readSeq, level, _time.GetTimestamp());
            _active.Add(state.Id, state);
            _readSeqs[readSeq] = _readSeqs.TryGetValue(readSeq, out var count) ? count + 1 : 1;
            _snapshots.Register((ulong)readSeq);
            return state;
        }
    }

    /// <summary>The live snapshot sequences (snapshots and transactions), after expiring over-age transactions.</summary>
    public ulong[] LiveSnapshotSeqs()
    {
        lock (_lock)
        {
            ExpireOldLocked();
            return _snapshots.LiveSeqs();
        }
    }

    /// <summary>The oldest live snapshot sequence, after expiring over-age transactions; null when none.</summary>
    public ulong? MinLiveSnapshotSeq()
    {
        lock (_lock)
        {
            ExpireOldLocked();
            return _snapshots.MinLive();
        }
    }

    /// <summary>Throws when the transaction ended or expired (checking its age first).</summary>
    public void ThrowIfUnusable(TransactionState state)
    {
        // The common case, without the lock: open and young enough.
        if (!state.Ended && !IsTooOld(state, _time.GetTimestamp()))
        {
            return;
        }

        lock (_lock)
        {
            if (!state.Ended && IsTooOld(state, _time.GetTimestamp()))
            {
                ExpireLocked(state, ExpiredByAge());
            }

            ThrowIfUnusableLocked(state);
        }
    }

    /// <summary>
    /// Checks a transaction's commit against the recorded writes. Call under the database's write lock, just before
    /// the commit takes its sequence. On a conflict or expiry the transaction is ended and the error thrown.
    /// </summary>
    public void ValidateLocked(TransactionState state, TransactionFootprint footprint)
    {
        lock (_lock)
        {
            if (!state.Ended && IsTooOld(state, _time.GetTimestamp()))
            {
                ExpireLocked(state, ExpiredByAge());
            }

            ThrowIfUnusableLocked(state);
            var conflict = FindConflictLocked(state, footprint);
            if (conflict is not null)
            {
                EndLocked(state);
                throw new SlateDbException(SlateDbErrorKind.Transaction, $"Transaction {state.Id} conflicts with a commit after its start (sequence {state.ReadSeq}): {conflict}. Nothing was written; retry the transaction.");
            }
        }
    }

    /// <summary>
    /// Records a commit at <paramref name="seq"/> that wrote <paramref name="keys"/> (owned copies), and ends
    /// <paramref name="committing"/> when the commit is a transaction's. Call under the database's write lock, after
    /// the rows were applied.
    /// </summary>
    public void RecordLocked(long seq, byte[][] keys, TransactionState? committing)
    {
        lock (_lock)
        {
            if (committing is not null)
            {
                EndLocked(committing);
            }

            // Only open transactions (all started before this sequence) can conflict with this commit.
            if (_active.Count == 0 || keys.Length == 0)
            {
                return;
            }

            _committed.Enqueue(new CommittedWrites(seq, keys));
            foreach (var key in keys)
            {
                _lastWrite[key] = seq;
            }

            _trackedKeys += keys.Length;
            while (_trackedKeys > _options.MaxTrackedKeys && _active.Count > 0)
            {
                var oldest = OldestLocked();
                ExpireLocked(oldest, $"more than {_options.MaxTrackedKeys} keys were committed while it was open (TransactionOptions.MaxTrackedKeys)");
            }
        }
    }

    /// <summary>Ends a transaction without committing (a rollback); nothing happens if it already ended.</summary>
    public void End(TransactionState state)
    {
        if (state.Ended)
        {
            return;
        }

        lock (_lock)
        {
            EndLocked(state);
        }
    }

    private void ExpireOldLocked()
    {
        if (_active.Count == 0 || _options.MaxAge == Timeout.InfiniteTimeSpan)
        {
            return;
        }

        var now = _time.GetTimestamp();
        List<TransactionState>? old = null;
        foreach (var state in _active.Values)
        {
            if (IsTooOld(state, now))
            {
                (old ??= []).Add(state);
            }
        }

        foreach (var state in old ?? [])
        {
            ExpireLocked(state, ExpiredByAge());
        }
    }

    private string ExpiredByAge() => $"it was open longer than {_options.MaxAge} (TransactionOptions.MaxAge)";

    private bool IsTooOld(TransactionState state, long now) =>
        _options.MaxAge != Timeout.InfiniteTimeSpan && _time.GetElapsedTime(state.StartedTimestamp, now) > _options.MaxAge;

    private static void ThrowIfUnusableLocked(TransactionState state)
    {
        if (state.ExpiredReason is { } reason)
        {
            throw new SlateDbException(SlateDbErrorKind.Transaction, $"Transaction {state.Id} expired: {reason}. Its snapshot was released; start a new transaction.");
        }

        if (state.Ended)
        {
            throw new SlateDbException(SlateDbErrorKind.Invalid, $"Transaction {state.Id} has already been committed or rolled back.");
        }
    }

    private void ExpireLocked(TransactionState state, string reason)
    {
        if (state.Ended)
        {
            return;
        }

        state.ExpiredReason = reason;
        EndLocked(state);
    }

    private void EndLocked(TransactionState state)
    {
        if (state.Ended)
        {
            return;
        }

        state.Ended = true;
        _active.Remove(state.Id);
        var count = _readSeqs[state.ReadSeq];
        if (count == 1)
        {
            _readSeqs.Remove(state.ReadSeq);
        }
        else
        {
            _readSeqs[state.ReadSeq] = count - 1;
        }

        _snapshots.Unregister((ulong)state.ReadSeq);
        Volatile.Write(ref _activeCount, _active.Count);
        ReleaseLocked();
    }

    /// <summary>Drops the records no open transaction can conflict with: those at or below the oldest read sequence.</summary>
    private void ReleaseLocked()
    {
        if (_active.Count == 0)
        {
            _committed.Clear();
            _lastWrite.Clear();
            _lastWrite.TrimExcess();
            _trackedKeys = 0;
            return;
        }

        var oldest = MinReadSeqLocked();
        while (_committed.TryPeek(out var record) && record.Seq <= oldest)
        {
            _committed.Dequeue();
            foreach (var key in record.Keys)
            {
                if (_lastWrite.TryGetValue(key, out var seq) && seq == record.Seq)
                {
                    _lastWrite.Remove(key);
                }
            }

            _trackedKeys -= record.Keys.Length;
        }
    }

    private long MinReadSeqLocked()
    {
        foreach (var seq in _readSeqs.Keys)
        {
            return seq;
        }

        return long.MaxValue;
    }

    private TransactionState OldestLocked()
    {
        TransactionState? oldest = null;
        foreach (var state in _active.Values)
        {
            if (oldest is null || state.ReadSeq < oldest.ReadSeq || (state.ReadSeq == oldest.ReadSeq && state.Id < oldest.Id))
            {
                oldest = state;
            }
        }

        return oldest!;
    }

    private string? FindConflictLocked(TransactionState state, TransactionFootprint footprint)
    {
        foreach (var key in footprint.WriteKeys)
        {
            if (_lastWrite.TryGetValue(key, out var seq) && seq > state.ReadSeq)
            {
                return $"another commit (sequence {seq}) wrote key {Show(key)}, which it writes";
            }
        }

        if (state.Level != IsolationLevel.SerializableSnapshot)
        {
            return null;
        }

        foreach (var key in footprint.ReadKeys)
        {
            if (_lastWrite.TryGetValue(key, out var seq) && seq > state.ReadSeq)
            {
                return $"another commit (sequence {seq}) wrote key {Show(key)}, which it read";
            }
        }

        if (footprint.ReadRanges.Count == 0)
        {
            return null;
        }

        foreach (var record in _committed)
        {
            if (record.Seq <= state.ReadSeq)
            {
                continue;
            }

            foreach (var key in record.Keys)
            {
                foreach (var range in footprint.ReadRanges)
                {
                    if (range.Contains(key))
                    {
                        return $"another commit (sequence {record.Seq}) wrote key {Show(key)} inside a range it scanned";
                    }
                }
            }
        }

        return null;
    }

    private static string Show(byte[] key)
    {
        var text = new System.Text.StringBuilder();
        BytesDisplay.Append(text, key);
        return text.ToString();
    }

    private readonly record struct CommittedWrites(long Seq, byte[][] Keys);
}

/// <summary>What a committing transaction touched: the keys it writes (less the unmarked ones), read, and the ranges it scanned.</summary>
internal sealed record TransactionFootprint(byte[][] WriteKeys, IReadOnlyCollection<byte[]> ReadKeys, IReadOnlyList<KeyRange> ReadRanges);
