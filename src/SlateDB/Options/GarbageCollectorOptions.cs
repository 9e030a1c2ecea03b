namespace SlateDB;

/// <summary>Settings of the garbage collector (SlateDB's <c>GarbageCollectorOptions</c>); a null directory option disables that task.</summary>
public sealed record GarbageCollectorOptions
{
    /// <summary>Old manifest versions.</summary>
    public GarbageCollectorDirectoryOptions? ManifestOptions { get; init; } = new();

    /// <summary>WAL SSTs already reflected in L0 and below.</summary>
    public GarbageCollectorDirectoryOptions? WalOptions { get; init; } = new();

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
