using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SlateDB.Common;
using SlateDB.Manifest;
using SlateDB.Sst;
using SlateDB.Storage;

namespace SlateDB.Compaction;

/// <summary>Builds a standalone <see cref="Compactor"/> from settings and components.</summary>
public sealed class CompactorBuilder
{
    private readonly string _path;
    private readonly IObjectStore _store;
    private CompactorOptions _options = new();
    private SlateDbOptions? _dbOptions;
    private TimeProvider _timeProvider = TimeProvider.System;
    private ILoggerFactory _loggerFactory = NullLoggerFactory.Instance;
    private ICompactionScheduler? _scheduler;
    private int? _seed;
    private bool _polling = true;

    internal CompactorBuilder(string path, IObjectStore store)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(store);
        _path = path;
        _store = store;
    }

    /// <summary>Uses these compactor settings instead of the defaults.</summary>
    public CompactorBuilder WithOptions(CompactorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        return this;
    }

    /// <summary>
    /// Builds SSTs as the writer configured with <paramref name="options"/> does (compression codec, bloom filter
    /// settings) and retries object-store requests as it says. Without this, each compaction writes with the codec of
    /// its newest input SST and SlateDB's default filter settings.
    /// </summary>
    public CompactorBuilder WithDbOptions(SlateDbOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _dbOptions = options;
        return this;
    }

    /// <summary>Uses this clock for polling, timeouts and SST ids.</summary>
    public CompactorBuilder WithTimeProvider(TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        _timeProvider = timeProvider;
        return this;
    }

    /// <summary>Logs through this factory (default: no logging).</summary>
    public CompactorBuilder WithLoggerFactory(ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _loggerFactory = loggerFactory;
        return this;
    }

    /// <summary>Uses this scheduler instead of the size-tiered one.</summary>
    public CompactorBuilder WithScheduler(ICompactionScheduler scheduler)
    {
        ArgumentNullException.ThrowIfNull(scheduler);
        _scheduler = scheduler;
        return this;
    }

    /// <summary>Seeds the compactor's ids (SSTs, compactions, checkpoints) for reproducible runs.</summary>
    public CompactorBuilder WithSeed(int seed)
    {
        _seed = seed;
        return this;
    }

    /// <summary>Does not poll: compactions run only through <see cref="Compactor.RunOnceAsync"/> and requests.</summary>
    public CompactorBuilder WithPollingDisabled()
    {
        _polling = false;
        return this;
    }

    /// <summary>Claims the compactor epoch of the database and starts the compactor.</summary>
    /// <exception cref="SlateDbException">Invalid: bad settings, or no database at the path. Unavailable: the claim kept losing races.</exception>
    public async Task<Compactor> StartAsync(CancellationToken cancellationToken = default)
    {
        var dbOptions = _dbOptions ?? SlateDbOptions.Default;
        (dbOptions with { CompactorOptions = _options }).Validate();
        var scheduler = _scheduler ?? CompactorContext.DefaultScheduler(_options);
        var seed = _seed ?? RandomNumberGenerator.GetInt32(int.MaxValue);
        var logger = _loggerFactory.CreateLogger("SlateDB.Compactor");
        var retry = RetryOptions.Default with { MaxRetries = dbOptions.ObjectStoreMaxRetries };
        var store = new RetryingObjectStore(_store, retry, _timeProvider, new Random(seed), _loggerFactory.CreateLogger("SlateDB.ObjectStore"));
        var paths = new DbPaths(_path);
        var tables = new TableStore(store, paths, dbOptions, cache: null);
        var context = new CompactorContext
        {
            Path = paths.Root,
            Tables = tables,
            Manifests = new ManifestStore(store, paths),
            Options = _options,
            Scheduler = scheduler,
            ExecutorSettings = CompactorContext.ExecutorSettingsFor(_options, _dbOptions is null ? null : SstBuildSettings.From(dbOptions)),
            Time = _timeProvider,
            Logger = logger,
            Ids = new IdGenerator(_timeProvider, seed),
            Polling = _polling,
        };
        var runtime = await CompactorRuntime.StartAsync(context, CancellationToken.None, cancellationToken).ConfigureAwait(false);
        return new Compactor(runtime);
    }
}
