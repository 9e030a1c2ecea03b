using SlateDB.Storage;

namespace SlateDB;

/// <summary>
/// Builds a <see cref="SlateDb"/> from settings and components (clock, logging, metrics, seed). Settings are data
/// (<see cref="SlateDbOptions"/>); components are objects the database uses but does not own.
/// </summary>
public sealed class SlateDbBuilder : ComponentsBuilder<SlateDbBuilder>
{
    private SlateDbOptions _options = SlateDbOptions.Default;
    private Caching.IBlockCache? _blockCache;
    private bool _blockCacheDisabled;
    private IMergeOperator? _mergeOperator;
    private Compaction.ICompactionFilterSupplier? _compactionFilters;
    private TransactionOptions _transactions = TransactionOptions.Default;
    private (IObjectStore Store, string Uri)? _walStore;
    private (string Directory, LocalWalOptions Options)? _localWal;
    private TimeSpan _openTimeout = DefaultOpenTimeout;
    private bool _flushOnProcessExit = true;

    internal SlateDbBuilder(string path, IObjectStore store)
        : base(path, store)
    {
    }

    /// <summary>Uses these settings instead of the defaults.</summary>
    public SlateDbBuilder WithOptions(SlateDbOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        return this;
    }

    /// <summary>
    /// Uses this block cache (which the caller owns and may share between databases) instead of a default
    /// <see cref="Caching.MemoryBlockCache"/> of 512 MiB for data and 128 MiB for metadata.
    /// </summary>
    public SlateDbBuilder WithBlockCache(Caching.IBlockCache blockCache)
    {
        ArgumentNullException.ThrowIfNull(blockCache);
        _blockCache = blockCache;
        _blockCacheDisabled = false;
        return this;
    }

    /// <summary>Caches no blocks and no SST metadata: every read goes to the object store.</summary>
    public SlateDbBuilder WithBlockCacheDisabled()
    {
        _blockCache = null;
        _blockCacheDisabled = true;
        return this;
    }

    /// <summary>
    /// Folds merge operands with this operator (SlateDB's <c>with_merge_operator</c>): needed to write merges and to
    /// read, flush or compact a database that holds operands. The embedded compactor uses it too.
    /// </summary>
    public SlateDbBuilder WithMergeOperator(IMergeOperator mergeOperator)
    {
        ArgumentNullException.ThrowIfNull(mergeOperator);
        _mergeOperator = mergeOperator;
        return this;
    }

    /// <summary>
    /// Runs each compaction of the embedded compactor through a filter this supplier creates per job (SlateDB's
    /// <c>with_compaction_filter_supplier</c>): keep, drop or rewrite rows as they are compacted. See
    /// <see cref="Compaction.ICompactionFilter"/> for what a filter sees and what it may change under live snapshots.
    /// </summary>
    public SlateDbBuilder WithCompactionFilterSupplier(Compaction.ICompactionFilterSupplier supplier)
    {
        ArgumentNullException.ThrowIfNull(supplier);
        _compactionFilters = supplier;
        return this;
    }

    /// <summary>Uses these limits on transactions (maximum age, tracked keys) instead of <see cref="TransactionOptions.Default"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A limit is out of range.</exception>
    public SlateDbBuilder WithTransactionOptions(TransactionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _transactions = options;
        return this;
    }

    /// <summary>The default <see cref="WithOpenTimeout"/>: 30 seconds.</summary>
    public static readonly TimeSpan DefaultOpenTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Bounds the open: it fails with <see cref="SlateDbErrorKind.Unavailable"/> once no object-store request has
    /// succeeded for <paramref name="timeout"/> (an unreachable endpoint, an outage, a request that hangs). An open
    /// that makes progress, however long its WAL replay, is not cut short, and permanent failures (a missing folder,
    /// bad credentials, a missing bucket) fail at once. Default <see cref="DefaultOpenTimeout"/>;
    /// <see cref="Timeout.InfiniteTimeSpan"/> waits through any outage, as SlateDB does. Once open, the database
    /// keeps retrying transient failures in the background.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is not positive and not infinite.</exception>
    public SlateDbBuilder WithOpenTimeout(TimeSpan timeout)
    {
        if (timeout <= TimeSpan.Zero && timeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "The open timeout must be positive or Timeout.InfiniteTimeSpan.");
        }

        _openTimeout = timeout;
        return this;
    }

    /// <summary>
    /// Keeps the WAL in a separate object store (SlateDB's RFC-0009), for example a lower-latency bucket; the data
    /// (SSTs, manifest) stays in the main store. A new database records it in its manifest
    /// (<c>wal_object_store_uri</c>), and every later open must give the same WAL store: opening without one, or with
    /// another identity, is refused with <see cref="SlateDbErrorKind.Invalid"/> (its WAL would be skipped). Recovery,
    /// the change feed of the open database, and the embedded garbage collector use it.
    /// </summary>
    /// <param name="walObjectStore">The store for WAL objects (<c>&lt;path&gt;/wal/</c> in it).</param>
    /// <param name="uri">
    /// The WAL store's identity recorded in the manifest and compared at open (for example <c>s3://wal-bucket</c>).
    /// Empty (the default) records what SlateDB records (an empty string: "a separate WAL store is configured"), so
    /// SlateDB with its own WAL store can open the database too; an identity also catches a different store.
    /// </param>
    public SlateDbBuilder WithWalObjectStore(IObjectStore walObjectStore, string uri = "")
    {
        ArgumentNullException.ThrowIfNull(walObjectStore);
        ArgumentNullException.ThrowIfNull(uri);
        _walStore = (walObjectStore, uri);
        _localWal = null;
        return this;
    }

    /// <summary>
    /// Keeps the WAL on a local (or network block) disk instead of the object store: append-only segment files in
    /// <paramref name="directory"/>, each WAL write made durable by one fsync that serves every write grouped into it.
    /// Durable writes then cost about one fsync instead of one object PUT; data still reaches the object store as L0
    /// SSTs, and the manifest records that the WAL is local (<c>wal_object_store_uri</c> = the directory's identity),
    /// so neither this engine without this directory nor SlateDB opens the database. Only one process may use the
    /// directory at a time (an exclusive file lock). Use <see cref="WalFlushPolicy.Eager"/> for low latency.
    /// See docs/wal.md for the durability promise: the writes not yet in L0 are as durable as this disk.
    /// </summary>
    /// <param name="directory">The WAL's directory (created if absent); one per database.</param>
    /// <param name="options">Segment settings; null for <see cref="LocalWalOptions.Default"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="directory"/> is empty, or a setting is out of range.</exception>
    public SlateDbBuilder WithLocalWal(string directory, LocalWalOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        options ??= LocalWalOptions.Default;
        options.Validate();
        _localWal = (directory, options);
        _walStore = null;
        return this;
    }

    /// <summary>
    /// Whether the database, if still open when the process exits (a return from <c>Main</c>,
    /// <see cref="Environment.Exit(int)"/>, SIGTERM, SIGINT), writes out what it holds in memory first: a best-effort
    /// <see cref="SlateDb.FlushAsync(CancellationToken)"/> bounded to 5 seconds. Default <see langword="true"/>. It does
    /// not help against a kill (SIGKILL), a crash or a power loss: only writes already durable survive those (see
    /// <see cref="SlateDb"/>). Close the database to be sure.
    /// </summary>
    public SlateDbBuilder WithFlushOnProcessExit(bool enabled)
    {
        _flushOnProcessExit = enabled;
        return this;
    }

    /// <summary>Opens (or creates) the database.</summary>
    /// <exception cref="SlateDbException">
    /// Invalid: a setting, the path, the credentials or the permissions are wrong (the message says what to fix).
    /// Unavailable: no object-store request succeeded for the open timeout (<see cref="WithOpenTimeout"/>).
    /// </exception>
    public Task<SlateDb> OpenAsync(CancellationToken cancellationToken = default)
    {
        _options.Validate();
        if (_localWal is not null && !_options.WalEnabled)
        {
            throw new SlateDbException(SlateDbErrorKind.Invalid, "A local WAL was configured with wal_enabled = false: enable the WAL or drop WithLocalWal.");
        }

        var settings = Settings(_options) with
        {
            BlockCache = _blockCache,
            BlockCacheDisabled = _blockCacheDisabled,
            OpenTimeout = _openTimeout,
            FlushOnProcessExit = _flushOnProcessExit,
            MergeOperator = _mergeOperator,
            CompactionFilters = _compactionFilters,
            Transactions = _transactions,
            WalStore = _walStore,
            LocalWal = _localWal,
        };
        return SlateDb.OpenCoreAsync(settings, cancellationToken);
    }
}
