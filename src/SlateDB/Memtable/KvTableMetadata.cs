namespace SlateDB.Memtable;

/// <summary>Statistics of a <see cref="KvTable"/> (Rust <c>KVTableMetadata</c>).</summary>
/// <param name="EntryCount">Number of distinct (key, seq) entries.</param>
/// <param name="EstimatedSize">Sum of the rows' estimated encoded sizes, in bytes.</param>
/// <param name="FirstSeq">Smallest seq inserted, or null when empty.</param>
/// <param name="LastSeq">Largest seq inserted, or null when empty.</param>
/// <param name="LastTick">Largest create timestamp (Unix ms) inserted, or <see cref="long.MinValue"/> when none.</param>
internal readonly record struct KvTableMetadata(
    long EntryCount,
    long EstimatedSize,
    ulong? FirstSeq,
    ulong? LastSeq,
    long LastTick);
