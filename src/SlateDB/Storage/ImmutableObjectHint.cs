namespace SlateDB.Storage;

/// <summary>
/// Tells a store, on the calling thread, that the object the read it is about to start reads is immutable: written
/// once under a name never reused for other bytes and never rewritten (SSTs: <c>wal/*.sst</c> and
/// <c>compacted/*.sst</c> are created with <see cref="PutMode.Create"/>), so bytes read through a handle opened on it
/// earlier are its bytes. <see cref="LocalFileSystemObjectStore"/> then reads through its cached handle after
/// checking only that the handle's file still has a name (a link-count <c>statx</c> of the descriptor, no path
/// lookup). A name is reused only after the file holding it was unlinked (a database deleted and created again at the
/// same path restarts its WAL ids), so a deleted or replaced object is still seen as it is now.
/// </summary>
/// <remarks>
/// Thread-local, like <see cref="RangeBufferHint"/>: it covers only the synchronous start of the read. A store that
/// starts the read later or elsewhere (a retry after a backoff) does not see it and validates as usual, which is only
/// slower, never wrong.
/// </remarks>
internal static class ImmutableObjectHint
{
    [ThreadStatic]
    private static bool t_immutable;

    /// <summary>True while the current thread starts a read of an immutable object.</summary>
    public static bool Immutable => t_immutable;

    /// <summary>Marks the reads started on this thread until the scope is disposed as reads of immutable objects.</summary>
    public static Scope Start()
    {
        var previous = t_immutable;
        t_immutable = true;
        return new Scope(previous);
    }

    /// <summary>Restores the previous hint.</summary>
    internal readonly struct Scope(bool previous) : IDisposable
    {
        public void Dispose() => t_immutable = previous;
    }
}
