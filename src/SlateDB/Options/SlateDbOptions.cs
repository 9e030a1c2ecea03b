namespace SlateDB;

/// <summary>
/// The database's settings: SlateDB's <c>Settings</c> with the same names in .NET casing and the same defaults.
/// Settings are plain data; components (object stores, clock, logging, caches) go to the builder.
/// Load SlateDB's own settings JSON with <see cref="FromJson"/> (write it back with <see cref="ToJson"/>), or bind
/// from configuration with <see cref="FromConfiguration"/>.
/// </summary>
public sealed partial record SlateDbOptions
{
    /// <summary>The default settings.</summary>
    public static SlateDbOptions Default { get; } = new();

    /// <summary>How often the WAL is written to object storage; null writes it only on flush and close. Default 100 ms.</summary>
    public TimeSpan? FlushInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// When the WAL buffer is written: at a fixed rate (<see cref="WalFlushPolicy.FixedInterval"/>, the default, as
    /// SlateDB) or as soon as a write waits for durability (<see cref="WalFlushPolicy.Eager"/>, group commit). This
    /// engine's own setting (<c>wal_flush_policy</c>); SlateDB ignores it.
    /// </summary>
    public WalFlushPolicy WalFlushPolicy { get; init; } = WalFlushPolicy.FixedInterval;

    /// <summary>
    /// With <see cref="WalFlushPolicy.Eager"/>, the least time between the starts of two WAL writes (a floor on the
    /// PUT rate, so on the store's request cost). Default zero: the next write starts as soon as the previous one ends.
    /// This engine's own setting (<c>wal_flush_min_interval</c>).
    /// </summary>
    public TimeSpan WalFlushMinInterval { get; init; } = TimeSpan.Zero;

    /// <summary>Whether writes go to a WAL; when false they become durable only when their memtable is flushed to L0. Default true.</summary>
    public bool WalEnabled { get; init; } = true;

    /// <summary>How often the writer rereads the manifest (to notice fencing and compactions). Default 1 s.</summary>
    public TimeSpan ManifestPollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a manifest update is retried before giving up. Default 300 s.</summary>
    public TimeSpan ManifestUpdateTimeout { get; init; } = TimeSpan.FromSeconds(300);

    /// <summary>SSTs with fewer rows than this get no bloom filter. Default 1000.</summary>
    public int MinFilterKeys { get; init; } = 1000;

    /// <summary>Bloom filter bits per key. Default 10 (about 0.8% false positives).</summary>
    public int FilterBitsPerKey { get; init; } = 10;

    /// <summary>The largest <see cref="L0SstSizeBytes"/> accepted: 1 GiB (an L0 SST is built in one buffer in memory).</summary>
    public const long MaxL0SstSizeBytes = 1L << 30;

    /// <summary>
    /// The memtable size (estimated encoded bytes) at which it is frozen and flushed to an L0 SST. Default 64 MiB; at
    /// most <see cref="MaxL0SstSizeBytes"/>.
    /// </summary>
    public long L0SstSizeBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>The most L0 SSTs; memtable flushes wait for compaction beyond it. Default 8.</summary>
    public int L0MaxSsts { get; init; } = 8;

    /// <summary>
    /// The most L0 SSTs whose key ranges may cover any one key: a memtable flush waits (for compaction) while the L0 SSTs
    /// covering some key, plus the uploads in flight, would exceed it (SlateDB v0.15). Raise it with
    /// <see cref="L0MaxSsts"/> when L0 is meant to grow without a compactor. Default 8.
    /// </summary>
    public int L0MaxSstsPerKey { get; init; } = 8;

    /// <summary>
    /// Which metrics are recorded (SlateDB RFC-0021): Debug also records the Debug instruments (the hot-path latency
    /// histograms), Info only the others. The compactor's and collector's levels inherit it. Default <see cref="SlateDB.MetricLevel.Info"/>.
    /// </summary>
    public MetricLevel MetricLevel { get; init; } = MetricLevel.Info;

    /// <summary>
    /// How many frozen memtables may be uploaded to L0 at once. Default 4. Their manifest updates are still applied
    /// one at a time, oldest memtable first.
    /// </summary>
    public int L0FlushParallelism { get; init; } = 4;

    /// <summary>The lowest <see cref="MaxWalFlushesBeforeL0Flush"/> accepted (as SlateDB): 4096.</summary>
    public const long MinMaxWalFlushesBeforeL0Flush = 4096;

    /// <summary>
    /// The memtable is frozen (and flushed to L0) once this many WAL objects were written since the last freeze, even
    /// when it is not full, so that replay after a crash stays bounded. Default and minimum 4096 (SlateDB's
    /// <c>max_wal_flushes_before_l0_flush</c>).
    /// </summary>
    public long MaxWalFlushesBeforeL0Flush { get; init; } = MinMaxWalFlushesBeforeL0Flush;

    /// <summary>Unflushed bytes in memory (WAL buffer and memtables) beyond which writers wait. Default 1 GiB.</summary>
    public long MaxUnflushedBytes { get; init; } = 1024L * 1024 * 1024;

    /// <summary>The embedded compactor's settings; null runs no compactor in this process.</summary>
    public CompactorOptions? CompactorOptions { get; init; } = new();

    /// <summary>How SST blocks are compressed. Default none.</summary>
    public CompressionCodec CompressionCodec { get; init; } = CompressionCodec.None;

    /// <summary>The local disk cache for SST bytes (disabled by default).</summary>
    public ObjectStoreCacheOptions ObjectStoreCacheOptions { get; init; } = new();

    /// <summary>The embedded garbage collector's settings; null runs no garbage collector in this process.</summary>
    public GarbageCollectorOptions? GarbageCollectorOptions { get; init; } = new();

    /// <summary>The time to live of puts that do not give one; null: rows never expire. Default null.</summary>
    public TimeSpan? DefaultTtl { get; init; }

    /// <summary>How many times a failed object-store request is retried; null retries transient failures without bound. Default null.</summary>
    public int? ObjectStoreMaxRetries { get; init; }
}
