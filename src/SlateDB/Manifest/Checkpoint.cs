using SlateDB.Common;

namespace SlateDB.Manifest;

/// <summary>
/// A checkpoint recorded in the manifest: it pins manifest <see cref="ManifestId"/> (and so its SSTs and WAL range)
/// against garbage collection until <see cref="ExpireTime"/> (never when null). Times are stored in whole seconds.
/// </summary>
internal sealed record Checkpoint(Guid Id, ulong ManifestId, DateTimeOffset? ExpireTime, DateTimeOffset CreateTime, string? Name);

/// <summary>
/// Another database whose SSTs this one reads (a clone's parent, RFC-0004): its root path, the checkpoint the
/// clone was made from, the checkpoint this database placed on it, and the parent SSTs still referenced.
/// </summary>
internal sealed record ExternalDb(string Path, Guid SourceCheckpointId, Guid? FinalCheckpointId, IReadOnlyList<SsTableId> SstIds)
{
    /// <inheritdoc/>
    public bool Equals(ExternalDb? other)
        => other is not null
            && string.Equals(Path, other.Path, StringComparison.Ordinal)
            && SourceCheckpointId == other.SourceCheckpointId
            && FinalCheckpointId == other.FinalCheckpointId
            && ModelEquality.Sequence(SstIds, other.SstIds);

    /// <inheritdoc/>
    public override int GetHashCode()
        => HashCode.Combine(Path, SourceCheckpointId, FinalCheckpointId, ModelEquality.SequenceHash(SstIds));
}
