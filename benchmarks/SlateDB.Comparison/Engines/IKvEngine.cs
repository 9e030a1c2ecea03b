namespace SlateDB.Comparison.Engines;

/// <summary>
/// The operations the workloads need from an engine, one writer at a time. Each engine keeps its own defaults;
/// <see cref="EngineNames.Settings"/> says which were changed and why.
/// </summary>
internal interface IKvEngine : IAsyncDisposable
{
    /// <summary>Puts one row without waiting for durability.</summary>
    ValueTask PutAsync(byte[] key, byte[] value);

    /// <summary>Writes the rows as one batch (atomically where the engine can) without waiting for durability.</summary>
    ValueTask WriteBatchAsync(IReadOnlyList<KeyValuePair<byte[], byte[]>> rows);

    /// <summary>Reads a key; returns the value's length, or -1 when the key is absent.</summary>
    ValueTask<int> GetAsync(byte[] key);

    /// <summary>Reads every row in key order (materializing key and value); returns how many there were.</summary>
    ValueTask<long> ScanAllAsync();

    /// <summary>Ends a fill: makes every write so far persistent once (the engine's WAL flush / sync).</summary>
    ValueTask PersistAsync();

    /// <summary>Before reads: moves in-memory rows to the engine's on-disk format (memtable flush, segment merge).</summary>
    ValueTask PrepareForReadsAsync();

    /// <summary>
    /// Rewrites every on-disk row into the engine's most compacted form (a full compaction) and waits for it; returns
    /// what the engine says it did (inputs, outputs, rows), or null when it says nothing.
    /// </summary>
    ValueTask<string?> CompactAllAsync();
}
