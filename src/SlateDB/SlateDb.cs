using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using SlateDB.Composition;
using SlateDB.Db;
using SlateDB.Flush;
using SlateDB.Memtable;
using SlateDB.Storage;
using SlateDB.Wal;
using SlateDB.WritePath;

namespace SlateDB;

/// <summary>
/// An open SlateDB database: an LSM tree kept in object storage, with one writer (this instance) at a time.
/// Writes are batched into a WAL object every <see cref="SlateDbOptions.FlushInterval"/>; memtables are flushed to
/// L0 SSTs; the manifest, updated by compare-and-swap, coordinates the writer, readers, the compactor and the garbage
/// collector. Thread-safe. Dispose (or <see cref="CloseAsync"/>) to flush and stop its background work.
/// </summary>
/// <remarks>
/// <para><b>Which writes survive a crash.</b> A write with <see cref="WriteOptions.AwaitDurable"/> is durable when
/// its call returns and survives anything. A write without it (the default) is committed in memory and becomes
/// durable at the next WAL write (every <see cref="SlateDbOptions.FlushInterval"/>), at <see cref="FlushAsync(CancellationToken)"/>
/// or at <see cref="CloseAsync"/>; with the WAL disabled, at its memtable's L0 flush. If the process ends without a
/// close (a return from <c>Main</c>, <see cref="Environment.Exit(int)"/>, SIGTERM, SIGINT) a best-effort flush bounded
/// to 5 seconds writes the rest out (<see cref="SlateDbBuilder.WithFlushOnProcessExit"/>); a kill, a crash or a power
/// loss loses every write that was not yet durable.</para>
/// </remarks>
public sealed partial class SlateDb : IAsyncDisposable
{
    private readonly DbComponents _c;
    private readonly ILogger _logger;
    private readonly Oracle _oracle;
    private readonly MonotonicClock _clock;
    private readonly WriterManifest _manifest;
    private readonly Random _random;
    private readonly Lock _writeLock = new();
    private readonly Lock _stateLock = new();
    private readonly CancellationTokenSource _stop = new();
    private DbState _state;
    private readonly WalFlusher _wal;
    private readonly MemtableFlusher _flusher;

    private SlateDb(DbComponents components, WriterManifest manifest, RecoveredState recovered, Random random)
    {
        _c = components;
        _logger = components.LoggerFactory.CreateLogger("SlateDB");
        foreach (var setting in components.Options.SettingsNotActedUpon())
        {
            SettingsLog.NotActedUpon(_logger, setting);
        }

        _manifest = manifest;
        _random = random;
        _oracle = new Oracle((long)recovered.LastSeq);
        _clock = new MonotonicClock(components.TimeProvider, recovered.LastTick);
        _state = new DbState(NewMemtable(), recovered.Frozen, manifest.Current.Core);
        _wal = new WalFlusher(components.Wal, components, _oracle, _writeLock, recovered.NextWalId, OnWalFlushed);
        if (components.Options.WalEnabled && components.Options.WalFlushPolicy == WalFlushPolicy.Eager)
        {
            _oracle.DurableWaiterArrived = _wal.RequestEagerFlush;
        }
        _flusher = new MemtableFlusher(components, manifest, new FlushHost(this), _logger);
        _transactions = new Transactions.TransactionManager(components.Transactions, _snapshots, components.TimeProvider);
        components.Metrics.ObserveDatabase(new GaugeSource(this));
    }

    /// <summary>The database's path (its key prefix in the object store).</summary>
    public string Path => _c.Path;

    /// <summary>The settings it was opened with.</summary>
    public SlateDbOptions Options => _c.Options;

    /// <summary>Opens (or creates) the database at <paramref name="path"/> in <paramref name="objectStore"/>, fencing any previous writer.</summary>
    /// <param name="path">The database's key prefix in the store, for example <c>"orders"</c>; not empty or white space.</param>
    /// <param name="objectStore">Where the database lives.</param>
    /// <param name="options">Settings; null for the defaults.</param>
    /// <param name="cancellationToken">Cancels the open.</param>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty or white space.</exception>
    public static Task<SlateDb> OpenAsync(string path, IObjectStore objectStore, SlateDbOptions? options = null, CancellationToken cancellationToken = default)
    {
        var builder = Builder(path, objectStore);
        if (options is not null)
        {
            builder.WithOptions(options);
        }

        return builder.OpenAsync(cancellationToken);
    }

    /// <summary>A builder for opening a database with components (clock, logging, metrics, seed).</summary>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty or white space.</exception>
    public static SlateDbBuilder Builder(string path, IObjectStore objectStore) => new(path, objectStore);

    internal static async Task<SlateDb> OpenCoreAsync(ComponentSettings settings, CancellationToken cancellationToken)
    {
        ReadPath.PointReadCode.PrepareInBackground();
        var components = DbComponents.Create(settings with { UseDiskCache = true });
        try
        {
            using var bound = OpenBound.Start(components, settings.OpenTimeout, cancellationToken);
            (WriterManifest Manifest, RecoveredState State) opened;
            try
            {
                opened = await Recovery.OpenAsync(components, components.Random, bound.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (bound.Expired && !cancellationToken.IsCancellationRequested)
            {
                throw bound.Error();
            }

            var db = new SlateDb(components, opened.Manifest, opened.State, components.Random);
            db.StartBackgroundWork();
            db.RegisterExitFlush(settings.FlushOnProcessExit);
            return db;
        }
        catch
        {
            components.Dispose();
            throw;
        }
    }

    private KvTable NewMemtable() => new((ulong)_random.NextInt64(), _c.Merge, MemtableKeyFilter.BytesFor(_c.Options.L0SstSizeBytes));

    private DbState State => Volatile.Read(ref _state);

    private void SwapState(Func<DbState, DbState> change)
    {
        DbState before, after;
        lock (_stateLock)
        {
            before = _state;
            after = change(before);
            Volatile.Write(ref _state, after);
        }

        if (!ReferenceEquals(before.Core.Tree.L0, after.Core.Tree.L0))
        {
            // L0 SSTs a compaction took away no longer need the memtables the cache keeps for them.
            _c.Tables.ForgetRetainedLeaving(before.Core.Tree.L0, after.Core.Tree.L0);
        }
    }
}

/// <summary>What recovery rebuilt: frozen memtables replayed from the WAL, the last sequence and tick, the next WAL id.</summary>
internal sealed record RecoveredState(ImmutableList<FrozenMemtable> Frozen, ulong LastSeq, long LastTick, ulong NextWalId);
