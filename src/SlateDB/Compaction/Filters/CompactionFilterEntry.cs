namespace SlateDB.Compaction;

/// <summary>One row offered to an <see cref="ICompactionFilter"/>: a version of a key as stored (SlateDB's <c>RowEntry</c>).</summary>
/// <param name="Kind">A value, a tombstone or a merge operand.</param>
/// <param name="Key">The key (valid during the filter call only).</param>
/// <param name="Value">The value or merge operand; empty for a tombstone (valid during the filter call only).</param>
/// <param name="Sequence">The row's sequence number.</param>
/// <param name="CreateTs">When the row was written (database clock, milliseconds), when recorded.</param>
/// <param name="ExpireTs">When the row expires (database clock, milliseconds), when it has a time to live.</param>
public readonly record struct CompactionFilterEntry(
    WalRowKind Kind,
    ReadOnlyMemory<byte> Key,
    ReadOnlyMemory<byte> Value,
    ulong Sequence,
    long? CreateTs,
    long? ExpireTs);
