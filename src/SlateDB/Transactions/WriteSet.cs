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

    public bool TryGet(byte[] key, out PendingWrite write) => _writes.TryGetValue(key, out write);

    /// <summary>The writes in key order, as of now: later writes do not change the array returned.</summary>
    public KeyValuePair<byte[], PendingWrite>[] Ordered() => _ordered ??= [.. _writes];

    private void Set(byte[] key, PendingWrite write)
    {
        _writes[key] = write;
        _ordered = null;
    }
}
