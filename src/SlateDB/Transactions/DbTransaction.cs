using System.Text;
using SlateDB.Common;
using SlateDB.Format;
using SlateDB.ReadPath;
using SlateDB.Transactions;

namespace SlateDB;

/// <summary>
/// A transaction (SlateDB's <c>DbTransaction</c>): reads see the database as of <see cref="ReadSequence"/> with the
/// transaction's own uncommitted writes laid over it; writes are buffered and applied by <see cref="CommitAsync"/> as
/// one atomic batch at one sequence number, or not at all when the commit conflicts (see <see cref="IsolationLevel"/>
/// and docs/transactions.md). Disposing it without a commit rolls it back. Thread-safe, but the calls of one
/// transaction are usually made one after another.
/// </summary>
public sealed class DbTransaction : IAsyncDisposable
{
    private readonly SlateDb _db;
    private readonly TransactionManager _manager;
    private readonly TransactionState _state;
    private readonly Lock _gate = new();
    private readonly WriteSet _writes = new();
    private HashSet<byte[]>? _readKeys;
    private List<KeyRange>? _readRanges;
    private HashSet<byte[]>? _unmarked;
    private bool _finished;

    internal DbTransaction(SlateDb db, TransactionManager manager, TransactionState state)
    {
        _db = db;
        _manager = manager;
        _state = state;
    }

    /// <summary>The transaction's id, unique within this open database.</summary>
    public long Id => _state.Id;

    /// <summary>The sequence number its reads see the database at (the last committed one when it began).</summary>
    public long ReadSequence => _state.ReadSeq;

    /// <summary>Its isolation level.</summary>
    public IsolationLevel IsolationLevel => _state.Level;

    /// <summary>
    /// Reads a key's value: the transaction's own write if it made one (null for its delete), else the value as of
    /// <see cref="ReadSequence"/>; null when absent, deleted or expired.
    /// </summary>
    /// <exception cref="ArgumentException">The key is empty or longer than 65,535 bytes.</exception>
    /// <exception cref="SlateDbException">
    /// Transaction: the transaction expired. Invalid: it was committed or rolled back. Closed: the database is closed.
    /// </exception>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "String/bytes overloads as SlateDb's: they differ in a required parameter's type, which no argument converts to both.")]
    public async ValueTask<byte[]?> GetAsync(ReadOnlyMemory<byte> key, ReadOptions? options = null, CancellationToken cancellationToken = default)
    {
        var row = await GetRowAsync(key, options, cancellationToken).ConfigureAwait(false);
        return row is { } found ? found.Value.ToArray() : null;
    }

    /// <summary>Reads the value of a UTF-8 string key as a UTF-8 string, as <see cref="GetAsync(ReadOnlyMemory{byte}, ReadOptions?, CancellationToken)"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is null.</exception>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "String/bytes overloads as SlateDb's: they differ in a required parameter's type, which no argument converts to both.")]
    public async ValueTask<string?> GetAsync(string key, ReadOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        var row = await GetRowAsync(Encoding.UTF8.GetBytes(key), options, cancellationToken).ConfigureAwait(false);
        return row is { } found ? Encoding.UTF8.GetString(found.Value.Span) : null;
    }

    /// <summary>
    /// Reads a key's value and metadata, as <see cref="GetAsync(ReadOnlyMemory{byte}, ReadOptions?, CancellationToken)"/>.
    /// For the transaction's own uncommitted write the sequence is <see cref="long.MaxValue"/> and the create time the
    /// Unix epoch (both are set at commit).
    /// </summary>
    public async ValueTask<KeyValue?> GetKeyValueAsync(ReadOnlyMemory<byte> key, ReadOptions? options = null, CancellationToken cancellationToken = default)
    {
        var row = await GetRowAsync(key, options, cancellationToken).ConfigureAwait(false);
        return row is { } found ? SlateDb.PointReadResult(found) : null;
    }

    /// <summary>
    /// Scans a range as of <see cref="ReadSequence"/> with the transaction's own writes laid over it (its deletes hide
    /// rows, its puts add or replace them). Under <see cref="IsolationLevel.SerializableSnapshot"/> the whole range
    /// asked for is read, for the conflict check, whatever the scan returns.
    /// </summary>
    public IAsyncEnumerable<KeyValue> ScanAsync(KeyRange range, ScanOptions? options = null, CancellationToken cancellationToken = default)
    {
        TrackRange(range);
        return new ScanEnumerable(token => OpenIteratorAsync(range, options, token), cancellationToken);
    }

    /// <summary>Scans the keys that start with <paramref name="prefix"/>, as <see cref="ScanAsync"/>.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "String/bytes overloads as SlateDb's: they differ in a required parameter's type, which no argument converts to both.")]
    public IAsyncEnumerable<KeyValue> ScanPrefixAsync(ReadOnlyMemory<byte> prefix, ScanOptions? options = null, CancellationToken cancellationToken = default) =>
        ScanAsync(KeyRange.Prefix(prefix), options, cancellationToken);

    /// <summary>Scans the keys that start with the UTF-8 bytes of <paramref name="prefix"/>, as <see cref="ScanAsync"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="prefix"/> is null.</exception>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "String/bytes overloads as SlateDb's: they differ in a required parameter's type, which no argument converts to both.")]
    public IAsyncEnumerable<KeyValue> ScanPrefixAsync(string prefix, ScanOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        return ScanPrefixAsync(Encoding.UTF8.GetBytes(prefix), options, cancellationToken);
    }

    /// <summary>
    /// Creates an iterator over a range, as <see cref="ScanAsync"/>: it sees the transaction's writes made before it
    /// was created. Dispose it when done.
    /// </summary>
    public ValueTask<DbIterator> CreateIteratorAsync(KeyRange range, ScanOptions? options = null, CancellationToken cancellationToken = default)
    {
        TrackRange(range);
        return OpenIteratorAsync(range, options, cancellationToken);
    }

    /// <summary>Buffers a put; it is applied by <see cref="CommitAsync"/> (its TTL counts from the commit).</summary>
    /// <exception cref="ArgumentException">The key is empty or longer than 65,535 bytes.</exception>
    /// <exception cref="SlateDbException">Transaction: the transaction expired. Invalid: it was committed or rolled back.</exception>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "String/bytes overloads as SlateDb's: they differ in a required parameter's type, which no argument converts to both.")]
    public ValueTask PutAsync(ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> value, PutOptions? putOptions = null, CancellationToken cancellationToken = default)
    {
        WriteBatch.ValidateKey(key.Span);
        cancellationToken.ThrowIfCancellationRequested();
        var ttl = (putOptions ?? PutOptions.Default).Ttl;
        lock (_gate)
        {
            ThrowIfUnusableLocked();
            _writes.Put(key.ToArray(), value.ToArray(), ttl);
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Buffers a put of a UTF-8 string value under a UTF-8 string key.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> or <paramref name="value"/> is null.</exception>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "String/bytes overloads as SlateDb's: they differ in a required parameter's type, which no argument converts to both.")]
    public ValueTask PutAsync(string key, string value, PutOptions? putOptions = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        return PutAsync(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(value), putOptions, cancellationToken);
    }

    /// <summary>
    /// Buffers a merge operand (<see cref="SlateDb.MergeAsync(ReadOnlyMemory{byte}, ReadOnlyMemory{byte}, MergeOptions?, WriteOptions?, CancellationToken)"/>);
    /// it is applied by <see cref="CommitAsync"/>, where it folds over the value the key holds then. Reads in this
    /// transaction see it folded over the value at <see cref="ReadSequence"/>. A merge counts as a write for conflicts.
    /// </summary>
    /// <exception cref="ArgumentException">The key is empty or longer than 65,535 bytes.</exception>
    /// <exception cref="SlateDbException">
    /// Invalid: the database has no merge operator, the transaction already wrote the key with another TTL, the operator
    /// failed, or the transaction was committed or rolled back. Transaction: the transaction expired.
    /// </exception>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "String/bytes overloads as SlateDb's: they differ in a required parameter's type, which no argument converts to both.")]
    public ValueTask MergeAsync(ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> operand, MergeOptions? options = null, CancellationToken cancellationToken = default)
    {
        WriteBatch.ValidateKey(key.Span);
        cancellationToken.ThrowIfCancellationRequested();
        var folder = _db.MergeFolder ?? throw Merge.MergeFolder.MissingOperatorForWrite();
        var ttl = (options ?? MergeOptions.Default).Ttl;
        lock (_gate)
        {
            ThrowIfUnusableLocked();
            _writes.Merge(key.ToArray(), operand.ToArray(), ttl, folder);
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Buffers a merge of a UTF-8 string operand under a UTF-8 string key.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> or <paramref name="operand"/> is null.</exception>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "String/bytes overloads as SlateDb's: they differ in a required parameter's type, which no argument converts to both.")]
    public ValueTask MergeAsync(string key, string operand, MergeOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(operand);
        return MergeAsync(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(operand), options, cancellationToken);
    }

    /// <summary>Buffers a delete; it is applied by <see cref="CommitAsync"/>.</summary>
    /// <exception cref="ArgumentException">The key is empty or longer than 65,535 bytes.</exception>
    /// <exception cref="SlateDbException">Transaction: the transaction expired. Invalid: it was committed or rolled back.</exception>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "String/bytes overloads as SlateDb's: they differ in a required parameter's type, which no argument converts to both.")]
    public ValueTask DeleteAsync(ReadOnlyMemory<byte> key, CancellationToken cancellationToken = default)
    {
        WriteBatch.ValidateKey(key.Span);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            ThrowIfUnusableLocked();
            _writes.Delete(key.ToArray());
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Buffers a delete of a UTF-8 string key.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is null.</exception>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "String/bytes overloads as SlateDb's: they differ in a required parameter's type, which no argument converts to both.")]
    public ValueTask DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        return DeleteAsync(Encoding.UTF8.GetBytes(key), cancellationToken);
    }

    /// <summary>
    /// Adds keys to what the transaction read, without reading them: under
    /// <see cref="IsolationLevel.SerializableSnapshot"/> its commit then conflicts with later commits that wrote them.
    /// (Under <see cref="IsolationLevel.Snapshot"/> reads are not checked and this has no effect.)
    /// </summary>
    public void MarkRead(params ReadOnlyMemory<byte>[] keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        lock (_gate)
        {
            ThrowIfUnusableLocked();
            foreach (var key in keys)
            {
                WriteBatch.ValidateKey(key.Span, nameof(keys));
                if (_state.Level == IsolationLevel.SerializableSnapshot)
                {
                    (_readKeys ??= new(ByteArrayEqualityComparer.Instance)).Add(key.ToArray());
                }
            }
        }
    }

    /// <summary>Adds UTF-8 string keys to what the transaction read, as <see cref="MarkRead(ReadOnlyMemory{byte}[])"/>.</summary>
    public void MarkRead(params string[] keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        MarkRead([.. keys.Select(key => (ReadOnlyMemory<byte>)Encoding.UTF8.GetBytes(key ?? throw new ArgumentNullException(nameof(keys))))]);
    }

    /// <summary>
    /// Leaves keys out of conflict detection: the transaction still writes them, but its commit does not conflict over
    /// them, and other transactions do not conflict with its writes to them.
    /// </summary>
    public void UnmarkWrite(params ReadOnlyMemory<byte>[] keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        lock (_gate)
        {
            ThrowIfUnusableLocked();
            foreach (var key in keys)
            {
                WriteBatch.ValidateKey(key.Span, nameof(keys));
                (_unmarked ??= new(ByteArrayEqualityComparer.Instance)).Add(key.ToArray());
            }
        }
    }

    /// <summary>Leaves UTF-8 string keys out of conflict detection, as <see cref="UnmarkWrite(ReadOnlyMemory{byte}[])"/>.</summary>
    public void UnmarkWrite(params string[] keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        UnmarkWrite([.. keys.Select(key => (ReadOnlyMemory<byte>)Encoding.UTF8.GetBytes(key ?? throw new ArgumentNullException(nameof(keys))))]);
    }

    /// <summary>
    /// Commits: checks for conflicts and applies every buffered write as one batch at one sequence number, durable as
    /// any write (<see cref="WriteOptions.AwaitDurable"/>). A transaction that wrote nothing returns a handle at its
    /// <see cref="ReadSequence"/>. The transaction is over afterwards, whatever the outcome.
    /// </summary>
    /// <exception cref="SlateDbException">
    /// Transaction: a conflict (nothing was written; retry the transaction) or the transaction expired. Invalid: it was
    /// already committed or rolled back. Closed: the database is closed.
    /// </exception>
    public async ValueTask<WriteHandle> CommitAsync(WriteOptions? options = null, CancellationToken cancellationToken = default)
    {
        KeyValuePair<byte[], PendingWrite>[] writes;
        TransactionCommit commit;
        lock (_gate)
        {
            ThrowIfUnusableLocked();
            _finished = true;
            writes = _writes.Ordered();
            commit = new TransactionCommit(_state, new TransactionFootprint(ConflictKeys(writes), (IReadOnlyCollection<byte[]>?)_readKeys ?? [], (IReadOnlyList<KeyRange>?)_readRanges ?? []));
        }

        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (writes.Length == 0)
            {
                // Nothing to apply: a read-only transaction is serializable at its snapshot.
                _manager.ThrowIfUnusable(_state);
                _manager.End(_state);
                return _db.EmptyCommitHandle(_state.ReadSeq);
            }

            return await _db.CommitTransactionAsync(writes, commit, options ?? WriteOptions.Default, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // Committed, conflicted or failed: the transaction is over either way (a no-op when the commit ended it).
            _manager.End(_state);
        }
    }

    /// <summary>Discards the buffered writes and ends the transaction; nothing happens when it already ended.</summary>
    public void Rollback()
    {
        lock (_gate)
        {
            if (_finished)
            {
                return;
            }

            _finished = true;
        }

        _manager.End(_state);
    }

    /// <summary>Rolls the transaction back unless it was committed.</summary>
    public ValueTask DisposeAsync()
    {
        Rollback();
        return ValueTask.CompletedTask;
    }

    /// <summary>The written keys that take part in conflict detection: all but the unmarked ones.</summary>
    private byte[][] ConflictKeys(KeyValuePair<byte[], PendingWrite>[] writes)
    {
        var keys = new byte[writes.Length][];
        var count = 0;
        foreach (var (key, _) in writes)
        {
            if (_unmarked is null || !_unmarked.Contains(key))
            {
                keys[count++] = key;
            }
        }

        return count == keys.Length ? keys : keys[..count];
    }

    private async ValueTask<RowEntry?> GetRowAsync(ReadOnlyMemory<byte> key, ReadOptions? options, CancellationToken cancellationToken)
    {
        WriteBatch.ValidateKey(key.Span);
        var owned = key.ToArray();
        PendingWrite pending;
        lock (_gate)
        {
            ThrowIfUnusableLocked();
            if (_writes.TryGet(owned, out pending) && pending.Kind != RowKind.Merge)
            {
                return pending.Kind == RowKind.Tombstone ? null : RowEntry.Put(owned, pending.Value, WriteSetRowIterator.PendingSeq);
            }

            if (_state.Level == IsolationLevel.SerializableSnapshot)
            {
                (_readKeys ??= new(ByteArrayEqualityComparer.Instance)).Add(owned);
            }
        }

        var row = await _db.GetRowAsync(owned, options ?? ReadOptions.Default, (ulong)_state.ReadSeq, cancellationToken).ConfigureAwait(false);
        if (pending.Kind != RowKind.Merge)
        {
            return row;
        }

        // The transaction's own operand folds over what the database holds at the read sequence.
        var folder = _db.MergeFolder ?? throw Merge.MergeFolder.MissingOperator();
        var folded = folder.Fold(owned, row is not null, row is { } baseRow ? baseRow.Value.Span : [], [pending.Value]);
        return RowEntry.Put(owned, folded, WriteSetRowIterator.PendingSeq);
    }

    private ValueTask<DbIterator> OpenIteratorAsync(KeyRange range, ScanOptions? options, CancellationToken cancellationToken)
    {
        KeyValuePair<byte[], PendingWrite>[] writes;
        lock (_gate)
        {
            ThrowIfUnusableLocked();
            writes = _writes.Ordered();
        }

        return _db.CreateTransactionIteratorAsync(range, options ?? ScanOptions.Default, (ulong)_state.ReadSeq, (r, order) => new WriteSetRowIterator(writes, r, order), cancellationToken);
    }

    /// <summary>Checks the transaction is usable and, when serializable, records a scanned range for the conflict check.</summary>
    private void TrackRange(KeyRange range)
    {
        // The caller may reuse the range's buffers: keep copies.
        var owned = _state.Level == IsolationLevel.SerializableSnapshot
            ? KeyRange.Create(range.Start?.ToArray(), range.StartInclusive, range.End?.ToArray(), range.EndInclusive)
            : default;
        lock (_gate)
        {
            ThrowIfUnusableLocked();
            if (_state.Level == IsolationLevel.SerializableSnapshot)
            {
                (_readRanges ??= []).Add(owned);
            }
        }
    }

    private void ThrowIfUnusableLocked()
    {
        if (_finished && !_state.Ended)
        {
            throw new SlateDbException(SlateDbErrorKind.Invalid, $"Transaction {_state.Id} is being committed.");
        }

        _manager.ThrowIfUnusable(_state);
    }
}
