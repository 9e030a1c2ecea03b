using System.Text;
using SlateDB.Format;
using SlateDB.Merge;

namespace SlateDB;

public sealed partial class SlateDb
{
    /// <summary>
    /// Writes a merge operand (SlateDB's <c>merge</c>): reads return the key's value with every operand written since
    /// folded into it by the merge operator, in write order. Returns once the write is committed in memory (or durable,
    /// with <see cref="WriteOptions.AwaitDurable"/>).
    /// </summary>
    /// <exception cref="ArgumentException">The key is empty or longer than 65,535 bytes.</exception>
    /// <exception cref="SlateDbException">
    /// Invalid: the database was opened without a merge operator (<see cref="SlateDbBuilder.WithMergeOperator"/>).
    /// Closed: the database is closed or was fenced.
    /// </exception>
    /// <remarks>A write that failed with Closed or was cancelled may still have been applied; see <see cref="PutAsync(ReadOnlyMemory{byte}, ReadOnlyMemory{byte}, PutOptions?, WriteOptions?, CancellationToken)"/>.</remarks>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "String and bytes overloads, as Put/PutAsync: they differ in a required parameter's type, which no argument converts to both, so omitting the optional ones is never ambiguous.")]
    public ValueTask<WriteHandle> MergeAsync(ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> operand, MergeOptions? options = null, WriteOptions? writeOptions = null, CancellationToken cancellationToken = default)
    {
        WriteBatch.ValidateKey(key.Span);
        if (_c.Merge is null)
        {
            throw MergeFolder.MissingOperatorForWrite();
        }

        var operation = new SingleOperation(key, operand, RowKind.Merge, (options ?? MergeOptions.Default).Ttl);
        return WriteCoreAsync(operation, writeOptions ?? WriteOptions.Default, cancellationToken);
    }

    /// <summary>Writes a UTF-8 string merge operand under a UTF-8 string key; see <see cref="MergeAsync(ReadOnlyMemory{byte}, ReadOnlyMemory{byte}, MergeOptions?, WriteOptions?, CancellationToken)"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> or <paramref name="operand"/> is null.</exception>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "String and bytes overloads, as Put/PutAsync: they differ in a required parameter's type, which no argument converts to both, so omitting the optional ones is never ambiguous.")]
    public ValueTask<WriteHandle> MergeAsync(string key, string operand, MergeOptions? options = null, WriteOptions? writeOptions = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(operand);
        return MergeAsync(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(operand), options, writeOptions, cancellationToken);
    }

    /// <summary>Writes a binary merge operand under a UTF-8 string key; see <see cref="MergeAsync(ReadOnlyMemory{byte}, ReadOnlyMemory{byte}, MergeOptions?, WriteOptions?, CancellationToken)"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is null.</exception>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "A string/bytes overload, as PutAsync: overloads differ in a required parameter's type, which no argument converts to both, so omitting the optional ones is never ambiguous.")]
    public ValueTask<WriteHandle> MergeAsync(string key, ReadOnlyMemory<byte> operand, MergeOptions? options = null, WriteOptions? writeOptions = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        return MergeAsync(Encoding.UTF8.GetBytes(key), operand, options, writeOptions, cancellationToken);
    }

    /// <summary>
    /// A batch with merges as the rows it writes: each key's merges folded over its put or delete in the batch (the
    /// row becomes a value) or with each other (the row stays an operand), as SlateDB pre-folds a batch.
    /// </summary>
    /// <exception cref="SlateDbException">
    /// Invalid: no merge operator, one key's operations would expire at different times, or the operator failed.
    /// </exception>
    /// <summary>The configured merge operator's folder (transactions fold their own operands with it); null when none.</summary>
    internal MergeFolder? MergeFolder => _c.Merge;

    private ResolvedOperations ResolveBatchMerges(WriteBatch batch)
    {
        var merge = _c.Merge ?? throw MergeFolder.MissingOperatorForWrite();
        var probeNow = _clock.Now();
        var defaultTtl = _c.Options.DefaultTtl;
        var resolved = new ResolvedOperations(batch.Count);
        var chain = new List<(ReadOnlyMemory<byte> Value, RowKind Kind, Ttl Ttl)>();
        var operands = new List<ReadOnlyMemory<byte>>();
        for (var i = 0; i < batch.Count; i++)
        {
            batch.GetOperationKind(i, out var key, out var value, out var kind, out var ttl);
            if (kind != RowKind.Merge || !batch.HasEarlierOperations(i))
            {
                resolved.Add(key, value, kind, ttl);
                continue;
            }

            batch.GetOperationChain(i, chain);
            var first = chain[0];
            var expiry = first.Kind == RowKind.Tombstone ? null : first.Ttl.ExpireTsFor(probeNow, defaultTtl);
            operands.Clear();
            for (var j = 0; j < chain.Count; j++)
            {
                var op = chain[j];
                var opExpiry = op.Kind == RowKind.Tombstone ? null : op.Ttl.ExpireTsFor(probeNow, defaultTtl);
                if (opExpiry != expiry)
                {
                    throw new SlateDbException(SlateDbErrorKind.Invalid, "A write batch holds operations on one key that expire at different times (a merge's TTL differs from the key's earlier put, delete or merge in the batch); SlateDB rejects such a batch too.");
                }

                if (op.Kind == RowKind.Merge)
                {
                    operands.Add(op.Value);
                }
            }

            var hasBase = first.Kind == RowKind.Value;
            var folded = merge.Fold(key.Span, hasBase, hasBase ? first.Value.Span : [], operands);
            resolved.Add(key, folded, first.Kind == RowKind.Merge ? RowKind.Merge : RowKind.Value, ttl);
        }

        return resolved;
    }

    /// <summary>A batch's rows after its merges were folded; holds slices of the batch's copy and the folded values.</summary>
    private sealed class ResolvedOperations(int capacity) : IOperations
    {
        private readonly List<(ReadOnlyMemory<byte> Key, ReadOnlyMemory<byte> Value, RowKind Kind, Ttl Ttl)> _rows = new(capacity);

        public int Count => _rows.Count;

        public void Add(ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> value, RowKind kind, Ttl ttl) => _rows.Add((key, value, kind, ttl));

        public void Get(int index, out ReadOnlyMemory<byte> key, out ReadOnlyMemory<byte> value, out RowKind kind, out Ttl ttl) =>
            (key, value, kind, ttl) = _rows[index];

        public IOperations Detach() => this;
    }
}
