namespace SlateDB;

/// <summary>
/// A checkpoint as the manifest records it (SlateDB's <c>Checkpoint</c>): it pins manifest version
/// <see cref="ManifestId"/>, its SSTs and its WAL range against garbage collection until <see cref="ExpireTime"/>.
/// Times are stored in whole seconds.
/// </summary>
public sealed record CheckpointInfo
{
    /// <summary>The checkpoint's id.</summary>
    public required Guid Id { get; init; }

    /// <summary>The manifest version it pins.</summary>
    public required ulong ManifestId { get; init; }

    /// <summary>When it expires; null: never (until deleted).</summary>
    public DateTimeOffset? ExpireTime { get; init; }

    /// <summary>When it was created.</summary>
    public required DateTimeOffset CreateTime { get; init; }

    /// <summary>Its name, if it was given one.</summary>
    public string? Name { get; init; }

    internal static CheckpointInfo From(Manifest.Checkpoint checkpoint) => new()
    {
        Id = checkpoint.Id,
        ManifestId = checkpoint.ManifestId,
        ExpireTime = checkpoint.ExpireTime,
        CreateTime = checkpoint.CreateTime,
        Name = checkpoint.Name,
    };
}
