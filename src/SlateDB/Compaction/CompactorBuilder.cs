using SlateDB.Composition;
using SlateDB.Sst;
using SlateDB.Storage;

namespace SlateDB.Compaction;

/// <summary>Builds a standalone <see cref="Compactor"/> from settings and components.</summary>
public sealed class CompactorBuilder : ComponentsBuilder<CompactorBuilder>
{
    private CompactorOptions _options = new();
    private SlateDbOptions? _dbOptions;
    private ICompactionScheduler? _scheduler;
    private bool _polling = true;
    private IMergeOperator? _mergeOperator;
    private ICompactionFilterSupplier? _filters;

    internal CompactorBuilder(string path, IObjectStore store)
        : base(path, store)
    {
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

    /// <summary>Uses this scheduler instead of the size-tiered one.</summary>
    public CompactorBuilder WithScheduler(ICompactionScheduler scheduler)
    {
        ArgumentNullException.ThrowIfNull(scheduler);
        _scheduler = scheduler;
        return this;
    }

    /// <summary>
    /// Folds merge operands with this operator while compacting (SlateDB's <c>with_merge_operator</c>). Without one, a
    /// compaction keeps operands as they are.
    /// </summary>
    public CompactorBuilder WithMergeOperator(IMergeOperator mergeOperator)
    {
        ArgumentNullException.ThrowIfNull(mergeOperator);
        _mergeOperator = mergeOperator;
        return this;
    }

    /// <summary>
    /// Runs each compaction's rows through a filter this supplier creates per job (SlateDB's
    /// <c>with_compaction_filter_supplier</c>): keep, drop or rewrite rows. Give a standalone compactor the same
    /// supplier as the writer's embedded one, if it has one. See <see cref="ICompactionFilter"/> for what a filter sees.
    /// </summary>
    public CompactorBuilder WithCompactionFilterSupplier(ICompactionFilterSupplier supplier)
    {
        ArgumentNullException.ThrowIfNull(supplier);
        _filters = supplier;
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
        // Its requests retry as compactor_options.object_store_max_retries says; its metrics at its metric level.
        var own = dbOptions with { ObjectStoreMaxRetries = _options.ObjectStoreMaxRetries, CompactorOptions = _options };
        var components = DbComponents.Create(Settings(own) with { BlockCacheDisabled = true, MergeOperator = _mergeOperator, CompactionFilters = _filters });
        var context = new CompactorContext
        {
            Components = components,
            OwnsComponents = true,
            Options = _options,
            Scheduler = scheduler,
            ExecutorSettings = CompactorContext.ExecutorSettingsFor(_options, _dbOptions is null ? null : SstBuildSettings.From(dbOptions)),
            Logger = components.LoggerFactory.CreateLogger("SlateDB.Compactor"),
            Polling = _polling,
        };
        // A runtime that fails to start disposes itself, and with it the components it owns.
        var runtime = await CompactorRuntime.StartAsync(context, CancellationToken.None, cancellationToken).ConfigureAwait(false);
        return new Compactor(runtime);
    }
}
