namespace SlateDB.Memtable;

/// <summary>
/// What a memtable holds in memory, as a memory budget counts it: the chunks of its row arena (allocated, used or
/// not) plus its skip-list nodes, estimated per entry. <see cref="KvTable.EstimatedSize"/> (SlateDB's row estimate,
/// which decides when a memtable is frozen) leaves both the arena's row headers and the nodes out: for 16-byte keys
/// and 100-byte values the table takes about 1.4 times that estimate.
/// </summary>
internal static class MemtableMemory
{
    /// <summary>
    /// Bytes of skip-list node per entry, estimated: three fixed slots, on average 4/3 links (a tower grows a level
    /// with probability 1/4) and the inline key bytes past the first 8 (one slot for a 16-byte key), 8 bytes each,
    /// rounded up for the arena's chunk slack.
    /// </summary>
    public const long NodeBytesPerEntry = 48;

    /// <summary>The bytes <paramref name="table"/> holds: its arena chunks plus its nodes (estimated).</summary>
    public static long Of(KvTable table) => table.ArenaBytes + (table.EntryCount * NodeBytesPerEntry);
}
