using Microsoft.Extensions.Logging;
using SlateDB.Composition;
using SlateDB.Diagnostics;
using SlateDB.Manifest;
using SlateDB.Storage;
using SlateDB.Wal;

namespace SlateDB.GarbageCollection;

/// <summary>What every garbage collection task works with: the store, the database's paths, its clock and diagnostics.</summary>
internal sealed class GcEnvironment
{
    /// <summary>
    /// The environment over <paramref name="components"/>; <paramref name="ownStore"/> (a store retrying as the
    /// collector's <c>object_store_max_retries</c> says) replaces the main store, and the WAL's when the WAL is in it.
    /// </summary>
    public GcEnvironment(DbComponents components, ILogger logger, IObjectStore? ownStore = null)
    {
        var sharedWal = ReferenceEquals(components.WalStore, components.Store) && components.Wal is ObjectStoreWal;
        Store = ownStore ?? components.Store;
        WalStore = ownStore is not null && sharedWal ? ownStore : components.WalStore;
        Wal = ownStore is not null && sharedWal ? new ObjectStoreWal(ownStore, components.Paths, Sst.SstBuildSettings.From(components.Options)) : components.Wal;
        Paths = components.Paths;
        Time = components.TimeProvider;
        Logger = logger;
        Metrics = components.Metrics;
        Manifests = ownStore is null ? components.Manifests : new ManifestStore(ownStore, components.Paths);
        Compactions = new VersionedObjectStore(Store, Paths.CompactionsDirectory.TrimEnd('/'), "compactions");
        History = new ManifestHistory(Manifests);
    }

    public IObjectStore Store { get; }

    /// <summary>The store holding the WAL: <see cref="Store"/>, or the database's separate WAL store.</summary>
    public IObjectStore WalStore { get; }

    /// <summary>The WAL as the collector sees it (list, tell fences, delete): in <see cref="WalStore"/>, or on a local disk.</summary>
    public Wal.IWalGc Wal { get; }

    public DbPaths Paths { get; }

    public TimeProvider Time { get; }

    public ILogger Logger { get; }

    public SlateDbMetrics Metrics { get; }

    public ManifestStore Manifests { get; }

    /// <summary>The versions of the compactor's state (<c>compactions/&lt;id&gt;.compactions</c>).</summary>
    public VersionedObjectStore Compactions { get; }

    /// <summary>Manifest versions read so far (they never change, so they are read once).</summary>
    public ManifestHistory History { get; }
}
