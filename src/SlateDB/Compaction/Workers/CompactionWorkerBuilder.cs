using SlateDB.Compaction.Workers;
using SlateDB.Composition;
using SlateDB.Sst;
using SlateDB.Storage;

namespace SlateDB.Compaction;

/// <summary>Builds a <see cref="CompactionWorker"/> from settings and components (SlateDB's <c>CompactionWorkerBuilder</c>).</summary>
public sealed class CompactionWorkerBuilder : ComponentsBuilder<CompactionWorkerBuilder>
{
    private CompactionWorkerOptions? _options;
    private SlateDbOptions? _dbOptions;
    private IMergeOperator? _mergeOperator;
    private Func<string>? _workerId;

    internal CompactionWorkerBuilder(string path, IObjectStore store)
        : base(path, store)
    {
    }

    /// <summary>
    /// Uses these worker settings (poll interval, heartbeat interval, compactions at once, read size, subcompactions,
    /// codec, filter threshold, metric level) instead of those of <see cref="WithDbOptions"/>'s
    /// <c>compactor_options.worker</c>, or the defaults.
    /// </summary>
    public CompactionWorkerBuilder WithOptions(CompactionWorkerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        return this;
    }

    /// <summary>
    /// Runs with the settings of the writer configured with <paramref name="options"/>: its
    /// <c>compactor_options.worker</c> (unless <see cref="WithOptions"/> gives others), SST size and fetch tasks from
    /// its <see cref="SlateDbOptions.CompactorOptions"/>, its codec when the worker settings name none, its filter bits
    /// per key, its metric level when the worker's is unset, and <c>compactor_options.object_store_max_retries</c>.
    /// Without this, a compaction whose worker settings name no codec writes with the codec of its newest input SST.
    /// </summary>
    public CompactionWorkerBuilder WithDbOptions(SlateDbOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _dbOptions = options;
        return this;
    }

    /// <summary>Folds merge operands with this operator while compacting (use the writer's operator).</summary>
    public CompactionWorkerBuilder WithMergeOperator(IMergeOperator mergeOperator)
    {
        ArgumentNullException.ThrowIfNull(mergeOperator);
        _mergeOperator = mergeOperator;
        return this;
    }

    /// <summary>
    /// Takes the worker's id from <paramref name="workerIdProvider"/> (called once at start; for example a pod name).
    /// Default: a new ULID from the builder's clock and seed. Two running workers must not share an id.
    /// </summary>
    public CompactionWorkerBuilder WithWorkerId(Func<string> workerIdProvider)
    {
        ArgumentNullException.ThrowIfNull(workerIdProvider);
        _workerId = workerIdProvider;
        return this;
    }

    /// <summary>Starts the worker: it begins polling at once (and waits quietly while the database has no compactor yet).</summary>
    /// <exception cref="SlateDbException">Invalid: bad settings, or the worker id provider returned an empty id.</exception>
    public Task<CompactionWorker> StartAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var dbOptions = _dbOptions ?? SlateDbOptions.Default;
        var compactor = dbOptions.CompactorOptions ?? new CompactorOptions();
        var options = _options ?? compactor.Worker ?? new CompactionWorkerOptions();
        (dbOptions with { CompactorOptions = compactor with { Worker = options } }).Validate();
        // The worker's metric level gates the compaction metrics it records; its requests retry as the compactor's say.
        var level = options.MetricLevel ?? (_dbOptions is null ? SlateDB.MetricLevel.Info : dbOptions.MetricLevel);
        var own = dbOptions with
        {
            ObjectStoreMaxRetries = compactor.ObjectStoreMaxRetries,
            CompactorOptions = compactor with { Worker = options, MetricLevel = level },
        };
        var components = DbComponents.Create(Settings(own) with { BlockCacheDisabled = true, MergeOperator = _mergeOperator });
        try
        {
            var workerId = _workerId is { } provider ? provider() : components.Ids.NewUlid().ToString();
            if (string.IsNullOrWhiteSpace(workerId))
            {
                throw new SlateDbException(SlateDbErrorKind.Invalid, "The worker id provider returned an empty id.");
            }

            var settings = ExecutorSettings(options, compactor, _dbOptions);
            var runtime = new WorkerRuntime(components, options, settings, workerId, compactor.ManifestUpdateTimeout);
            runtime.Start();
            return Task.FromResult(new CompactionWorker(runtime));
        }
        catch
        {
            components.Dispose();
            throw;
        }
    }

    /// <summary>
    /// How a standalone worker executes (SlateDB's worker builder): its own read size, subcompactions, filter threshold
    /// and codec; without a codec, the database's (when given) or each compaction's newest input's.
    /// </summary>
    internal static CompactionExecutorSettings ExecutorSettings(CompactionWorkerOptions worker, CompactorOptions compactor, SlateDbOptions? dbOptions)
    {
        var codec = worker.CompressionCodec ?? dbOptions?.CompressionCodec;
        var build = codec is { } known
            ? SstBuildSettings.From(dbOptions ?? SlateDbOptions.Default) with { Codec = (Format.Compression.BlockCodec)(byte)known, MinFilterKeys = worker.MinFilterKeys }
            : null;
        return new CompactionExecutorSettings(
            build, compactor.MaxSstSize, compactor.MaxFetchTasks, worker.BytesToFetch, worker.MaxSubcompactions, InferredMinFilterKeys: worker.MinFilterKeys);
    }

    /// <summary>
    /// Runs a worker until <paramref name="stopToken"/> fires, then stops it gracefully (SlateDB's
    /// <c>run_compaction_worker</c>): what it holds is handed back at once.
    /// </summary>
    /// <exception cref="SlateDbException">Invalid: bad settings.</exception>
    public async Task RunAsync(CancellationToken stopToken)
    {
        var worker = await StartAsync(CancellationToken.None).ConfigureAwait(false);
        await using (worker.ConfigureAwait(false))
        {
            try
            {
                await worker.Completion.WaitAsync(stopToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stopToken.IsCancellationRequested)
            {
                // Asked to stop: dispose stops gracefully.
            }
        }
    }
}
