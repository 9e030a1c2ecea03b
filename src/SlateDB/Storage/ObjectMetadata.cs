namespace SlateDB.Storage;

/// <summary>What an object store knows about one object.</summary>
/// <param name="Path">The object's path.</param>
/// <param name="Size">Its length in bytes.</param>
/// <param name="LastModified">When it was last written, by the store's clock.</param>
/// <param name="Version">
/// An opaque version (an ETag on cloud stores) that changes whenever the object is rewritten; pass it to
/// <see cref="PutMode.Update(string)"/>. <see langword="null"/> if the store cannot tell.
/// </param>
public sealed record ObjectMetadata(string Path, long Size, DateTimeOffset LastModified, string? Version);

/// <summary>The bytes read from an object and its metadata.</summary>
/// <param name="Data">The bytes read (the whole object, or the part of the requested range inside it).</param>
/// <param name="Metadata">The whole object's metadata (its <see cref="ObjectMetadata.Size"/> is the full size).</param>
public sealed record ObjectContent(ReadOnlyMemory<byte> Data, ObjectMetadata Metadata);
