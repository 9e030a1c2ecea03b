using SlateDB.Db;
using SlateDB.ReadPath;
using SlateDB.Iterators;

namespace SlateDB;

public sealed partial class SlateDb
{
    private readonly SnapshotRegistry _snapshots = new();

    /// <summary>
    /// Scans a range: each key's newest visible value, in key order (or reverse, with <see cref="ScanOptions.Order"/>),
    /// skipping deleted and expired keys. The scan sees the database as of its start.
    /// </summary>
    public IAsyncEnumerable<KeyValue> ScanAsync(KeyRange range, ScanOptions? options = null, CancellationToken cancellationToken = default) =>
        ScanCoreAsync(range, options ?? ScanOptions.Default, ulong.MaxValue, cancellationToken);

    /// <summary>Scans the keys that start with <paramref name="prefix"/>.</summary>
    public IAsyncEnumerable<KeyValue> ScanPrefixAsync(ReadOnlyMemory<byte> prefix, ScanOptions? options = null, CancellationToken cancellationToken = default) =>
        ScanAsync(KeyRange.Prefix(prefix), options, cancellationToken);

    /// <summary>Scans the keys that start with the UTF-8 bytes of <paramref name="prefix"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="prefix"/> is null.</exception>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "A string/bytes overload of a shipped method: overloads differ in a required parameter's type, which no argument converts to both, so omitting the optional ones is never ambiguous.")]
    public IAsyncEnumerable<KeyValue> ScanPrefixAsync(string prefix, ScanOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        return ScanPrefixAsync(System.Text.Encoding.UTF8.GetBytes(prefix), options, cancellationToken);
    }

    /// <summary>Creates an iterator over a range (see <see cref="DbIterator"/>); dispose it when done.</summary>
    public ValueTask<DbIterator> CreateIteratorAsync(KeyRange range, ScanOptions? options = null, CancellationToken cancellationToken = default) =>
        CreateIteratorCoreAsync(range, options ?? ScanOptions.Default, ulong.MaxValue, cancellationToken);

    /// <summary>
    /// Takes a snapshot at the current committed sequence: reads through it never see later writes, and the versions
    /// it needs are kept until it is disposed.
    /// </summary>
    public DbSnapshot Snapshot()
    {
        ThrowIfClosed();
        lock (_writeLock)
        {
            var seq = _oracle.CommittedSeq;
            _snapshots.Register((ulong)seq);
            return new DbSnapshot(this, seq);
        }
    }

    internal void ReleaseSnapshot(DbSnapshot snapshot) => _snapshots.Unregister((ulong)snapshot.Sequence);

    internal IAsyncEnumerable<KeyValue> ScanCoreAsync(KeyRange range, ScanOptions options, ulong seqCap, CancellationToken cancellationToken) =>
        new ScanEnumerable(token => CreateIteratorCoreAsync(range, options, seqCap, token), cancellationToken);

    internal ValueTask<DbIterator> CreateIteratorCoreAsync(KeyRange range, ScanOptions options, ulong seqCap, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfClosed();
        var maxSeq = Math.Min(seqCap, MaxVisibleSeq(options.DurabilityFilter, options.Dirty));
        var state = State;
        var fetch = BlockFetch.From(options);
        var order = options.Order;
        IRowIterator Open(KeyRange r) => OpenSources(state, r, order, fetch);
        _c.Metrics.Scans.Add(1);
        var timed = new Diagnostics.TimedOperation("slatedb.scan", _c.Metrics, _c.Metrics.ScanDuration, detached: true);
        return ValueTask.FromResult(new DbIterator(Open, range, order, maxSeq, _clock.Now, onDispose: timed.Dispose, _c.Merge));
    }

    /// <summary>
    /// An iterator for a transaction: the database at <paramref name="readSeq"/> (and the options' visibility) with
    /// <paramref name="overlay"/>'s rows (at <see cref="Transactions.WriteSetRowIterator.PendingSeq"/>) over it.
    /// </summary>
    internal ValueTask<DbIterator> CreateTransactionIteratorAsync(KeyRange range, ScanOptions options, ulong readSeq, Func<KeyRange, IterationOrder, IRowIterator> overlay, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfClosed();
        var maxSeq = Math.Min(readSeq, MaxVisibleSeq(options.DurabilityFilter, options.Dirty));
        var state = State;
        var fetch = BlockFetch.From(options);
        var order = options.Order;
        IRowIterator Open(KeyRange r) => new MergeRowIterator(
            [overlay(r, order), new Transactions.SeqCapRowIterator(OpenSources(state, r, order, fetch), maxSeq)], order);
        return ValueTask.FromResult(new DbIterator(Open, range, order, Transactions.WriteSetRowIterator.PendingSeq, _clock.Now, onDispose: null, _c.Merge));
    }

    /// <summary>Every source of rows for a range, merged: memtables, L0 SSTs, sorted runs.</summary>
    private IRowIterator OpenSources(DbState state, KeyRange range, IterationOrder order, BlockFetch fetch)
    {
        var sources = new List<IRowIterator> { new MemtableRowIterator(state.Memtable, range, order) };
        foreach (var frozen in state.Frozen)
        {
            sources.Add(new MemtableRowIterator(frozen.Table, range, order));
        }

        foreach (var view in state.Core.Tree.L0)
        {
            // An L0 SST whose flushed memtable the cache keeps in its place is read from that table (ascending).
            sources.Add(order == IterationOrder.Ascending && _c.Tables.RetainedTableOf(view) is { } retained
                ? new RetainedMemtableRowIterator(retained, Iterators.ViewRange.Clip(range, view.VisibleRange))
                : new SstRowIterator(_c.Tables, view, range, order, fetch));
        }

        foreach (var run in state.Core.Tree.Compacted)
        {
            sources.Add(new SortedRunRowIterator(_c.Tables, run, range, order, fetch));
        }

        return new MergeRowIterator(sources, order);
    }
}
