using System.Runtime.CompilerServices;
using Microsoft.Win32.SafeHandles;

namespace SlateDB.Storage;

/// <summary>
/// The open read handles of a <see cref="LocalFileSystemObjectStore"/>, so ranged reads of the same file (an SST's
/// blocks) do not open, lock and close it every time. Bounded: at most <see cref="Capacity"/> handles, the least
/// recently used closed first. Only where <see cref="LocalFileApi.HasFileIdentity"/> (Linux).
/// </summary>
/// <remarks>
/// A cached handle is used only after a <c>statx</c> of the path shows the same file (inode, size, modification
/// time): a file deleted or replaced since — by this store, another store or another process — is seen as it is now
/// (absent, or the new version opened afresh), exactly as without the cache. Published files are never written in
/// place, so a matching identity means the handle shows the current version. Reads of immutable objects (SSTs, see
/// <see cref="ImmutableObjectHint"/>) check only that the cached handle's file still has a name (a link-count
/// <c>statx</c> of the descriptor, no path lookup): such a file is never rewritten, and its name is reused only after
/// it was unlinked. A reader leases the handle (a reference count on the <see cref="SafeFileHandle"/>), so evicting or
/// replacing an entry never closes a handle under a read in progress: it closes when the last lease ends.
/// </remarks>
internal sealed class LocalReadHandles(int capacity)
{
    private readonly object _gate = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly LinkedList<Entry> _recency = new();

    /// <summary>The most handles kept open.</summary>
    public int Capacity => capacity;

    /// <summary>Handles open now (for tests and diagnostics).</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>
    /// A leased handle showing the current version of <paramref name="fullPath"/> and its stamp; null when there is no
    /// file (or a folder) at the path. The caller must <see cref="Lease.Dispose"/> the lease.
    /// </summary>
    /// <param name="fullPath">The file's full path.</param>
    /// <param name="immutable">
    /// The file is never rewritten, and its name is reused only after it was unlinked (see
    /// <see cref="ImmutableObjectHint"/>): a cached handle whose file still has a name is used without a <c>statx</c>
    /// of the path, and a file without one is opened directly. A handle whose file was deleted or replaced since is
    /// validated against the path as usual.
    /// </param>
    /// <exception cref="IOException">The file could not be opened or looked at.</exception>
    /// <exception cref="UnauthorizedAccessException">Access denied.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public Lease? Acquire(string fullPath, bool immutable = false)
    {
        var cached = Find(fullPath);
        if (immutable)
        {
            if (cached is null)
            {
                return Open(fullPath, LocalFileApi.ToNativePath(fullPath));
            }

            if (TryLease(cached, out var held))
            {
                // A name is reused only after the file holding it was unlinked (a database deleted and made again at
                // the same path restarts its WAL ids): a handle whose file still has a name shows the bytes at it.
                if (!LocalFileApi.IsUnlinked(held.Handle, fullPath))
                {
                    return held;
                }

                held.Dispose();
            }
        }

        var nativePath = cached?.NativePath ?? LocalFileApi.ToNativePath(fullPath);
        var kind = LocalFileApi.StatIdentity(nativePath, out var identity);
        if (kind != LocalEntryKind.File)
        {
            if (cached is not null)
            {
                Remove(cached);
            }

            return null;
        }

        if (cached is not null)
        {
            if (cached.Identity == identity && TryLease(cached, out var lease))
            {
                return lease;
            }

            Remove(cached);
        }

        return Open(fullPath, nativePath);
    }

    /// <summary>Closes the cached handle of <paramref name="fullPath"/>, if any (after this store deleted or replaced it).</summary>
    public void Forget(string fullPath)
    {
        if (Find(fullPath) is { } entry)
        {
            Remove(entry);
        }
    }

    private Lease? Open(string fullPath, byte[] nativePath)
    {
        SafeFileHandle handle;
        try
        {
            // FileShare.Delete lets writers replace or delete the file while the handle is open.
            handle = File.OpenHandle(fullPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (UnauthorizedAccessException) when (Directory.Exists(fullPath))
        {
            return null;
        }

        FileIdentity identity;
        try
        {
            identity = LocalFileApi.StatIdentity(handle, fullPath);
        }
        catch
        {
            handle.Dispose();
            throw;
        }

        var entry = new Entry(fullPath, nativePath, handle, identity);
        var added = false;
        handle.DangerousAddRef(ref added); // The lease this call returns; the cache owns the handle itself.
        List<Entry>? evicted = null;
        lock (_gate)
        {
            if (_entries.TryGetValue(fullPath, out var other))
            {
                // Another reader cached this path meanwhile: keep the newer identity's handle only.
                _entries.Remove(fullPath);
                _recency.Remove(other.Node);
                (evicted ??= []).Add(other);
            }

            entry.Node = _recency.AddFirst(entry);
            _entries[fullPath] = entry;
            while (_entries.Count > capacity && _recency.Last is { } oldest)
            {
                _recency.RemoveLast();
                _entries.Remove(oldest.Value.FullPath);
                (evicted ??= []).Add(oldest.Value);
            }
        }

        if (evicted is not null)
        {
            foreach (var old in evicted)
            {
                old.Handle.Dispose(); // Closes once the last lease on it ends.
            }
        }

        return new Lease(handle, entry.Stamp);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private Entry? Find(string fullPath)
    {
        lock (_gate)
        {
            if (_entries.TryGetValue(fullPath, out var entry))
            {
                if (_recency.First != entry.Node)
                {
                    _recency.Remove(entry.Node);
                    _recency.AddFirst(entry.Node);
                }

                return entry;
            }

            return null;
        }
    }

    private void Remove(Entry entry)
    {
        lock (_gate)
        {
            if (_entries.TryGetValue(entry.FullPath, out var current) && ReferenceEquals(current, entry))
            {
                _entries.Remove(entry.FullPath);
                _recency.Remove(entry.Node);
            }
        }

        entry.Handle.Dispose();
    }

    private static bool TryLease(Entry entry, out Lease lease)
    {
        var added = false;
        try
        {
            entry.Handle.DangerousAddRef(ref added);
        }
        catch (ObjectDisposedException)
        {
            // Evicted and closed by another thread between the lookup and here.
        }

        lease = added ? new Lease(entry.Handle, entry.Stamp) : default;
        return added;
    }

    /// <summary>A reader's use of a handle: the handle stays open until the lease is disposed.</summary>
    internal readonly struct Lease(SafeFileHandle handle, LocalFileStamp stamp) : IDisposable
    {
        public SafeFileHandle Handle => handle;

        public LocalFileStamp Stamp => stamp;

        /// <summary>Ends the lease; call it exactly once.</summary>
        public void Dispose() => handle.DangerousRelease();
    }

    private sealed class Entry(string fullPath, byte[] nativePath, SafeFileHandle handle, FileIdentity identity)
    {
        public string FullPath => fullPath;

        public byte[] NativePath => nativePath;

        public SafeFileHandle Handle => handle;

        public FileIdentity Identity => identity;

        /// <summary>The stamp, built once (its version string) for every read through this handle.</summary>
        public LocalFileStamp Stamp { get; } = identity.ToStamp();

        public LinkedListNode<Entry> Node { get; set; } = null!;
    }
}
