using SlateDB.Format;

namespace SlateDB.Transactions;

/// <summary>
/// A transaction's buffered write to one key, as the row it becomes at commit: its kind, value and TTL. Only
/// <see cref="RowKind.Value"/> and <see cref="RowKind.Tombstone"/> are produced today; a merge would be a
/// <see cref="RowKind.Merge"/> entry carrying its operands (see docs/transactions.md).
/// </summary>
internal readonly record struct PendingWrite(RowKind Kind, byte[] Value, Ttl Ttl);
