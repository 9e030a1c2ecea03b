namespace SlateDB;

/// <summary>Settings of an explicit flush.</summary>
public sealed record FlushOptions
{
    /// <summary>What to flush. Default <see cref="FlushType.Wal"/> (a memtable flush when the WAL is disabled).</summary>
    public FlushType FlushType { get; init; } = FlushType.Wal;
}
