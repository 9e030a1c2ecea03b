using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using SlateDB.Caching;
using SlateDB.Common;
using SlateDB.Diagnostics;
using SlateDB.Manifest;
using SlateDB.Sst;
using SlateDB.Storage;
using SlateDB.Wal;

namespace SlateDB.Composition;

/// <summary>
/// The one composition root: the parts a database, a standalone compactor and a standalone garbage collector are
/// built from (the instrumented and retried store, the database's paths, the SST and manifest stores, ids, clock,
/// logging and metrics). A database shares its own with the compactor and collector it embeds.
/// </summary>
internal sealed class DbComponents : IDisposable
{
    public required string Path { get; init; }

    /// <summary>The store as every component uses it: instrumented, then retried, then (optionally) disk-cached.</summary>
    public required IObjectStore Store { get; init; }

    public required DbPaths Paths { get; init; }

    public required SlateDbOptions Options { get; init; }

    public required TimeProvider TimeProvider { get; init; }

    public required ILoggerFactory LoggerFactory { get; init; }

    public required SlateDbMetrics Metrics { get; init; }

    /// <summary>Limits on transactions (maximum age, tracked keys).</summary>
    public TransactionOptions Transactions { get; init; } = TransactionOptions.Default;

    public required TableStore Tables { get; init; }

    /// <summary>The store holding the WAL (instrumented and retried like <see cref="Store"/>): the main store, or the separate WAL store.</summary>
    public required IObjectStore WalStore { get; init; }

    /// <summary>The WAL: written by the writer, replayed by recovery, collected by the garbage collector.</summary>
    public required IWal Wal { get; init; }

    public required ManifestStore Manifests { get; init; }

    public required IdGenerator Ids { get; init; }

    /// <summary>The seeded source of every other random choice (skip-list levels, retry jitter).</summary>
    public required Random Random { get; init; }

    /// <summary>The block cache the components created for themselves (disposed with them); null when the caller gave one or none.</summary>
    public MemoryBlockCache? OwnedBlockCache { get; init; }

    /// <summary>The local disk cache in front of the store (its folder scans stop when disposed); null when disabled.</summary>
    public DiskCachedObjectStore? OwnedDiskCache { get; init; }

    /// <summary>The retrying layer of <see cref="Store"/> (it knows when a request last succeeded); null without retries.</summary>
    public RetryingObjectStore? Retrying { get; init; }

    /// <summary>Folds merge operands with the configured operator; null when none is configured.</summary>
    public Merge.MergeFolder? Merge { get; init; }

    /// <summary>Creates the compaction filter of each compaction job; null when none is configured.</summary>
    public Compaction.ICompactionFilterSupplier? CompactionFilters { get; init; }

    /// <summary>Builds the components from what a builder collected. Nothing is read from the store yet.</summary>
    public static DbComponents Create(ComponentSettings settings)
    {
        var seed = settings.Seed ?? RandomNumberGenerator.GetInt32(int.MaxValue);
        var random = new Random(seed);
        var paths = new DbPaths(settings.Path);
        var dbName = settings.DbName ?? paths.Root;
        var metrics = new SlateDbMetrics(settings.MeterFactory, dbName, MetricLevels.From(settings.Options));
        var loggerFactory = new DbScopedLoggerFactory(settings.LoggerFactory, dbName);
        var (store, diskCache, retrying) = StoreStack(settings, metrics, loggerFactory, seed);
        var options = settings.Options.WithMemoryBudgetApplied();
        var ownedCache = settings.BlockCache is null && !settings.BlockCacheDisabled ? settings.Options.CreateOwnedBlockCache() : null;
        IBlockCache? blockCache = settings.BlockCacheDisabled ? null : settings.BlockCache ?? ownedCache;
        blockCache = blockCache is null ? null : new InstrumentedBlockCache(blockCache, metrics);
        var walStore = settings.WalStore is { } separate ? RequestStack(separate.Store, settings, metrics, loggerFactory, seed).Store : store;
        return new DbComponents
        {
            Path = paths.Root,
            Store = store,
            Paths = paths,
            Options = options,
            TimeProvider = settings.TimeProvider,
            LoggerFactory = loggerFactory,
            Metrics = metrics,
            Transactions = settings.Transactions,
            Tables = new TableStore(store, paths, options, blockCache, metrics),
            WalStore = walStore,
            Wal = settings.LocalWal is { } local
                ? new Wal.LocalDisk.LocalDiskWal(local.Directory, local.Options, SstBuildSettings.From(options), settings.TimeProvider, new Random(random.Next()))
                : new ObjectStoreWal(walStore, paths, SstBuildSettings.From(options) with { Buffers = ObjectStoreWal.BufferPoolFor(options) }, settings.WalStore?.Uri),
            OwnedBlockCache = ownedCache,
            OwnedDiskCache = diskCache,
            Retrying = retrying,
            Manifests = new ManifestStore(store, paths),
            Ids = new IdGenerator(settings.TimeProvider, random.Next()),
            Random = random,
            Merge = settings.MergeOperator is { } mergeOperator ? new Merge.MergeFolder(mergeOperator) : null,
            CompactionFilters = settings.CompactionFilters,
        };
    }

    /// <summary>Disposes what the components own: the meter, and a block cache and a disk cache they created.</summary>
    public void Dispose()
    {
        Tables.CancelWarming(); // Closes stop it first and wait for it; this covers an open that failed.
        Metrics.Dispose();
        OwnedBlockCache?.Dispose();
        OwnedDiskCache?.Dispose();
        (Wal as IDisposable)?.Dispose();
    }

    // As SlateDB: transient failures are retried (every attempt is counted by the instrumentation below it).
    private static (IObjectStore Store, RetryingObjectStore? Retrying) RequestStack(IObjectStore inner, ComponentSettings settings, SlateDbMetrics metrics, ILoggerFactory loggerFactory, int seed)
    {
        IObjectStore store = new InstrumentedObjectStore(inner, metrics, settings.TimeProvider);

        // Read backpressure sits under the retries, so a read waiting out a backoff holds no slot.
        if (settings.Options.EffectiveMaxInFlightReads is { } maxReads)
        {
            store = new ReadLimitingObjectStore(store, maxReads);
        }

        if (!settings.RetryRequests)
        {
            return (store, null);
        }

        var retryOptions = RetryOptions.Default with { MaxRetries = settings.Options.ObjectStoreMaxRetries };
        var retrying = new RetryingObjectStore(store, retryOptions, settings.TimeProvider, new Random(seed), loggerFactory.CreateLogger("SlateDB.ObjectStore"));
        return (retrying, retrying);
    }

    private static (IObjectStore Store, DiskCachedObjectStore? DiskCache, RetryingObjectStore? Retrying) StoreStack(ComponentSettings settings, SlateDbMetrics metrics, ILoggerFactory loggerFactory, int seed)
    {
        var (store, retrying) = RequestStack(settings.Store, settings, metrics, loggerFactory, seed);
        if (!settings.UseDiskCache || settings.Options.ObjectStoreCacheOptions.RootFolder is null)
        {
            return (store, null, retrying);
        }

        // The local disk cache sits in front, so a cache hit costs no object-store request at all.
        var diskCache = new DiskCachedObjectStore(store, settings.Options.ObjectStoreCacheOptions, timeProvider: settings.TimeProvider);
        return (diskCache, diskCache, retrying);
    }
}
