using SlateDB.Compaction.Workers;
using SlateDB.Composition;
using SlateDB.Sst;
using SlateDB.Storage;

namespace SlateDB.Compaction;

/// <summary>Builds a <see cref="CompactionWorker"/> from settings and components (SlateDB's <c>CompactionWorkerBuilder</c>).</summary>
public sealed class CompactionWorkerBuilder : ComponentsBuilder<CompactionWorkerBuilder>
{
    private CompactionWorkerOptions _options = new();
    private SlateDbOptions? _dbOptions;
    private IMergeOperator? _mergeOperator;
    private Func<string>? _workerId;

    internal CompactionWorkerBuilder(string path, IObjectStore store)
        : base(path, store)
    {
    }

    /// <summary>Uses these worker settings (poll interval, heartbeat interval, compactions at once) instead of the defaults.</summary>
    public CompactionWorkerBuilder WithOptions(CompactionWorkerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        return this;
    }

    /// <summary>
    /// Builds SSTs as the writer configured with <paramref name="options"/> does (codec, filters, SST size from its
    /// <see cref="SlateDbOptions.CompactorOptions"/>) and retries object-store requests as it says. Without this, each
    /// compaction writes with the codec of its newest input SST and SlateDB's default settings.
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
        (dbOptions with { CompactorOptions = compactor with { Worker = _options } }).Validate();
        var components = DbComponents.Create(Settings(dbOptions) with { BlockCacheDisabled = true, MergeOperator = _mergeOperator });
        try
        {
            var workerId = _workerId is { } provider ? provider() : components.Ids.NewUlid().ToString();
            if (string.IsNullOrWhiteSpace(workerId))
            {
                throw new SlateDbException(SlateDbErrorKind.Invalid, "The worker id provider returned an empty id.");
            }

            var settings = CompactorContext.ExecutorSettingsFor(compactor, _dbOptions is null ? null : SstBuildSettings.From(dbOptions));
            var runtime = new WorkerRuntime(components, _options, settings, workerId, compactor.ManifestUpdateTimeout);
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
