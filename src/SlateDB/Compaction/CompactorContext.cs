using Microsoft.Extensions.Logging;
using SlateDB.Common;
using SlateDB.Manifest;
using SlateDB.Sst;

namespace SlateDB.Compaction;

/// <summary>What a compactor runs with, whether embedded in a writer or standalone.</summary>
internal sealed record CompactorContext
{
    /// <summary>The database root (for messages).</summary>
    public required string Path { get; init; }

    public required TableStore Tables { get; init; }

    public required ManifestStore Manifests { get; init; }

    public required CompactorOptions Options { get; init; }

    public required ICompactionScheduler Scheduler { get; init; }

    public required CompactionExecutorSettings ExecutorSettings { get; init; }

    public required TimeProvider Time { get; init; }

    public required ILogger Logger { get; init; }

    public required IdGenerator Ids { get; init; }

    /// <summary>Called after each committed compaction (an embedded compactor makes its writer reread the manifest).</summary>
    public Func<CancellationToken, Task>? OnCommitted { get; init; }

    /// <summary>Whether the compactor polls on its own (false: only <c>RunOnceAsync</c> and requests run compactions).</summary>
    public bool Polling { get; init; } = true;

    /// <summary>The scheduler <see cref="CompactorOptions"/> asks for: size-tiered with its string options.</summary>
    /// <exception cref="SlateDbException">Invalid: a scheduler option does not parse.</exception>
    public static ICompactionScheduler DefaultScheduler(CompactorOptions options) =>
        new SizeTieredCompactionScheduler(SizeTieredSchedulerOptions.From(options.SchedulerOptions), options.MaxConcurrentCompactions);

    /// <summary>Executor settings from the compactor options; <paramref name="build"/> null infers the codec per compaction.</summary>
    public static CompactionExecutorSettings ExecutorSettingsFor(CompactorOptions options, SstBuildSettings? build) =>
        new(build, options.MaxSstSize, options.MaxFetchTasks, CompactionExecutorSettings.DefaultReadAheadBytes);
}
