namespace SlateDB;

/// <summary>How a <see cref="DbReader"/> chooses the state it reads (SlateDB's <c>DbReaderMode</c>).</summary>
public enum DbReaderModeKind
{
    /// <summary>Keeps a checkpoint of its own, refreshed at half its lifetime, and follows the newest manifest.</summary>
    ManagedCheckpoint,

    /// <summary>Reads one existing checkpoint's state; never polls.</summary>
    Checkpoint,

    /// <summary>Follows the newest manifest and the WAL without writing anything (no protection from garbage collection).</summary>
    FollowLatest,
}

/// <summary>The mode of a <see cref="DbReader"/>: <see cref="ManagedCheckpoint"/> (the default), <see cref="Checkpoint"/> or <see cref="FollowLatest"/>.</summary>
public sealed record DbReaderMode
{
    private DbReaderMode(DbReaderModeKind kind, Guid? checkpointId)
    {
        Kind = kind;
        CheckpointId = checkpointId;
    }

    /// <summary>
    /// The reader creates a checkpoint of its own (lifetime <see cref="DbReaderOptions.CheckpointLifetime"/>) so the
    /// garbage collector never deletes what it reads, refreshes it at half its lifetime, and moves it to the newest
    /// manifest when the writer flushes or compacts (creating a new one if its own lapsed). The WAL tail is replayed.
    /// </summary>
    public static DbReaderMode ManagedCheckpoint { get; } = new(DbReaderModeKind.ManagedCheckpoint, null);

    /// <summary>
    /// The reader follows the newest manifest and replays the WAL tail every <see cref="DbReaderOptions.ManifestPollInterval"/>,
    /// writing nothing; the garbage collector's minimum ages are its only protection.
    /// </summary>
    public static DbReaderMode FollowLatest { get; } = new(DbReaderModeKind.FollowLatest, null);

    /// <summary>What the mode is.</summary>
    public DbReaderModeKind Kind { get; }

    /// <summary>The checkpoint read in <see cref="DbReaderModeKind.Checkpoint"/> mode; null otherwise.</summary>
    public Guid? CheckpointId { get; }

    /// <summary>
    /// The reader reads exactly the state of checkpoint <paramref name="id"/> (its manifest version and the WAL that
    /// version names) and never polls; the checkpoint must exist and not have expired.
    /// </summary>
    public static DbReaderMode Checkpoint(Guid id) => new(DbReaderModeKind.Checkpoint, id);

    /// <inheritdoc/>
    public override string ToString() => CheckpointId is { } id ? $"{Kind}({id})" : Kind.ToString();
}
