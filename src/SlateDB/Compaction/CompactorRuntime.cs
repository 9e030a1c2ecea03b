using SlateDB.Common;
using SlateDB.Manifest;

namespace SlateDB.Compaction;

/// <summary>
/// A running compactor (SlateDB's compactor event loop), embedded in a writer or standalone. It claims the compactor
/// epoch (manifest first, then the <c>.compactions</c> file), then polls: reread both, resume or drop compactions left
/// by an earlier compactor, ask the scheduler for more (up to <see cref="CompactorOptions.MaxConcurrentCompactions"/>
/// in flight), record them as running in <c>.compactions</c>, and execute them in the background. A finished
/// compaction commits in manifest-first order: a manifest compare-and-swap that swaps its inputs for the new run (on
/// the newest manifest, keeping the writer's fields), then its record set to completed. A newer compactor epoch fences
/// it: it stops and never writes again. State changes and metadata writes are serialised by one async lock.
/// </summary>
internal sealed partial class CompactorRuntime : IAsyncDisposable
{
    private static readonly TimeSpan CheckpointLifetime = TimeSpan.FromMinutes(15);

    private readonly CompactorContext _c;
    private readonly CompactorManifest _manifest;
    private readonly CompactionsFile _file;
    private readonly CompactionExecutor _executor;
    private readonly SemaphoreSlim _lock = new(1, 1);
    private readonly Lock _stopLock = new();
    private readonly Dictionary<Ulid, RunningCompaction> _running = [];
    private readonly CancellationTokenSource _stop;
    private readonly AsyncSignal _wake = new();
    private Task _loop = Task.CompletedTask;
    private Task? _stopTask;
    private SlateDbException? _fenced;
    private int _manualWaiters;

    private CompactorRuntime(CompactorContext context, CancellationToken stopToken)
    {
        _c = context;
        _manifest = new CompactorManifest(context.Manifests, context.Time, context.Options.ManifestUpdateTimeout);
        _file = new CompactionsFile(context.Tables.Store, context.Tables.Paths, context.Time, context.Options.ManifestUpdateTimeout);
        _executor = new CompactionExecutor(context.Tables, context.Ids, context.Time, context.ExecutorSettings, context.Components.Merge, context.Components.CompactionFilters);
        _stop = CancellationTokenSource.CreateLinkedTokenSource(stopToken);
        InitWorkers();
    }

    /// <summary>The compactor epoch this compactor claimed.</summary>
    public ulong Epoch => _manifest.Epoch;

    /// <summary>The fencing error once a newer compactor took over; null while this one may write.</summary>
    public SlateDbException? FencedError => Volatile.Read(ref _fenced);

    /// <summary>Completes when the compactor has stopped on its own (fenced) or was stopped.</summary>
    public Task Completion => _loop;

    /// <summary>
    /// Claims the compactor epoch and starts polling (unless the context turns polling off). Cancelling
    /// <paramref name="stopToken"/> later stops the compactor as <see cref="StopAsync"/> does.
    /// </summary>
    public static async Task<CompactorRuntime> StartAsync(CompactorContext context, CancellationToken stopToken, CancellationToken cancellationToken)
    {
        var runtime = new CompactorRuntime(context, stopToken);
        try
        {
            await runtime._manifest.ClaimAsync(cancellationToken).ConfigureAwait(false);
            var resumed = 0;
            await runtime._file.ClaimAsync(
                runtime._manifest.Epoch,
                records =>
                {
                    var recovered = Recover(records);
                    resumed = recovered.Count(record => record.Status == CompactionStatus.Submitted);
                    return recovered;
                },
                cancellationToken).ConfigureAwait(false);
            CompactorLog.Started(context.Logger, context.Path, runtime.Epoch, resumed);
            if (context.Polling)
            {
                runtime._loop = Task.Run(runtime.LoopAsync, CancellationToken.None);
            }

            runtime.StartTending();

            return runtime;
        }
        catch
        {
            await runtime.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Makes the polling loop run a round now (the writer calls this after each L0 flush).</summary>
    public void Wake() => _wake.Set();

    /// <summary>Stops polling and running compactions (their outputs are left unreferenced) and waits for them.</summary>
    public Task StopAsync()
    {
        lock (_stopLock)
        {
            _stopTask ??= StopCoreAsync();
            return _stopTask;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _lock.Dispose();
        _stop.Dispose();
        if (_c.OwnsComponents)
        {
            _c.Components.Dispose();
        }
    }

    /// <summary>
    /// The records a new compactor keeps: unfinished compactions become submitted again (resumed if still valid, each
    /// key range after the SSTs its context records), those this compactor cannot run (other specs, segments) are
    /// failed, and finished ones are trimmed to the newest. Worker details are dropped.
    /// </summary>
    internal static IReadOnlyList<CompactionRecord> Recover(IReadOnlyList<CompactionRecord> records)
    {
        var recovered = records.Select(record =>
        {
            var supported = record.Spec is TieredCompactionSpec && record.Spec.Segment.IsEmpty;
            var status = record.Status switch
            {
                CompactionStatus.Completed or CompactionStatus.Failed => record.Status,
                _ when !supported => CompactionStatus.Failed,
                _ => CompactionStatus.Submitted,
            };
            var spec = supported ? record.Spec : new TieredCompactionSpec(ReadOnlyMemory<byte>.Empty, [], 0);
            return record with
            {
                Spec = spec,
                Status = status,
                OutputSsts = status == CompactionStatus.Completed ? record.OutputSsts : [],
                Worker = null,
                Context = status == CompactionStatus.Submitted ? record.Context : null,
            };
        });
        return CompactionsFile.Trim(recovered);
    }

    private async Task StopCoreAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        Task[] jobs;
        await _lock.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            jobs = [.. _running.Values.Select(running => running.Completion)];
        }
        finally
        {
            _lock.Release();
        }

        await Task.WhenAll(jobs).ConfigureAwait(false);
        await HandBackToVersion1Async().ConfigureAwait(false);
        CompactorLog.Stopped(_c.Logger, _c.Path);
    }

    private async Task LoopAsync()
    {
        var token = _stop.Token;
        while (!token.IsCancellationRequested)
        {
            _wake.Reset();
            try
            {
                await _lock.WaitAsync(token).ConfigureAwait(false);
                try
                {
                    await RoundAsync(token).ConfigureAwait(false);
                }
                finally
                {
                    _lock.Release();
                }
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }
            catch (SlateDbException e) when (e.Kind == SlateDbErrorKind.Closed)
            {
                return; // fenced or stopped
            }
            catch (Exception e)
            {
                CompactorLog.PollFailed(_c.Logger, e);
            }

            using var delay = CancellationTokenSource.CreateLinkedTokenSource(token);
            await Task.WhenAny(_wake.WaitAsync(), Task.Delay(LoopDelay, _c.Time, delay.Token)).ConfigureAwait(false);
            await delay.CancelAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Throws the fencing error once fenced, and Closed/Clean once stopped.</summary>
    private void ThrowIfFenced()
    {
        if (Volatile.Read(ref _fenced) is { } fenced)
        {
            throw fenced;
        }

        if (Volatile.Read(ref _stopTask) is not null)
        {
            throw SlateDbException.Closed(CloseReason.Clean, "The compactor is stopped.");
        }
    }

    /// <summary>Runs a metadata read or write; a fencing error latches, stops the compactor and is rethrown.</summary>
    private async Task GuardAsync(Func<Task> action)
    {
        try
        {
            await action().ConfigureAwait(false);
        }
        catch (SlateDbException e) when (e.CloseReason == CloseReason.Fenced)
        {
            if (Interlocked.CompareExchange(ref _fenced, e, null) is null)
            {
                CompactorLog.Fenced(_c.Logger, e.Message);
                await _stop.CancelAsync().ConfigureAwait(false);
            }

            throw;
        }
    }

    /// <summary>One compaction in flight: its plan and the task that executes and commits it.</summary>
    private sealed class RunningCompaction(Ulid id, CompactionPlan plan)
    {
        public Ulid Id => id;

        public CompactionPlan Plan => plan;

        /// <summary>The result once committed; null when it failed, was stopped or the compactor was fenced. Never faults.</summary>
        public Task<CompactionResult?> Completion { get; set; } = Task.FromResult<CompactionResult?>(null);

        public Exception? Failure { get; set; }

        /// <summary>Where the executor records the compaction's key ranges and outputs.</summary>
        public ICompactionProgress? Progress { get; init; }
    }
}
