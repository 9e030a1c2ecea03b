namespace SlateDB;

/// <summary>Settings of the garbage collector (SlateDB's <c>GarbageCollectorOptions</c>); a null directory option disables that task.</summary>
public sealed record GarbageCollectorOptions
{
    /// <summary>Old manifest versions.</summary>
    public GarbageCollectorDirectoryOptions? ManifestOptions { get; init; } = new();

    /// <summary>WAL SSTs already reflected in L0 and below (fences excepted: see <see cref="WalFenceOptions"/>).</summary>
    public GarbageCollectorDirectoryOptions? WalOptions { get; init; } = new();

    /// <summary>
    /// WAL fences (SlateDB's <c>wal_fence_options</c>): the zero-byte objects, or SSTs without rows, a writer puts in
    /// the next WAL slot when it opens, so that an older writer still running fails there. They are chosen by the
    /// same rule as other WAL objects but, by default, only logged (<see cref="GarbageCollectorDirectoryOptions.DryRun"/>
    /// is true): once a fence is deleted, a writer that stalled for longer than the minimum age can write into its
    /// slot and have that write acknowledged as durable although no later open replays it. Turn the dry run off only
    /// when no writer can stall that long. Default: interval 10 min, minimum age 5 min, dry run.
    /// </summary>
    public GarbageCollectorDirectoryOptions? WalFenceOptions { get; init; } = new() { DryRun = true };

    /// <summary>Compacted SSTs no manifest or checkpoint references.</summary>
    public GarbageCollectorDirectoryOptions? CompactedOptions { get; init; } = new();

    /// <summary>Old <c>.compactions</c> versions.</summary>
    public GarbageCollectorDirectoryOptions? CompactionsOptions { get; init; } = new();
}

/// <summary>Garbage collection of one kind of object.</summary>
public sealed record GarbageCollectorDirectoryOptions
{
    /// <summary>How often the task runs in the background; null runs it only on demand. Default 10 min.</summary>
    public TimeSpan? Interval { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>How old an object must be before it may be deleted. Default 5 min.</summary>
    public TimeSpan MinAge { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>When true, the task only logs what it would delete.</summary>
    public bool DryRun { get; init; }
}
