using SlateDB.Db;
using SlateDB.Format;
using SlateDB.Manifest;
using SlateDB.Transactions;

namespace SlateDB;

public sealed partial class SlateDb
{
    /// <summary>Writes a value. Returns once the write is committed in memory (or durable, with <see cref="WriteOptions.AwaitDurable"/>).</summary>
    /// <exception cref="ArgumentException">The key is empty or longer than 65,535 bytes.</exception>
    /// <exception cref="SlateDbException">Closed: the database is closed or was fenced.</exception>
    /// <remarks>
    /// A write that failed with Closed, or whose <paramref name="cancellationToken"/> fired, may still have been
    /// applied: the failure or the cancellation can come after the write was committed, while it waited for
    /// durability (<see cref="WriteOptions.AwaitDurable"/>) or while a close wrote it out. Such a write may be present
    /// after a reopen, or not, but never in part (a batch is all or nothing). Treat it as in doubt: read it back, or
    /// make it idempotent and repeat it.
    /// </remarks>
    public ValueTask<WriteHandle> PutAsync(ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> value, PutOptions? putOptions = null, WriteOptions? writeOptions = null, CancellationToken cancellationToken = default)
    {
        WriteBatch.ValidateKey(key.Span);
        var operation = new SingleOperation(key, value, RowKind.Value, (putOptions ?? PutOptions.Default).Ttl);
        return WriteCoreAsync(operation, writeOptions ?? WriteOptions.Default, cancellationToken);
    }

    /// <summary>Writes a UTF-8 string value under a UTF-8 string key.</summary>
    /// <remarks>A write that failed with Closed or was cancelled may still have been applied; see <see cref="PutAsync(ReadOnlyMemory{byte}, ReadOnlyMemory{byte}, PutOptions?, WriteOptions?, CancellationToken)"/>.</remarks>
    public ValueTask<WriteHandle> PutAsync(string key, string value, PutOptions? putOptions = null, WriteOptions? writeOptions = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        return PutAsync(System.Text.Encoding.UTF8.GetBytes(key), System.Text.Encoding.UTF8.GetBytes(value), putOptions, writeOptions, cancellationToken);
    }

    /// <summary>Deletes a key (writes a tombstone).</summary>
    /// <exception cref="ArgumentException">The key is empty or longer than 65,535 bytes.</exception>
    /// <exception cref="SlateDbException">Closed: the database is closed or was fenced.</exception>
    /// <remarks>
    /// A write that failed with Closed, or whose <paramref name="cancellationToken"/> fired, may still have been
    /// applied: the failure or the cancellation can come after the write was committed, while it waited for
    /// durability (<see cref="WriteOptions.AwaitDurable"/>) or while a close wrote it out. Such a write may be present
    /// after a reopen, or not, but never in part (a batch is all or nothing). Treat it as in doubt: read it back, or
    /// make it idempotent and repeat it.
    /// </remarks>
    public ValueTask<WriteHandle> DeleteAsync(ReadOnlyMemory<byte> key, WriteOptions? writeOptions = null, CancellationToken cancellationToken = default)
    {
        WriteBatch.ValidateKey(key.Span);
        var operation = new SingleOperation(key, ReadOnlyMemory<byte>.Empty, RowKind.Tombstone, Ttl.Default);
        return WriteCoreAsync(operation, writeOptions ?? WriteOptions.Default, cancellationToken);
    }

    /// <summary>Deletes a UTF-8 string key.</summary>
    /// <remarks>A write that failed with Closed or was cancelled may still have been applied; see <see cref="DeleteAsync(ReadOnlyMemory{byte}, WriteOptions?, CancellationToken)"/>.</remarks>
    public ValueTask<WriteHandle> DeleteAsync(string key, WriteOptions? writeOptions = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        return DeleteAsync(System.Text.Encoding.UTF8.GetBytes(key), writeOptions, cancellationToken);
    }

    /// <summary>Applies a batch atomically: all its rows get one sequence number and become visible together.</summary>
    /// <exception cref="SlateDbException">Invalid: the batch is empty. Closed: the database is closed or was fenced.</exception>
    /// <remarks>
    /// A write that failed with Closed, or whose <paramref name="cancellationToken"/> fired, may still have been
    /// applied: the failure or the cancellation can come after the write was committed, while it waited for
    /// durability (<see cref="WriteOptions.AwaitDurable"/>) or while a close wrote it out. Such a write may be present
    /// after a reopen, or not, but never in part (a batch is all or nothing). Treat it as in doubt: read it back, or
    /// make it idempotent and repeat it.
    /// </remarks>
    public ValueTask<WriteHandle> WriteAsync(WriteBatch batch, WriteOptions? writeOptions = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.IsEmpty)
        {
            throw new SlateDbException(SlateDbErrorKind.Invalid, "A write batch must hold at least one operation.");
        }

        if (batch.HasMerges)
        {
            // Merges within the batch are folded before the write lock (the operator may fail; nothing after the lock may).
            return WriteCoreAsync(ResolveBatchMerges(batch), writeOptions ?? WriteOptions.Default, cancellationToken);
        }

        return WriteCoreAsync(new BatchOperations(batch, batch.Count), writeOptions ?? WriteOptions.Default, cancellationToken);
    }

    private ValueTask<WriteHandle> WriteCoreAsync<TOperations>(TOperations operations, WriteOptions writeOptions, CancellationToken cancellationToken, TransactionCommit? transaction = null)
        where TOperations : IOperations
    {
        var activity = Diagnostics.DbTracing.Start("slatedb.write", _c.Metrics.DbName);
        if (activity is null)
        {
            return WriteUntracedAsync(operations, writeOptions, transaction, cancellationToken);
        }

        activity.SetTag("slatedb.rows", operations.Count);
        try
        {
            return Diagnostics.DbTracing.EndWhenDone(WriteUntracedAsync(operations, writeOptions, transaction, cancellationToken), activity);
        }
        catch (Exception e)
        {
            Diagnostics.DbTracing.Failed(activity, e);
            activity.Dispose();
            throw;
        }
    }

    private ValueTask<WriteHandle> WriteUntracedAsync<TOperations>(TOperations operations, WriteOptions writeOptions, TransactionCommit? transaction, CancellationToken cancellationToken)
        where TOperations : IOperations
    {
        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfClosed();
        if (NeedsBackpressure())
        {
            // The caller may reuse its buffers once this call returns: keep a copy while the write waits.
            return WaitThenWriteAsync(operations.Detach(), writeOptions, transaction, cancellationToken);
        }

        var handle = Commit(operations, transaction);
        return writeOptions.AwaitDurable ? AwaitDurableAsync(handle, cancellationToken) : ValueTask.FromResult(handle);
    }

    private async ValueTask<WriteHandle> WaitThenWriteAsync<TOperations>(TOperations operations, WriteOptions writeOptions, TransactionCommit? transaction, CancellationToken cancellationToken)
        where TOperations : IOperations
    {
        _c.Metrics.BackpressureWaits.Add(1);
        Interlocked.Increment(ref _backpressureWaiters);
        var stallStart = _c.TimeProvider.GetTimestamp();
        try
        {
            await WaitForBackpressureAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _backpressureWaiters);
            _c.Metrics.BackpressureStallTime.Add(_c.TimeProvider.GetElapsedTime(stallStart).TotalSeconds);
        }

        var handle = Commit(operations, transaction);
        if (writeOptions.AwaitDurable)
        {
            await _oracle.WaitDurableAsync(handle.Sequence, cancellationToken).ConfigureAwait(false);
        }

        return handle;
    }

    private async ValueTask<WriteHandle> AwaitDurableAsync(WriteHandle handle, CancellationToken cancellationToken)
    {
        await _oracle.WaitDurableAsync(handle.Sequence, cancellationToken).ConfigureAwait(false);
        return handle;
    }

    /// <summary>
    /// Assigns the sequence, appends the rows to the WAL buffer and the memtable, commits. All or nothing. A
    /// transaction's commit is first checked for conflicts (which throws and writes nothing); while transactions are
    /// open, every commit's keys are recorded for their checks.
    /// </summary>
    private WriteHandle Commit<TOperations>(TOperations operations, TransactionCommit? transaction = null)
        where TOperations : IOperations
    {
        long seq;
        long now;
        long bytes = 0;
        var walFull = false;
        lock (_writeLock)
        {
            ThrowIfClosed();
            if (transaction is not null)
            {
                _transactions.ValidateLocked(transaction.State, transaction.Footprint);
            }

            seq = _oracle.NextSeq();
            now = _clock.Now();
            var memtable = _state.Memtable;
            var walBuffer = _c.Options.WalEnabled ? _wal.Current : null;
            var defaultTtl = _c.Options.DefaultTtl;
            var count = operations.Count;
            for (var i = 0; i < count; i++)
            {
                operations.Get(i, out var key, out var value, out var kind, out var ttl);
                var row = kind switch
                {
                    RowKind.Tombstone => RowEntry.Delete(key, (ulong)seq, createTs: now),
                    RowKind.Merge => RowEntry.MergeOperand(key, value, (ulong)seq, createTs: now, expireTs: ttl.ExpireTsFor(now, defaultTtl)),
                    _ => RowEntry.Put(key, value, (ulong)seq, createTs: now, expireTs: ttl.ExpireTsFor(now, defaultTtl)),
                };

                // The memtable keeps a copy; the WAL buffer shares it, so the caller's buffers are free again.
                memtable.Put(row, out var stored);
                walBuffer?.AppendStored(stored);

                bytes += key.Length + value.Length;
            }

            _oracle.Commit(seq);
            if (transaction is not null)
            {
                _transactions.RecordLocked(seq, transaction.Footprint.WriteKeys, transaction.State);
            }
            else if (_transactions.HasActive)
            {
                _transactions.RecordLocked(seq, WrittenKeys(operations), committing: null);
            }

            RecordSequenceLocked(seq, now);
            if (memtable.EstimatedSize >= _c.Options.L0SstSizeBytes)
            {
                FreezeMemtableLocked();
            }

            walFull = walBuffer is not null && walBuffer.EstimatedSize >= _c.Options.L0SstSizeBytes;
        }

        if (walFull)
        {
            RequestWalFlush();
        }

        _c.Metrics.WriteBatches.Add(1);
        _c.Metrics.WriteRows.Add(operations.Count);
        _c.Metrics.WriteBytes.Add(bytes);
        return new WriteHandle(seq, DateTimeOffset.FromUnixTimeMilliseconds(now), _awaitDurable ??= _oracle.WaitDurableAsync);
    }

    private Func<long, CancellationToken, Task>? _awaitDurable;

    /// <summary>Freezes the active memtable and queues it for its L0 flush. Call under the write lock.</summary>
    private void FreezeMemtableLocked()
    {
        var memtable = _state.Memtable;
        if (memtable.IsEmpty)
        {
            return;
        }

        memtable.Freeze();

        // Every WAL object flushed so far holds only rows at or below this memtable's last sequence, so after this
        // memtable reaches L0, replay may start after the last flushed WAL id.
        var frozen = new FrozenMemtable(memtable, _wal.LastFlushedWalId, _memtableSequences);
        _memtableSequences = SequenceTracker.Empty;
        _memtableSequenceSecond = null;
        var fresh = NewMemtable();
        SwapState(state => state with { Memtable = fresh, Frozen = state.Frozen.Insert(0, frozen) });
        _flushSignal.Set();
    }

    private SequenceTracker _memtableSequences = SequenceTracker.Empty;
    private long? _memtableSequenceSecond;

    /// <summary>
    /// As SlateDB's writes: the active memtable's sequence tracker records (sequence, wall-clock time) at most once per
    /// interval; the L0 flush adds these pairs to the manifest's tracker. Call under the write lock.
    /// </summary>
    private void RecordSequenceLocked(long seq, long clockMillis)
    {
        // The database clock never runs behind the wall clock, so while it says the interval has not passed, neither
        // has it by the wall clock: most writes skip reading the time a second time.
        if (_memtableSequenceSecond is { } last && (clockMillis / 1000) - last < SequenceTracker.DefaultIntervalSeconds)
        {
            return;
        }

        var now = _c.TimeProvider.GetUtcNow();
        var second = now.ToUnixTimeSeconds();
        if (_memtableSequenceSecond is { } previous && second - previous < SequenceTracker.DefaultIntervalSeconds)
        {
            return;
        }

        _memtableSequences = _memtableSequences.Record((ulong)seq, now);
        _memtableSequenceSecond = second;
    }

    private bool NeedsBackpressure()
    {
        var state = State;
        if (state.UnflushedBytes >= _c.Options.MaxUnflushedBytes)
        {
            return true;
        }

        // Under a memory budget what the memtables hold in memory counts (arena chunks and skip-list nodes, about 1.4x
        // the row estimate for small rows). Writers wait for it only while a frozen memtable is queued, whose flush
        // frees memory: the active one alone is bounded by the L0 size and never makes writers wait on itself.
        return _c.Options.MemoryBudgetBytes is not null && !state.Frozen.IsEmpty && state.MemtableMemoryBytes >= _c.Options.MaxUnflushedBytes;
    }

    private async Task WaitForBackpressureAsync(CancellationToken cancellationToken)
    {
        while (NeedsBackpressure())
        {
            ThrowIfClosed();
            var progress = Volatile.Read(ref _flushProgress).Task;
            if (!NeedsBackpressure())
            {
                return;
            }

            await progress.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Operations of one write, without boxing.</summary>
    private interface IOperations
    {
        int Count { get; }

        void Get(int index, out ReadOnlyMemory<byte> key, out ReadOnlyMemory<byte> value, out RowKind kind, out Ttl ttl);

        /// <summary>The same operations, no longer depending on buffers the caller may reuse.</summary>
        IOperations Detach();
    }

    /// <summary>One put, delete or merge over the caller's memory, which the memtable copies at commit.</summary>
    private readonly record struct SingleOperation(ReadOnlyMemory<byte> Key, ReadOnlyMemory<byte> Value, RowKind Kind, Ttl Ttl) : IOperations
    {
        public int Count => 1;

        public void Get(int index, out ReadOnlyMemory<byte> key, out ReadOnlyMemory<byte> value, out RowKind kind, out Ttl ttl)
        {
            key = Key;
            value = Value;
            kind = Kind;
            ttl = Ttl;
        }

        public IOperations Detach() => this with { Key = Key.ToArray(), Value = Value.ToArray() };
    }

    /// <summary>The first <paramref name="count"/> operations of a batch, which holds its own copies.</summary>
    private readonly struct BatchOperations(WriteBatch batch, int count) : IOperations
    {
        public int Count => count;

        public void Get(int index, out ReadOnlyMemory<byte> key, out ReadOnlyMemory<byte> value, out RowKind kind, out Ttl ttl) =>
            batch.GetOperationKind(index, out key, out value, out kind, out ttl);

        public IOperations Detach() => this;
    }
}
