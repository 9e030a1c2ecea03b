using Microsoft.Extensions.Logging;
using SlateDB.Composition;
using SlateDB.Diagnostics;
using SlateDB.Manifest;
using SlateDB.Storage;

namespace SlateDB.GarbageCollection;

/// <summary>What every garbage collection task works with: the store, the database's paths, its clock and diagnostics.</summary>
internal sealed class GcEnvironment
{
    public GcEnvironment(DbComponents components, ILogger logger)
    {
        Store = components.Store;
        WalStore = components.WalStore;
        Wal = components.Wal;
        Paths = components.Paths;
        Time = components.TimeProvider;
        Logger = logger;
        Metrics = components.Metrics;
        Manifests = components.Manifests;
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
