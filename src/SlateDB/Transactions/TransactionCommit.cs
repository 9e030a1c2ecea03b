namespace SlateDB.Transactions;

/// <summary>A transaction on its way through the write path: checked for conflicts, then recorded, under the write lock.</summary>
internal sealed record TransactionCommit(TransactionState State, TransactionFootprint Footprint);
