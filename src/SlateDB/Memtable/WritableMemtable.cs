using SlateDB.Format;

namespace SlateDB.Memtable;

/// <summary>
/// The active memtable (Rust <c>WritableKVTable</c>): the writer inserts into it until the engine freezes it
/// into an <see cref="ImmutableMemtable"/>. Same threading rules as <see cref="KvTable"/>: one writer, many readers.
/// </summary>
internal sealed class WritableMemtable
{
    private ImmutableMemtable? _frozen;

    /// <summary>Creates an empty memtable whose skip list draws tower heights from <paramref name="levelSeed"/>.</summary>
    public WritableMemtable(ulong levelSeed = KvTable.DefaultLevelSeed)
    {
        Table = new KvTable(levelSeed);
    }

    /// <summary>The table, for reads and iteration.</summary>
    public KvTable Table { get; }

    /// <summary>The table's statistics.</summary>
    public KvTableMetadata Metadata => Table.Metadata;

    /// <summary>True when no row was inserted.</summary>
    public bool IsEmpty => Table.IsEmpty;

    /// <summary>Inserts a row (writer only).</summary>
    /// <exception cref="InvalidOperationException">The memtable was frozen.</exception>
    public void Put(in RowEntry row) => Table.Put(row);

    /// <summary>
    /// Freezes the memtable: no more inserts are accepted and the returned immutable memtable records
    /// <paramref name="recentFlushedWalId"/>, the last WAL id whose rows this memtable contains.
    /// </summary>
    /// <exception cref="InvalidOperationException">The memtable was already frozen.</exception>
    public ImmutableMemtable Freeze(ulong recentFlushedWalId)
    {
        if (_frozen is not null)
        {
            throw new InvalidOperationException("The memtable is already frozen.");
        }

        Table.Freeze();
        _frozen = new ImmutableMemtable(Table, recentFlushedWalId);
        return _frozen;
    }
}
