namespace SlateDB.GarbageCollection;

/// <summary>The kinds of objects the garbage collector removes, one task each.</summary>
public enum GarbageKind
{
    /// <summary>Old manifest versions (<c>manifest/&lt;id&gt;.manifest</c>).</summary>
    Manifest,

    /// <summary>WAL SSTs with rows already reflected in L0 (<c>wal/&lt;id&gt;.sst</c>).</summary>
    Wal,

    /// <summary>L0 and sorted-run SSTs no manifest or checkpoint references (<c>compacted/&lt;ULID&gt;.sst</c>).</summary>
    Compacted,

    /// <summary>Old compactor state versions (<c>compactions/&lt;id&gt;.compactions</c>).</summary>
    Compactions,

    /// <summary>
    /// WAL fences below the replay point (<c>wal/&lt;id&gt;.sst</c> holding zero bytes or an SST without rows); see
    /// <see cref="GarbageCollectorOptions.WalFenceOptions"/>.
    /// </summary>
    WalFence,
}

/// <summary>What one garbage collection task chose and did.</summary>
public sealed record GarbageCollectionTaskResult
{
    /// <summary>The kind of object the task collects.</summary>
    public required GarbageKind Kind { get; init; }

    /// <summary>True when the task only logged its candidates (nothing was deleted).</summary>
    public bool DryRun { get; init; }

    /// <summary>
    /// The object paths the task found obsolete, ascending: deleted, or, in a dry run, the ones that would have been.
    /// </summary>
    public IReadOnlyList<string> Candidates { get; init; } = [];

    /// <summary>How many candidates were deleted (0 in a dry run).</summary>
    public int Deleted { get; init; }

    /// <summary>How many deletes failed (they are retried by a later run).</summary>
    public int Failed { get; init; }

    /// <summary>Why the task stopped before choosing candidates (nothing was deleted then); null when it ran.</summary>
    public Exception? Error { get; init; }

    /// <summary>True when the task ran and every chosen delete succeeded (or it was a dry run).</summary>
    public bool Succeeded => Error is null && Failed == 0;
}

/// <summary>The outcome of <see cref="GarbageCollector.RunOnceAsync"/>: one result per enabled task.</summary>
public sealed record GarbageCollectionSummary
{
    /// <summary>The results of the tasks that are enabled, in the order they ran (manifests, WAL, WAL fences, compacted, compactions).</summary>
    public IReadOnlyList<GarbageCollectionTaskResult> Tasks { get; init; } = [];

    /// <summary>How many expired checkpoints were removed from the manifest during the run.</summary>
    public int ExpiredCheckpoints { get; init; }

    /// <summary>The result of the task of <paramref name="kind"/>; null when that task is disabled.</summary>
    public GarbageCollectionTaskResult? For(GarbageKind kind) => Tasks.FirstOrDefault(task => task.Kind == kind);

    /// <summary>The candidate paths of <paramref name="kind"/> (empty when that task is disabled).</summary>
    public IReadOnlyList<string> CandidatesOf(GarbageKind kind) => For(kind)?.Candidates ?? [];

    /// <summary>How many objects were deleted in all.</summary>
    public int TotalDeleted => Tasks.Sum(task => task.Deleted);
}
