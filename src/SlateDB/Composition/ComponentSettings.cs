using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using SlateDB.Caching;
using SlateDB.Storage;

namespace SlateDB.Composition;

/// <summary>
/// What a builder collected for <see cref="DbComponents.Create"/>: the database's location, its settings and the
/// components the caller supplied (clock, logging, meter, seed, block cache).
/// </summary>
internal sealed record ComponentSettings(
    string Path,
    IObjectStore Store,
    SlateDbOptions Options,
    TimeProvider TimeProvider,
    ILoggerFactory LoggerFactory,
    IMeterFactory? MeterFactory,
    int? Seed)
{
    /// <summary>The block cache the caller gave (it owns it); null lets <see cref="BlockCacheDisabled"/> decide.</summary>
    public IBlockCache? BlockCache { get; init; }

    /// <summary>True: no block cache at all. False with no <see cref="BlockCache"/>: a default one the components own.</summary>
    public bool BlockCacheDisabled { get; init; }

    /// <summary>Whether object-store requests are retried as <see cref="SlateDbOptions.ObjectStoreMaxRetries"/> says.</summary>
    public bool RetryRequests { get; init; } = true;

    /// <summary>Limits on transactions (maximum age, tracked keys).</summary>
    public TransactionOptions Transactions { get; init; } = TransactionOptions.Default;

    /// <summary>
    /// The separate WAL object store (RFC-0009) and the identity recorded for it in the manifest
    /// (<c>wal_object_store_uri</c>; empty as SlateDB records it); null keeps the WAL in <see cref="Store"/>.
    /// </summary>
    public (IObjectStore Store, string Uri)? WalStore { get; init; }

    /// <summary>A local-disk WAL's directory and settings; null keeps the WAL in an object store.</summary>
    public (string Directory, LocalWalOptions Options)? LocalWal { get; init; }

    /// <summary>How long an open may go without a successful object-store request; infinite: no bound.</summary>
    public TimeSpan OpenTimeout { get; init; } = SlateDbBuilder.DefaultOpenTimeout;

    /// <summary>Whether an open database flushes (best effort, bounded) when the process exits without closing it.</summary>
    public bool FlushOnProcessExit { get; init; } = true;

    /// <summary>The database's name on metrics, traces and log scopes; null: its path.</summary>
    public string? DbName { get; init; }

    /// <summary>Whether the local disk cache of <see cref="SlateDbOptions.ObjectStoreCacheOptions"/> sits in front of the store.</summary>
    public bool UseDiskCache { get; init; }

    /// <summary>The merge operator reads, flushes and compactions fold operands with; null: none (operands are an error).</summary>
    public IMergeOperator? MergeOperator { get; init; }

    /// <summary>Creates the compaction filter of each compaction job; null: no filter.</summary>
    public Compaction.ICompactionFilterSupplier? CompactionFilters { get; init; }
}
