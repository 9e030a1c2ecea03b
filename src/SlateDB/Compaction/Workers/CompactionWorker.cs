using SlateDB.Compaction.Workers;
using SlateDB.Storage;

namespace SlateDB.Compaction;

/// <summary>
/// A compaction worker (SlateDB RFC-0025's <c>CompactionWorker</c>): a stateless executor of the compactions a
/// coordinator hands out through the database's <c>.compactions</c> file. The coordinator is a compactor started with
/// <see cref="CompactorOptions.Worker"/> null (standalone, or embedded in the writer); it schedules compactions,
/// reclaims those whose worker's heartbeat is older than <see cref="CompactorOptions.WorkerHeartbeatTimeout"/>, and
/// alone commits results to the manifest. A worker polls for scheduled compactions, claims them by compare-and-swap,
/// heartbeats while it runs them, writes their output SSTs and reports them compacted. Run any number of workers, in
/// any processes or machines that reach the store; they never fence each other, the writer or the coordinator. Start
/// one with <see cref="StartAsync"/> or <see cref="Builder"/>; dispose (or <see cref="StopAsync()"/>) to stop, which
/// hands the compactions it holds back at once.
/// </summary>
public sealed class CompactionWorker : IAsyncDisposable
{
    private readonly WorkerRuntime _runtime;

    internal CompactionWorker(WorkerRuntime runtime) => _runtime = runtime;

    /// <summary>This worker's id, as recorded in the compactions it claims.</summary>
    public string WorkerId => _runtime.WorkerId;

    /// <summary>Compactions this worker is running now.</summary>
    public int ActiveCompactions => _runtime.ActiveCompactions;

    /// <summary>Compactions this worker ran to the end and reported compacted (the coordinator commits them).</summary>
    public long CompletedCompactions => _runtime.CompletedCompactions;

    /// <summary>Completes when the worker has stopped.</summary>
    public Task Completion => _runtime.Completion;

    /// <summary>Starts a worker on the database at <paramref name="path"/> with <paramref name="options"/> (default: SlateDB's).</summary>
    /// <param name="path">The database's path in the store.</param>
    /// <param name="objectStore">Where the database lives.</param>
    /// <param name="options">Worker settings; null for the defaults.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <exception cref="SlateDbException">Invalid: bad settings.</exception>
    public static Task<CompactionWorker> StartAsync(string path, IObjectStore objectStore, CompactionWorkerOptions? options = null, CancellationToken cancellationToken = default)
    {
        var builder = Builder(path, objectStore);
        if (options is not null)
        {
            builder.WithOptions(options);
        }

        return builder.StartAsync(cancellationToken);
    }

    /// <summary>A builder for a worker with components (clock, logging, seed, worker id, merge operator, SST settings).</summary>
    public static CompactionWorkerBuilder Builder(string path, IObjectStore objectStore) => new(path, objectStore);

    /// <summary>
    /// Stops claiming, cancels the compactions running here and hands them back (scheduled, no worker) so another
    /// worker can take them at once; their partial output is left to the garbage collector.
    /// </summary>
    public Task StopAsync() => _runtime.StopAsync();

    /// <summary>Stops as <see cref="StopAsync()"/> does, waiting until <paramref name="cancellationToken"/> fires (the stop goes on).</summary>
    /// <exception cref="OperationCanceledException">The token fired before the worker had stopped.</exception>
    public Task StopAsync(CancellationToken cancellationToken) => _runtime.StopAsync().WaitAsync(cancellationToken);

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => _runtime.DisposeAsync();
}
