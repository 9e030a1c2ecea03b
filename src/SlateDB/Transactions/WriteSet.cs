using SlateDB.Format;

namespace SlateDB.Transactions;

/// <summary>
/// A transaction's buffered writes, one per key (a later write to a key replaces the earlier one), in key order so
/// scans can lay them over the database. Keys and values are the transaction's own copies. Not thread-safe: the
/// transaction guards it.
/// </summary>
internal sealed class WriteSet
{
    private readonly SortedDictionary<byte[], PendingWrite> _writes = new(ByteArrayOrder.Instance);
    private KeyValuePair<byte[], PendingWrite>[]? _ordered;

    public int Count => _writes.Count;

    public void Put(byte[] key, byte[] value, Ttl ttl) => Set(key, new PendingWrite(RowKind.Value, value, ttl));

    public void Delete(byte[] key) => Set(key, new PendingWrite(RowKind.Tombstone, [], Ttl.Default));

    /// <summary>
    /// Buffers a merge operand. Over an earlier put of the key in this transaction the operand is folded into that
    /// value; over an earlier delete it is folded from nothing (a value); over earlier operands they become one operand
    /// (as a write batch does). The earlier write and the merge must expire alike, as in a batch.
    /// </summary>
    /// <exception cref="SlateDbException">Invalid: the TTLs differ, or the operator failed.</exception>
    public void Merge(byte[] key, byte[] operand, Ttl ttl, Merge.MergeFolder folder)
    {
        if (!_writes.TryGetValue(key, out var earlier))
        {
            Set(key, new PendingWrite(RowKind.Merge, operand, ttl));
            return;
        }

        if (earlier.Kind == RowKind.Tombstone)
        {
            Set(key, new PendingWrite(RowKind.Value, folder.Fold(key, false, [], [operand]), ttl));
            return;
        }

        if (earlier.Ttl != ttl)
        {
            throw new SlateDbException(SlateDbErrorKind.Invalid, "A transaction merges into a key it already wrote with a different TTL; the earlier write and the merge must expire alike (as in a write batch).");
        }

        var folded = earlier.Kind == RowKind.Value
            ? folder.Fold(key, true, earlier.Value, [operand])
            : folder.Fold(key, false, [], [earlier.Value, operand]);
        Set(key, new PendingWrite(earlier.Kind, folded, ttl));
    }

    public bool TryGet(byte[] key, out PendingWrite write) => _writes.TryGetValue(key, out write);

    /// <summary>The writes in key order, as of now: later writes do not change the array returned.</summary>
    public KeyValuePair<byte[], PendingWrite>[] Ordered() => _ordered ??= [.. _writes];

    private void Set(byte[] key, PendingWrite write)
    {
        _writes[key] = write;
        _ordered = null;
    }
}
