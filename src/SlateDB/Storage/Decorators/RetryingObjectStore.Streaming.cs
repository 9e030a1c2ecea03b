namespace SlateDB.Storage;

/// <summary>
/// Streaming puts pass straight through, without retries: the pieces are gone once written, so a failed write or
/// commit fails the put (a compaction then fails and is run again; nothing of it is visible).
/// </summary>
public sealed partial class RetryingObjectStore : IStreamingPut
{
    /// <inheritdoc/>
    IStreamingObjectWriter? IStreamingPut.TryStartPut(string path) => (_inner as IStreamingPut)?.TryStartPut(path);
}
