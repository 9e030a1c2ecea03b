namespace SlateDB;

/// <summary>What <see cref="FlushOptions"/> flushes.</summary>
public enum FlushType
{
    /// <summary>Write the WAL buffer to object storage.</summary>
    Wal,

    /// <summary>Freeze the memtable and write it as an L0 SST.</summary>
    MemTable,
}
