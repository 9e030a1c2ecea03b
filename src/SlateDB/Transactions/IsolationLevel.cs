namespace SlateDB;

/// <summary>How a <see cref="DbTransaction"/> is isolated from the commits that run beside it (as SlateDB's).</summary>
public enum IsolationLevel
{
    /// <summary>
    /// Snapshot isolation: reads see the database as of the transaction's start; the commit fails when another commit,
    /// after that start, wrote a key this transaction writes (first committer wins). Write skew is possible.
    /// </summary>
    Snapshot,

    /// <summary>
    /// Serializable snapshot isolation: as <see cref="Snapshot"/>, and the commit also fails when another commit after
    /// the start wrote a key this transaction read (or marked read) or a key inside a range it scanned. Committed
    /// transactions are then equivalent to running one at a time, in commit order.
    /// </summary>
    SerializableSnapshot,
}
