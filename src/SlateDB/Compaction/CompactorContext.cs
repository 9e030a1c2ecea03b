using Microsoft.Extensions.Logging;
using SlateDB.Common;
using SlateDB.Composition;
using SlateDB.Manifest;
using SlateDB.Sst;

namespace SlateDB.Compaction;

/// <summary>What a compactor runs with, whether embedded in a writer or standalone.</summary>
internal sealed record CompactorContext
{
    /// <summary>The parts shared with the database (an embedded compactor) or built for this compactor alone.</summary>
    public required DbComponents Components { get; init; }

    /// <summary>True when the compactor built <see cref="Components"/> itself and disposes them when it stops.</summary>
    public bool OwnsComponents { get; init; }

    public required CompactorOptions Options { get; init; }

    public required ICompactionScheduler Scheduler { get; init; }

    public required CompactionExecutorSettings ExecutorSettings { get; init; }

    public required ILogger Logger { get; init; }

    /// <summary>The database root (for messages).</summary>
    public string Path => Components.Path;

    /// <summary>The SST store the compactor reads and writes through (the components' unless it retries on its own).</summary>
    public TableStore Tables
    {
        get => field ?? Components.Tables;
        init;
    }

    /// <summary>The manifest store the compactor uses (the components' unless it retries on its own).</summary>
    public ManifestStore Manifests
    {
        get => field ?? Components.Manifests;
        init;
    }

    /// <summary>
    /// This context with requests retried as <see cref="CompactorOptions.ObjectStoreMaxRetries"/> says, when it differs
    /// from the database's bound (an embedded compactor; SlateDB wraps the compactor's store on its own). With a local
    /// disk cache in front, the compactor keeps the database's stack.
    /// </summary>
    public CompactorContext WithOwnRetries() =>
        OwnRetries.Store(Components, Options.ObjectStoreMaxRetries, "SlateDB.Compactor.ObjectStore") is { } store
            ? this with { Tables = new TableStore(store, Components.Paths, Components.Options), Manifests = new ManifestStore(store, Components.Paths) }
            : this;

    public TimeProvider Time => Components.TimeProvider;

    public IdGenerator Ids => Components.Ids;

    /// <summary>Called after each committed compaction (an embedded compactor makes its writer reread the manifest).</summary>
    public Func<CancellationToken, Task>? OnCommitted { get; init; }

    /// <summary>Whether the compactor polls on its own (false: only <c>RunOnceAsync</c> and requests run compactions).</summary>
    public bool Polling { get; init; } = true;

    /// <summary>The scheduler <see cref="CompactorOptions"/> asks for: size-tiered with its string options.</summary>
    /// <exception cref="SlateDbException">Invalid: a scheduler option does not parse.</exception>
    public static ICompactionScheduler DefaultScheduler(CompactorOptions options) =>
        new SizeTieredCompactionScheduler(SizeTieredSchedulerOptions.From(options.SchedulerOptions), options.MaxConcurrentCompactions);

    /// <summary>
    /// Executor settings of the embedded worker from the compactor options (its read size and subcompactions; as
    /// SlateDB's embedded worker, the SSTs are built as <paramref name="build"/> says, the database's settings);
    /// <paramref name="build"/> null infers the codec per compaction. Under a memory budget (an embedded compactor of a
    /// database with <see cref="SlateDbOptions.MemoryBudgetBytes"/>) the read size is at most
    /// <see cref="MemoryBudgetSplit.CompactionReadAheadBytes"/> and its compactions share one pool of read buffers.
    /// </summary>
    public static CompactionExecutorSettings ExecutorSettingsFor(CompactorOptions options, SstBuildSettings? build, MemoryBudgetSplit? budget = null) =>
        new(
            build,
            options.MaxSstSize,
            options.MaxFetchTasks,
            Math.Min(options.Worker?.BytesToFetch ?? CompactionExecutorSettings.DefaultReadAheadBytes, budget?.CompactionReadAheadBytes ?? long.MaxValue),
            options.Worker?.MaxSubcompactions ?? 1,
            ShareReadBuffers: budget is not null);
}
