namespace SlateDB;

/// <summary>A checkpoint a clone holds in a database it was cloned from (its <c>final_checkpoint_id</c> there).</summary>
/// <param name="ParentPath">The parent database's path.</param>
/// <param name="CheckpointId">The checkpoint's id in the parent.</param>
public sealed record ParentCheckpoint(string ParentPath, Guid CheckpointId);

/// <summary>What <see cref="SlateDbAdmin.DeleteDatabaseAsync"/> deleted, or in a dry run would delete.</summary>
public sealed record DeleteDatabaseResult
{
    /// <summary>True for a dry run: nothing was changed.</summary>
    public required bool DryRun { get; init; }

    /// <summary>The object paths deleted (or that would be), in ordinal order; a confirmed delete includes the deletion marker.</summary>
    public required IReadOnlyList<string> Objects { get; init; }

    /// <summary>The checkpoints released in parent databases (or that would be): those that still existed.</summary>
    public required IReadOnlyList<ParentCheckpoint> ReleasedParentCheckpoints { get; init; }
}
