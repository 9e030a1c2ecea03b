namespace SlateDB.Sst;

/// <summary>Who wrote a compacted SST: caches admit the output of a memtable flush and of a compaction differently.</summary>
internal enum SstWriteSource
{
    /// <summary>An L0 flush of a frozen memtable.</summary>
    Flush,

    /// <summary>A compaction's output.</summary>
    Compaction,
}
