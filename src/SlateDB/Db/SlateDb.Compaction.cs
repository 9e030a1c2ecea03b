using SlateDB.Compaction;

namespace SlateDB;

public sealed partial class SlateDb
{
    private readonly TaskCompletionSource<CompactorRuntime?> _compactorReady = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CompactorRuntime? _compactor;

    /// <summary>
    /// Merges every L0 SST and every sorted run into one sorted run with the embedded compactor
    /// (<see cref="CompactionRequest.Full"/>), and waits for it to commit: deleted and expired keys are dropped for good
    /// (versions live snapshots need are kept). Data still in memtables is not included; flush them first with
    /// <see cref="FlushAsync(FlushOptions, CancellationToken)"/> and <see cref="FlushType.MemTable"/> to include it.
    /// </summary>
    /// <returns>What the compaction did; null when there was no SST to compact.</returns>
    /// <exception cref="SlateDbException">
    /// Invalid: the database runs no embedded compactor (<see cref="SlateDbOptions.CompactorOptions"/> is null, or it was
    /// taken over by another compactor); use a standalone <see cref="Compactor"/>. Unavailable: the compaction failed.
    /// </exception>
    public async Task<CompactionResult?> CompactFullAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfClosed();
        var runtime = await _compactorReady.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        if (runtime is null || runtime.FencedError is not null)
        {
            throw new SlateDbException(SlateDbErrorKind.Invalid, "This database runs no embedded compactor (compactor_options is null, or another compactor took over): compact it with a standalone Compactor.");
        }

        return await runtime.SubmitAsync(CompactionRequest.Full, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Starts the embedded compactor when <see cref="SlateDbOptions.CompactorOptions"/> is set. Returns the task that
    /// runs it until the database stops (it never faults). Throws Invalid at once for bad scheduler options.
    /// </summary>
    private Task StartEmbeddedCompactor(CancellationToken token)
    {
        if (_c.Options.CompactorOptions is not { } options)
        {
            _compactorReady.TrySetResult(null);
            return Task.CompletedTask;
        }

        var context = new CompactorContext
        {
            Components = _c,
            Options = options,
            Scheduler = CompactorContext.DefaultScheduler(options),
            ExecutorSettings = CompactorContext.ExecutorSettingsFor(options, _c.Tables.Settings, _c.Options.MemoryBudget),
            Logger = _c.LoggerFactory.CreateLogger("SlateDB.Compactor"),
            OnCommitted = RefreshManifestCoreAsync,
        }.WithOwnRetries();
        return Task.Run(() => RunEmbeddedCompactorAsync(context, token), CancellationToken.None);
    }

    private async Task RunEmbeddedCompactorAsync(CompactorContext context, CancellationToken token)
    {
        CompactorRuntime? runtime = null;
        try
        {
            runtime = await CompactorRuntime.StartAsync(context, token, token).ConfigureAwait(false);
            Volatile.Write(ref _compactor, runtime);
            _compactorReady.TrySetResult(runtime);
            await runtime.Completion.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            CompactorLog.StartFailed(context.Logger, e);
        }
        finally
        {
            _compactorReady.TrySetResult(null);
            Volatile.Write(ref _compactor, null);
            if (runtime is not null)
            {
                await runtime.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>Tells the embedded compactor that L0 changed, so it schedules without waiting for its next poll.</summary>
    private void WakeCompactor() => Volatile.Read(ref _compactor)?.Wake();
}
