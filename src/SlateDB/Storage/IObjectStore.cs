namespace SlateDB.Storage;

/// <summary>
/// The small set of object-storage operations SlateDB needs. Implementations: <see cref="InMemoryObjectStore"/>,
/// <see cref="LocalFileSystemObjectStore"/>, and the S3 and Azure Blob adapters in their own packages.
/// </summary>
/// <remarks>
/// <para>Paths are relative keys made of non-empty segments separated by <c>/</c> (see <see cref="ObjectPath"/>).</para>
/// <para>Outcomes a caller branches on are values, not exceptions: a missing object is <see langword="null"/>, a lost
/// conditional put is a <see cref="PutResult"/> with <see cref="PutOutcome.AlreadyExists"/> or
/// <see cref="PutOutcome.VersionMismatch"/>. Failures throw: <see cref="SlateDbException"/> of kind
/// <see cref="SlateDbErrorKind.Unavailable"/> for transient ones (retrying may help), any other kind for permanent
/// ones, and <see cref="OperationCanceledException"/> when the token is cancelled.</para>
/// <para>Conditional puts must be atomic: of many concurrent <see cref="PutMode.Create"/> puts of one absent key exactly
/// one is written, and of many <see cref="PutMode.Update(string)"/> puts naming the same version exactly one is written.
/// A put is all or nothing: no reader ever sees a partly written object.</para>
/// </remarks>
public interface IObjectStore
{
    /// <summary>Reads a whole object.</summary>
    /// <returns>The bytes and metadata, or <see langword="null"/> when no object has that path.</returns>
    ValueTask<ObjectContent?> GetAsync(string path, CancellationToken cancellationToken);

    /// <summary>Reads a byte range of an object.</summary>
    /// <returns>
    /// The bytes of <paramref name="range"/> that lie inside the object (fewer than asked, possibly none, when the
    /// range runs past the object's end), or <see langword="null"/> when no object has that path.
    /// </returns>
    ValueTask<ObjectContent?> GetRangeAsync(string path, ByteRange range, CancellationToken cancellationToken);

    /// <summary>Reads an object's metadata (size, last modified, version) without its bytes.</summary>
    /// <returns>The metadata, or <see langword="null"/> when no object has that path.</returns>
    ValueTask<ObjectMetadata?> HeadAsync(string path, CancellationToken cancellationToken);

    /// <summary>Writes a whole object, unconditionally or under the condition <paramref name="mode"/> names.</summary>
    /// <returns>
    /// <see cref="PutOutcome.Written"/> with the new version, or, for conditional modes, the reason nothing was written:
    /// <see cref="PutOutcome.AlreadyExists"/> (<see cref="PutMode.Create"/> and the path exists) or
    /// <see cref="PutOutcome.VersionMismatch"/> (<see cref="PutMode.Update(string)"/> and the object is absent or has
    /// another version).
    /// </returns>
    ValueTask<PutResult> PutAsync(string path, ReadOnlyMemory<byte> data, PutMode mode, CancellationToken cancellationToken);

    /// <summary>Deletes an object. Deleting an absent object is not an error.</summary>
    ValueTask DeleteAsync(string path, CancellationToken cancellationToken);

    /// <summary>
    /// Lists the objects whose path starts with <paramref name="prefix"/> (usually a folder such as <c>db/wal/</c>;
    /// an empty prefix lists everything), at any depth, paging underneath. The order is unspecified.
    /// </summary>
    IAsyncEnumerable<ObjectMetadata> ListAsync(string prefix, CancellationToken cancellationToken);
}
