using RocksDbSharp;

namespace SlateDB.Comparison.Engines;

/// <summary>
/// RocksDB (NuGet <c>RocksDB</c>, RocksDbSharp): WAL on, no fsync per write; otherwise its defaults, except that its
/// tables get what ours has by default (10-bit bloom filters, a 512 MiB block cache, no compression).
/// </summary>
internal sealed class RocksDbEngine : IKvEngine
{
    private readonly RocksDb _db;
    private readonly RocksDbSharp.WriteOptions _write = new RocksDbSharp.WriteOptions().SetSync(false);

    private RocksDbEngine(RocksDb db) => _db = db;

    /// <summary>The database, for the ingest workload's probe of its levels and stalls.</summary>
    public RocksDb Db => _db;

    public static RocksDbEngine Open(string directory)
    {
        var table = new BlockBasedTableOptions()
            .SetFilterPolicy(BloomFilterPolicy.Create(10, false))
            .SetBlockCache(Cache.CreateLru(512UL * 1024 * 1024));
        var options = new DbOptions()
            .SetCreateIfMissing(true)
            .SetCompression(Compression.No)
            .SetBlockBasedTableFactory(table);
        return new RocksDbEngine(RocksDb.Open(options, directory));
    }

    public ValueTask PutAsync(byte[] key, byte[] value)
    {
        _db.Put(key, value, null, _write);
        return ValueTask.CompletedTask;
    }

    public ValueTask WriteBatchAsync(IReadOnlyList<KeyValuePair<byte[], byte[]>> rows)
    {
        using var batch = new RocksDbSharp.WriteBatch();
        foreach (var row in rows)
        {
            batch.Put(row.Key, row.Value);
        }

        _db.Write(batch, _write);
        return ValueTask.CompletedTask;
    }

    public ValueTask<int> GetAsync(byte[] key) => ValueTask.FromResult(_db.Get(key) is { } value ? value.Length : -1);

    public ValueTask<long> ScanAllAsync()
    {
        long rows = 0;
        using var iterator = _db.NewIterator();
        for (iterator.SeekToFirst(); iterator.Valid(); iterator.Next())
        {
            if (iterator.Key().Length + iterator.Value().Length >= 0)
            {
                rows++;
            }
        }

        return ValueTask.FromResult(rows);
    }

    public ValueTask PersistAsync()
    {
        Native.Instance.rocksdb_flush_wal(_db.Handle, 1);
        return ValueTask.CompletedTask;
    }

    public ValueTask PrepareForReadsAsync()
    {
        var flush = new RocksDbSharp.FlushOptions().SetWaitForFlush(true);
        _db.Flush(flush);
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// <c>CompactRange</c> over all keys with <c>BottommostLevelCompaction.kForceOptimized</c>: RocksDB's default
    /// (<c>kIfHaveCompactionFilter</c>) moves a lone L0 file down without rewriting it, and rewrites nothing already at
    /// the bottom level, so on a small database "compact everything" would time a file move. kForceOptimized rewrites
    /// the bottom level too, except the files this call has just written: every row is rewritten once, as ours'
    /// <c>CompactFullAsync</c> does. With several overlapping L0 files (a 1M-row fill) it does the same as the default.
    /// </summary>
    public ValueTask<string?> CompactAllAsync()
    {
        var before = FilesPerLevel();
        var options = Native.Instance.rocksdb_compactoptions_create();
        try
        {
            Native.Instance.rocksdb_compactoptions_set_bottommost_level_compaction(options, BottommostForceOptimized);
            Native.Instance.rocksdb_compact_range_opt(_db.Handle, options, (byte[]?)null, UIntPtr.Zero, (byte[]?)null, UIntPtr.Zero);
        }
        finally
        {
            Native.Instance.rocksdb_compactoptions_destroy(options);
        }

        return ValueTask.FromResult<string?>($"files per level (L0..L6) {before} before, {FilesPerLevel()} after");
    }

    /// <summary>RocksDB's <c>BottommostLevelCompaction::kForceOptimized</c> (the C API takes the enum's value).</summary>
    private const byte BottommostForceOptimized = 3;

    private string FilesPerLevel() =>
        string.Join('/', Enumerable.Range(0, 7).Select(level => _db.GetProperty($"rocksdb.num-files-at-level{level}") ?? "?"));

    public ValueTask DisposeAsync()
    {
        _db.Dispose();
        return ValueTask.CompletedTask;
    }
}
