namespace SlateDB;

/// <summary>A checkpoint just created: its id and the manifest version it pins.</summary>
/// <param name="Id">The checkpoint's id (open a <see cref="DbReader"/> on it with <see cref="DbReaderMode.Checkpoint"/>).</param>
/// <param name="ManifestId">The manifest version it pins.</param>
public sealed record CheckpointCreateResult(Guid Id, ulong ManifestId);
