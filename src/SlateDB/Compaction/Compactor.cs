namespace SlateDB.Compaction;

/// <summary>
/// A standalone compactor: compacts a database that some other process writes (opened with
/// <see cref="SlateDbOptions.CompactorOptions"/> null), as SlateDB's <c>Compactor</c> does. Starting it claims the next
/// compactor epoch, which fences any other compactor of the database (embedded or standalone); once another compactor
/// claims a newer epoch this one stops and never writes again. Every compaction is recorded in <c>.compactions</c>
/// before its output is written and is committed manifest first, so a compactor killed at any point leaves only
/// unreferenced SSTs behind, and the next one redoes what was in flight. Dispose (or <see cref="StopAsync()"/>) to stop.
/// </summary>
public sealed class Compactor : IAsyncDisposable
{
    private readonly CompactorRuntime _runtime;

    internal Compactor(CompactorRuntime runtime) => _runtime = runtime;

    /// <summary>The compactor epoch this compactor claimed.</summary>
    public ulong Epoch => _runtime.Epoch;

    /// <summary>True once a newer compactor took over (this one then does nothing more).</summary>
    public bool IsFenced => _runtime.FencedError is not null;

    /// <summary>
    /// Starts a compactor on the database at <paramref name="path"/>, polling every
    /// <see cref="CompactorOptions.PollInterval"/>.
    /// </summary>
    /// <param name="path">The database's key prefix in the store.</param>
    /// <param name="objectStore">Where the database lives.</param>
    /// <param name="options">Compactor settings; null for the defaults.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <exception cref="SlateDbException">Invalid: there is no database at <paramref name="path"/>, or a scheduler option is invalid.</exception>
    public static Task<Compactor> StartAsync(string path, Storage.IObjectStore objectStore, CompactorOptions? options = null, CancellationToken cancellationToken = default)
    {
        var builder = Builder(path, objectStore);
        if (options is not null)
        {
            builder.WithOptions(options);
        }

        return builder.StartAsync(cancellationToken);
    }

    /// <summary>A builder for a compactor with components (clock, logging, seed, scheduler).</summary>
    public static CompactorBuilder Builder(string path, Storage.IObjectStore objectStore) => new(path, objectStore);

    /// <summary>
    /// Runs one scheduling round now and waits for the compactions it started to commit: compactions left over by an
    /// earlier compactor or submitted by another process, then the scheduler's proposals.
    /// </summary>
    /// <returns>What each committed compaction did; empty when nothing needed compacting.</returns>
    /// <exception cref="SlateDbException">Closed/Fenced: a newer compactor took over. Unavailable: a compaction failed.</exception>
    public Task<IReadOnlyList<CompactionResult>> RunOnceAsync(CancellationToken cancellationToken = default) => _runtime.RunOnceAsync(cancellationToken);

    /// <summary>Runs an operator's compaction and waits for it to commit; null when there was nothing to compact.</summary>
    /// <exception cref="SlateDbException">Invalid: an explicit plan breaks the tree's rules. Unavailable: it failed. Closed/Fenced.</exception>
    public Task<CompactionResult?> SubmitAsync(CompactionRequest request, CancellationToken cancellationToken = default) => _runtime.SubmitAsync(request, cancellationToken);

    /// <summary>
    /// Merges every L0 SST and sorted run into one sorted run (<see cref="CompactionRequest.Full"/>); deleted and
    /// expired keys are dropped for good. Null when the database holds no SST.
    /// </summary>
    public Task<CompactionResult?> CompactFullAsync(CancellationToken cancellationToken = default) => _runtime.SubmitAsync(CompactionRequest.Full, cancellationToken);

    /// <summary>Stops polling and running compactions (work in flight is abandoned and redone by the next compactor).</summary>
    public Task StopAsync() => _runtime.StopAsync();

    /// <summary>
    /// Stops the compactor as <see cref="StopAsync()"/> does, waiting for the stop until <paramref name="cancellationToken"/>
    /// fires. Cancelling abandons the wait, not the stop: the compactor still stops, and a later call waits for it.
    /// </summary>
    /// <exception cref="OperationCanceledException">The token fired before the compactor had stopped.</exception>
    public Task StopAsync(CancellationToken cancellationToken) => _runtime.StopAsync().WaitAsync(cancellationToken);

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => _runtime.DisposeAsync();
}
