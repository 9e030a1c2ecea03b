namespace SlateDB.Memtable;

/// <summary>
/// A frozen memtable waiting to be flushed to L0 (Rust <c>ImmutableMemtable</c>). Its table accepts no more
/// rows and can be read by any number of threads.
/// </summary>
internal sealed class ImmutableMemtable
{
    /// <summary>Wraps a frozen table; freezes it if it was not yet.</summary>
    public ImmutableMemtable(KvTable table, ulong recentFlushedWalId)
    {
        ArgumentNullException.ThrowIfNull(table);
        if (!table.IsFrozen)
        {
            table.Freeze();
        }

        Table = table;
        RecentFlushedWalId = recentFlushedWalId;
    }

    /// <summary>The frozen table.</summary>
    public KvTable Table { get; }

    /// <summary>
    /// The most recent WAL id flushed when this memtable was frozen: once the memtable is in L0, WAL replay can
    /// start after it. Rows of that WAL may also be in the next memtable, so replay still filters by seq.
    /// </summary>
    public ulong RecentFlushedWalId { get; }

    /// <summary>The table's statistics.</summary>
    public KvTableMetadata Metadata => Table.Metadata;

    /// <summary>
    /// A copy holding only the rows with a seq above <paramref name="seq"/>, with the same
    /// <see cref="RecentFlushedWalId"/> (Rust <c>filter_after_seq</c>).
    /// </summary>
    public ImmutableMemtable FilterAfterSeq(ulong seq, ulong levelSeed = KvTable.DefaultLevelSeed)
    {
        var filtered = new KvTable(levelSeed);
        var iterator = Table.Iterate();
        while (iterator.TryNext(out var row))
        {
            if (row.Seq > seq)
            {
                filtered.Put(row);
            }
        }

        return new ImmutableMemtable(filtered, RecentFlushedWalId);
    }
}
