using SlateDB.Transactions;

namespace SlateDB;

public sealed partial class SlateDb
{
    private readonly TransactionManager _transactions;
    private Func<long>? _readCommittedSeq;

    /// <summary>
    /// Begins a transaction reading at the current committed sequence (see <see cref="DbTransaction"/> and
    /// docs/transactions.md). Dispose it, commit it or roll it back: while open it holds its snapshot's versions.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="level"/> is not a defined level.</exception>
    /// <exception cref="SlateDbException">Closed: the database is closed or was fenced.</exception>
    public ValueTask<DbTransaction> BeginTransactionAsync(IsolationLevel level = IsolationLevel.Snapshot, CancellationToken cancellationToken = default)
    {
        if (level is not IsolationLevel.Snapshot and not IsolationLevel.SerializableSnapshot)
        {
            throw new ArgumentOutOfRangeException(nameof(level), level, "Not a defined isolation level.");
        }

        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfClosed();
        var state = _transactions.Begin(_readCommittedSeq ??= () => _oracle.CommittedSeq, level);
        return ValueTask.FromResult(new DbTransaction(this, _transactions, state));
    }

    /// <summary>Transactions open now (for tests and diagnostics).</summary>
    internal int OpenTransactionCount => _transactions.ActiveCount;

    /// <summary>Keys of committed writes remembered for open transactions' conflict checks (for tests and diagnostics).</summary>
    internal long TrackedTransactionKeys => _transactions.TrackedKeys;

    /// <summary>Commits a transaction's writes as one batch at one sequence, after its conflict check.</summary>
    internal ValueTask<WriteHandle> CommitTransactionAsync(KeyValuePair<byte[], PendingWrite>[] writes, TransactionCommit transaction, WriteOptions writeOptions, CancellationToken cancellationToken) =>
        WriteCoreAsync(new TransactionOperations(writes), writeOptions, cancellationToken, transaction);

    /// <summary>A handle for a commit that wrote nothing: it reads as the transaction's read sequence.</summary>
    internal WriteHandle EmptyCommitHandle(long readSeq) =>
        new(readSeq, DateTimeOffset.FromUnixTimeMilliseconds(_clock.Now()), _awaitDurable ??= _oracle.WaitDurableAsync);

    /// <summary>
    /// A transaction's buffered writes as the operations of one write (the transaction's own copies, so nothing to
    /// detach).
    /// </summary>
    private readonly struct TransactionOperations(KeyValuePair<byte[], PendingWrite>[] writes) : IOperations
    {
        public int Count => writes.Length;

        public void Get(int index, out ReadOnlyMemory<byte> key, out ReadOnlyMemory<byte> value, out Format.RowKind kind, out Ttl ttl)
        {
            var (k, write) = writes[index];
            if (write.Kind is not (Format.RowKind.Value or Format.RowKind.Tombstone or Format.RowKind.Merge))
            {
                throw new SlateDbException(SlateDbErrorKind.Internal, $"A transaction buffered a write of kind {write.Kind}, which it cannot commit.");
            }

            key = k;
            value = write.Value;
            kind = write.Kind;
            ttl = write.Ttl;
        }

        public IOperations Detach() => this;
    }

    /// <summary>Owned copies of the keys a plain write wrote, recorded while transactions are open.</summary>
    private static byte[][] WrittenKeys<TOperations>(TOperations operations)
        where TOperations : IOperations
    {
        var keys = new byte[operations.Count][];
        for (var i = 0; i < keys.Length; i++)
        {
            operations.Get(i, out var key, out _, out _, out _);
            keys[i] = key.ToArray();
        }

        return keys;
    }
}
