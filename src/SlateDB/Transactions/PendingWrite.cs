using SlateDB.Format;

namespace SlateDB.Transactions;

/// <summary>
/// A transaction's buffered write to one key, as the row it becomes at commit: its kind (a put, a delete, or a merge
/// operand that folds over the value the database holds at commit), value and TTL.
/// </summary>
internal readonly record struct PendingWrite(RowKind Kind, byte[] Value, Ttl Ttl);
