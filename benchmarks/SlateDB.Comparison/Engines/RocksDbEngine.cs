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

    public ValueTask CompactAllAsync()
    {
        _db.CompactRange((byte[]?)null, null);
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        _db.Dispose();
        return ValueTask.CompletedTask;
    }
}
