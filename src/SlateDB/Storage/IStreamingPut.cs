namespace SlateDB.Storage;

/// <summary>
/// A store that can take an object's bytes piece by piece as they are produced (a compaction's output SST, written
/// while the merge runs) instead of in one buffer. Internal: other stores take the whole object in one put.
/// </summary>
internal interface IStreamingPut
{
    /// <summary>
    /// Starts a put of <paramref name="path"/>, or returns null when this store cannot stream (a decorator over a store
    /// that does not). Nothing is visible at the path until <see cref="IStreamingObjectWriter.CommitAsync"/> succeeds;
    /// disposing the writer without committing (or a failed commit) leaves no trace.
    /// </summary>
    IStreamingObjectWriter? TryStartPut(string path);
}

/// <summary>An object being written piece by piece (<see cref="IStreamingPut"/>). Not thread-safe: one writer at a time.</summary>
internal interface IStreamingObjectWriter : IDisposable
{
    /// <summary>The bytes written so far.</summary>
    long Length { get; }

    /// <summary>Appends <paramref name="data"/> to the object (not visible yet).</summary>
    void Write(ReadOnlySpan<byte> data);

    /// <summary>
    /// Makes the object visible at its path, all of it at once, as <see cref="IObjectStore.PutAsync"/> with
    /// <paramref name="mode"/> would (with <see cref="PutMode.Create"/>, an existing object is kept and the result says
    /// so). The writer takes no more bytes afterwards, whatever the outcome.
    /// </summary>
    ValueTask<PutResult> CommitAsync(PutMode mode, CancellationToken cancellationToken);
}
