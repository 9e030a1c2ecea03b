namespace SlateDB.Storage;

/// <summary>
/// Tells a store, on the calling thread, that the ranged read it is about to start returns bytes the caller keeps for
/// long (SST blocks going into the block cache, decoded in place over the read buffer), so the store may put the
/// buffer where young-generation collections do not copy it (<see cref="LocalFileSystemObjectStore"/>: the pinned
/// object heap). Reads without the hint (scans that do not cache, <c>CacheBlocks = false</c>) get ordinary buffers,
/// which die young and cheaply.
/// </summary>
/// <remarks>
/// The hint is thread-local and covers only the synchronous start of the read: wrap the call that creates the
/// <see cref="ValueTask{TResult}"/>, never an <c>await</c>. A store that starts its read later or elsewhere (a retry
/// after a backoff, a read waiting for a slot) does not see it and allocates as usual, which is only slower, never
/// wrong: the hint changes where a buffer lives, not what it holds.
/// </remarks>
internal static class RangeBufferHint
{
    [ThreadStatic]
    private static bool t_longLived;

    /// <summary>True while the current thread starts a read whose bytes the caller keeps for long.</summary>
    public static bool LongLived => t_longLived;

    /// <summary>Marks the reads started on this thread until the scope is disposed as long-lived (when <paramref name="longLived"/>).</summary>
    public static Scope Start(bool longLived)
    {
        var previous = t_longLived;
        t_longLived = longLived;
        return new Scope(previous);
    }

    /// <summary>Restores the previous hint.</summary>
    internal readonly struct Scope(bool previous) : IDisposable
    {
        public void Dispose() => t_longLived = previous;
    }
}
