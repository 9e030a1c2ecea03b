using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SlateDB.Composition;
using SlateDB.Storage;

namespace SlateDB.GarbageCollection;

/// <summary>
/// SlateDB's garbage collector: deletes old manifest versions, WAL objects already reflected in L0, compacted SSTs no
/// manifest or checkpoint references any more, and old <c>.compactions</c> versions. Each kind is a task with its own
/// interval, minimum age and dry-run switch (<see cref="GarbageCollectorOptions"/>); before each task, checkpoints
/// whose expire time has passed are removed from the manifest. Tasks never run at the same time in one collector.
/// </summary>
/// <remarks>
/// <para>Nothing a reader can still need is deleted. "Manifests readers may use" below are the newest one and every one
/// superseded less than the minimum age ago; readers are assumed to reread the manifest more often than that (SlateDB
/// polls every second by default), and long-lived readers to hold a checkpoint.</para>
/// <list type="bullet">
/// <item>Manifests: never the newest or one a live checkpoint names; others once written and superseded more than the
/// minimum age ago (the longest of the manifest, WAL and compacted tasks' minimum ages).</item>
/// <item>WAL SSTs: below the replay point of every manifest readers may use, outside every live checkpoint's replay
/// range, and older than the minimum age.</item>
/// <item>WAL fences (zero-byte objects and SSTs without rows in WAL slots): the same rule, in a task of their own
/// (<see cref="GarbageCollectorOptions.WalFenceOptions"/>) that only logs by default, as in SlateDB 0.14 and later: a
/// deleted fence lets a writer that stalled for longer than the minimum age write into its slot and have that write
/// acknowledged as durable while recovery skips it.</item>
/// <item>Compacted SSTs: named by no manifest readers may use, no live checkpoint's manifest and no unfinished
/// compaction, with a ULID time before the earliest of now minus the minimum age, the oldest unfinished compaction
/// and the newest L0 SST.</item>
/// <item><c>.compactions</c>: every version but the newest, once older than the minimum age.</item>
/// </list>
/// <para>Before deleting manifest or <c>.compactions</c> versions it advances their GC boundary files
/// (<c>gc/manifest.boundary</c>, <c>gc/compactions.boundary</c>), which newer SlateDB writers check and 0.12.1
/// ignores.</para>
/// <para>A database opened with <see cref="SlateDbOptions.GarbageCollectorOptions"/> set runs one of these in-process;
/// <see cref="StartAsync(string, IObjectStore, GarbageCollectorOptions, TimeProvider, ILoggerFactory, IMeterFactory, CancellationToken)"/> runs one on its own, for example in a separate maintenance process. The databases it
/// cleans stay readable by SlateDB 0.12.1.</para>
/// </remarks>
public sealed partial class GarbageCollector : IAsyncDisposable
{
    private const int DeleteConcurrency = 8;
    private static readonly GarbageKind[] TaskOrder = [GarbageKind.Manifest, GarbageKind.Wal, GarbageKind.WalFence, GarbageKind.Compacted, GarbageKind.Compactions];

    private readonly GcEnvironment _env;
    private readonly GarbageCollectorSettingsExtras _extras;
    private readonly DbComponents? _ownedComponents;
    private DateTimeOffset? _lastDetach;
    private readonly SemaphoreSlim _runLock = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _stopLock = new();
    private Task[] _loops = [];
    private Task? _stopTask;

    private GarbageCollector(GcEnvironment env, GarbageCollectorOptions options, DbComponents? ownedComponents)
    {
        _env = env;
        Options = options;
        _extras = GarbageCollectorSettingsExtras.Of(options);
        _ownedComponents = ownedComponents;
    }

    /// <summary>The settings the collector runs with.</summary>
    public GarbageCollectorOptions Options { get; }

    /// <summary>The database's path (its key prefix in the object store).</summary>
    public string Path => _env.Paths.Root;

    /// <summary>
    /// Starts a collector for the database at <paramref name="path"/>: each enabled task with an interval runs every
    /// interval (the first run one interval after the start); <see cref="RunOnceAsync"/> runs them all on demand.
    /// </summary>
    /// <param name="path">The database's key prefix in the store.</param>
    /// <param name="objectStore">Where the database lives (wrap it in a <see cref="RetryingObjectStore"/> to retry transient failures).</param>
    /// <param name="options">Which tasks run and how; null for the defaults.</param>
    /// <param name="timeProvider">The clock for intervals, ages and checkpoint expiry; the system clock when null.</param>
    /// <param name="loggerFactory">Where to log; nowhere when null.</param>
    /// <param name="meterFactory">Creates the <c>SlateDB</c> meter its counters live on; a new meter when null.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <exception cref="ArgumentException">A setting is out of range, or <paramref name="path"/> is empty or white space.</exception>
    /// <exception cref="SlateDbException">Invalid: there is no database at <paramref name="path"/>.</exception>
    public static Task<GarbageCollector> StartAsync(
        string path,
        IObjectStore objectStore,
        GarbageCollectorOptions? options = null,
        TimeProvider? timeProvider = null,
        ILoggerFactory? loggerFactory = null,
        IMeterFactory? meterFactory = null,
        CancellationToken cancellationToken = default)
        => StartCoreAsync(path, objectStore, walObjectStore: null, options, timeProvider, loggerFactory, meterFactory, cancellationToken);

    /// <summary>
    /// Starts a collector for the database at <paramref name="path"/> whose WAL is in a separate object store
    /// (<see cref="SlateDbBuilder.WithWalObjectStore"/>): its WAL tasks list and delete WAL objects in
    /// <paramref name="walObjectStore"/>; everything else is in <paramref name="objectStore"/>.
    /// </summary>
    /// <param name="path">The database's key prefix in the stores.</param>
    /// <param name="objectStore">Where the database's manifest and SSTs live.</param>
    /// <param name="walObjectStore">The database's WAL store (<c>&lt;path&gt;/wal/</c> in it).</param>
    /// <param name="options">Which tasks run and how; null for the defaults.</param>
    /// <param name="timeProvider">The clock for intervals, ages and checkpoint expiry; the system clock when null.</param>
    /// <param name="loggerFactory">Where to log; nowhere when null.</param>
    /// <param name="meterFactory">Creates the <c>SlateDB</c> meter its counters live on; a new meter when null.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <exception cref="ArgumentException">A setting is out of range, or <paramref name="path"/> is empty or white space.</exception>
    /// <exception cref="SlateDbException">Invalid: there is no database at <paramref name="path"/>, or it keeps its WAL in its main store or on a local disk.</exception>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The overloads differ in a required parameter (the WAL store).")]
    public static Task<GarbageCollector> StartAsync(
        string path,
        IObjectStore objectStore,
        IObjectStore walObjectStore,
        GarbageCollectorOptions? options = null,
        TimeProvider? timeProvider = null,
        ILoggerFactory? loggerFactory = null,
        IMeterFactory? meterFactory = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(walObjectStore);
        return StartCoreAsync(path, objectStore, walObjectStore, options, timeProvider, loggerFactory, meterFactory, cancellationToken);
    }

    private static async Task<GarbageCollector> StartCoreAsync(
        string path,
        IObjectStore objectStore,
        IObjectStore? walObjectStore,
        GarbageCollectorOptions? options,
        TimeProvider? timeProvider,
        ILoggerFactory? loggerFactory,
        IMeterFactory? meterFactory,
        CancellationToken cancellationToken)
    {
        DbPathArgument.Validate(path);
        ArgumentNullException.ThrowIfNull(objectStore);
        options ??= new GarbageCollectorOptions();
        Validate(options);
        // Requests are only counted, not retried (the caller may wrap the store in a RetryingObjectStore), unless
        // garbage_collector_options.object_store_max_retries bounds retries here. Metrics at the collector's level.
        var extras = GarbageCollectorSettingsExtras.Of(options);
        var own = SlateDbOptions.Default with
        {
            ObjectStoreMaxRetries = extras.ObjectStoreMaxRetries,
            MetricLevel = extras.MetricLevel ?? MetricLevel.Info,
            GarbageCollectorOptions = options,
        };
        var settings = new ComponentSettings(path, objectStore, own, timeProvider ?? TimeProvider.System, loggerFactory ?? NullLoggerFactory.Instance, meterFactory, Seed: null)
        {
            BlockCacheDisabled = true,
            RetryRequests = extras.ObjectStoreMaxRetries is not null,
            WalStore = walObjectStore is null ? null : (walObjectStore, string.Empty),
        };
        var components = DbComponents.Create(settings);
        try
        {
            await CheckWalStoreAsync(components, walObjectStore is not null, options, cancellationToken).ConfigureAwait(false);
            var env = new GcEnvironment(components, Logger(loggerFactory));
            await env.History.ListAsync(cancellationToken).ConfigureAwait(false);
            var collector = new GarbageCollector(env, options, components);
            collector.Start();
            return collector;
        }
        catch
        {
            components.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A standalone collector's WAL store must match what the manifest records: given one for a database that keeps
    /// its WAL in its main store (or on a local disk) it would list nothing; without one for a database with a
    /// separate WAL store, its WAL tasks would collect nothing (refused unless they are disabled).
    /// </summary>
    private static async Task CheckWalStoreAsync(DbComponents components, bool walStoreGiven, GarbageCollectorOptions options, CancellationToken cancellationToken)
    {
        var latest = await components.Manifests.ReadLatestAsync(cancellationToken).ConfigureAwait(false);
        if (latest is not { } found)
        {
            return;
        }

        var recorded = found.Manifest.Core.WalObjectStoreUri;
        var separate = recorded is not null && !Wal.LocalDisk.LocalDiskWal.IsLocalWalUri(recorded);
        if (walStoreGiven && !separate)
        {
            throw new SlateDbException(
                SlateDbErrorKind.Invalid,
                $"A WAL store was given to the garbage collector, but the database at '{components.Path}' keeps its WAL {(recorded is null ? "in its main object store" : "on a local disk (its writer collects it)")}.");
        }

        if (!walStoreGiven && separate && (options.WalOptions is not null || options.WalFenceOptions is { DryRun: false }))
        {
            throw new SlateDbException(
                SlateDbErrorKind.Invalid,
                $"The database at '{components.Path}' keeps its WAL in a separate object store ('{recorded}'): give it to GarbageCollector.StartAsync, or disable its WAL tasks (WalOptions null, WalFenceOptions null or dry-run).");
        }
    }

    /// <summary>Starts the collector a database runs in-process, on the database's (already wrapped) store and meter.</summary>
    internal static GarbageCollector StartEmbedded(DbComponents components, GarbageCollectorOptions options)
    {
        Validate(options);
        // Its requests retry as garbage_collector_options.object_store_max_retries says (SlateDB wraps its store on its own).
        var ownStore = OwnRetries.Store(components, GarbageCollectorSettingsExtras.Of(options).ObjectStoreMaxRetries, "SlateDB.GarbageCollector.ObjectStore");
        var collector = new GarbageCollector(new GcEnvironment(components, Logger(components.LoggerFactory), ownStore), options, ownedComponents: null);
        collector.Start();
        return collector;
    }

    /// <summary>
    /// Runs every enabled task once, now (after any run already under way): manifests, WAL SSTs, WAL fences,
    /// compacted SSTs, then <c>.compactions</c>. A task that fails is reported in the summary and does not stop the others.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The collector was stopped.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled or the collector stopped meanwhile.</exception>
    public async Task<GarbageCollectionSummary> RunOnceAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _stopTask) is not null, this);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stop.Token);
        var results = new List<GarbageCollectionTaskResult>();
        var expired = 0;
        foreach (var kind in TaskOrder)
        {
            if (OptionsOf(kind) is { } options)
            {
                var (result, removed) = await RunTaskAsync(kind, options, linked.Token).ConfigureAwait(false);
                results.Add(result);
                expired += removed;
            }
        }

        return new GarbageCollectionSummary { Tasks = results, ExpiredCheckpoints = expired };
    }

    /// <summary>Stops the background tasks (a delete under way is cancelled; the next run picks it up again). Idempotent.</summary>
    public Task StopAsync()
    {
        lock (_stopLock)
        {
            return _stopTask ??= Task.Run(StopCoreAsync, CancellationToken.None);
        }
    }

    /// <summary>
    /// Stops the background tasks as <see cref="StopAsync()"/> does, waiting for the stop until
    /// <paramref name="cancellationToken"/> fires. Cancelling abandons the wait, not the stop: the collector still
    /// stops, and a later call waits for it.
    /// </summary>
    /// <exception cref="OperationCanceledException">The token fired before the collector had stopped.</exception>
    public Task StopAsync(CancellationToken cancellationToken) => StopAsync().WaitAsync(cancellationToken);

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => new(StopAsync());

    private async Task StopCoreAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(_loops).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        GcLog.Stopped(_env.Logger, Path);
        _ownedComponents?.Dispose();
    }

    private static ILogger Logger(ILoggerFactory? loggerFactory) =>
        loggerFactory?.CreateLogger("SlateDB.GarbageCollector") ?? NullLogger.Instance;

    private static void Validate(GarbageCollectorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        foreach (var directory in new[] { options.ManifestOptions, options.WalOptions, options.WalFenceOptions, options.CompactedOptions, options.CompactionsOptions })
        {
            if (directory is null)
            {
                continue;
            }

            if (directory.Interval is { } interval && interval <= TimeSpan.Zero)
            {
                throw new ArgumentException("A garbage collector task's interval must be positive.", nameof(options));
            }

            if (directory.MinAge < TimeSpan.Zero)
            {
                throw new ArgumentException("A garbage collector task's minimum age must not be negative.", nameof(options));
            }
        }
    }

    private GarbageCollectorDirectoryOptions? OptionsOf(GarbageKind kind) => kind switch
    {
        GarbageKind.Manifest => Options.ManifestOptions,
        GarbageKind.Wal => Options.WalOptions,
        GarbageKind.WalFence => Options.WalFenceOptions,
        GarbageKind.Compacted => Options.CompactedOptions,
        _ => Options.CompactionsOptions,
    };

    private void Start()
    {
        var token = _stop.Token;
        var loops = new List<Task>();
        foreach (var kind in TaskOrder)
        {
            if (OptionsOf(kind) is { Interval: { } interval } options)
            {
                loops.Add(Task.Run(() => LoopAsync(kind, options, interval, token), CancellationToken.None));
            }
        }

        _loops = [.. loops];
        GcLog.Started(_env.Logger, Path, string.Join(", ", TaskOrder.Where(kind => OptionsOf(kind) is not null)));
    }

    private async Task LoopAsync(GarbageKind kind, GarbageCollectorDirectoryOptions options, TimeSpan interval, CancellationToken token)
    {
        try
        {
            while (true)
            {
                await Task.Delay(interval, _env.Time, token).ConfigureAwait(false);
                await RunTaskAsync(kind, options, token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
    }
}
