using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using Microsoft.Win32.SafeHandles;

namespace SlateDB.Storage;

/// <summary>
/// An <see cref="IObjectStore"/> over a folder of the local file system: the object <c>a/b/c</c> is the plain file
/// <c>a/b/c</c> under the root folder, the layout SlateDB's Rust <c>LocalFileSystem</c> store uses, so a folder written
/// by SlateDB opens as it is.
/// </summary>
/// <remarks>
/// <para><b>Atomic puts.</b> A put writes a temporary file beside its target (named <c>{name}#{digits}</c>), syncs it
/// to disk and only then publishes it under the object's name, so no reader sees a partly written object and a crash
/// leaves at most an invisible temporary file. <see cref="PutMode.Overwrite"/> publishes with an atomic rename;
/// <see cref="PutMode.Create"/> with a hard link (on Windows, a move that refuses to replace), which fails if the name
/// is taken, so of concurrent creates (from any threads or processes, including other SlateDB implementations) exactly
/// one wins;
/// <see cref="PutMode.Update(string)"/> compares versions and renames while holding an exclusive lock on the file
/// <c>.lock#0</c> in the root folder (an in-process gate plus <c>flock</c>), so it is atomic across processes that
/// use this class. Overwrites and deletes take the same lock, so they are ordered with respect to updates.</para>
/// <para><b>Versions</b> are <c>{inode}-{mtime}-{size}</c> in hex (the Rust store's scheme; the inode is read on
/// Linux and is 0 elsewhere). A put stamps the file's modification time from the <see cref="TimeProvider"/>, at
/// least one microsecond after this instance's previous stamp, so every write gets a new version even when the clock
/// stands still. On file systems that keep modification times coarser than a microsecond, two same-sized writes
/// within one tick could share a version.</para>
/// <para><b>Reserved names.</b> Names containing <c>#</c> are the store's own (temporary and lock files): paths
/// containing <c>#</c> are rejected with <see cref="ArgumentException"/>, and listings skip such files, including the
/// staging files the Rust store leaves after a crash.</para>
/// <para><b>Limits of a file system.</b> An object cannot have the path of a folder that holds other objects (the
/// put fails with <see cref="SlateDbErrorKind.Invalid"/>), and such a folder reads as no object. Deleting an object
/// removes the folders it leaves empty, up to the root. I/O failures surface as <see cref="SlateDbException"/>:
/// <see cref="SlateDbErrorKind.Invalid"/> for permanent ones (access denied, read-only file system, a file where a
/// folder should be) and <see cref="SlateDbErrorKind.Unavailable"/> for the rest.</para>
/// </remarks>
[SuppressMessage("Reliability", "CA1001:Types that own disposable fields should be disposable", Justification = "The only disposable field is a SemaphoreSlim whose wait handle is never created, so disposing it frees nothing.")]
public sealed partial class LocalFileSystemObjectStore : IObjectStore
{
    /// <summary>The lock file's name, in the root folder. It contains '#', so it can never be an object.</summary>
    internal const string LockFileName = ".lock#0";

    private readonly string _root;
    private readonly string _lockPath;
    private readonly TimeProvider _timeProvider;

    /// <summary>Open handles for ranged reads (where files have identities to validate them by); null elsewhere.</summary>
    private readonly LocalReadHandles? _readHandles = LocalFileApi.HasFileIdentity ? new LocalReadHandles(DefaultReadHandleCapacity) : null;

    /// <summary>How many files' read handles the store keeps open at most (ranged reads: an SST's blocks).</summary>
    internal const int DefaultReadHandleCapacity = 256;

    /// <summary>
    /// Reads up to this size run synchronously on the calling thread (a <c>pread</c>), which on a local file system
    /// is cheaper than handing the read to the thread pool and back; larger ones run asynchronously.
    /// </summary>
    internal const int SyncReadMaxBytes = 256 * 1024;

    /// <summary>Creates a store over a folder, which is created on the first write if it does not exist.</summary>
    /// <param name="rootDirectory">The root folder; relative paths resolve against the current directory.</param>
    /// <param name="timeProvider">The clock that stamps written files; the system clock if omitted.</param>
    public LocalFileSystemObjectStore(string rootDirectory, TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(rootDirectory);
        _root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(rootDirectory));
        _lockPath = Path.Join(_root, LockFileName);
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>The absolute path of the root folder.</summary>
    public string RootDirectory => _root;

    /// <inheritdoc/>
    public ValueTask<ObjectContent?> GetAsync(string path, CancellationToken cancellationToken) =>
        ReadAsync(path, range: null, cancellationToken);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public ValueTask<ObjectContent?> GetRangeAsync(string path, ByteRange range, CancellationToken cancellationToken) =>
        _readHandles is null ? ReadAsync(path, range, cancellationToken) : ReadCachedAsync(path, range, cancellationToken);

    /// <summary>The read-handle cache (tests); null where it is off.</summary>
    internal LocalReadHandles? ReadHandles => _readHandles;

    /// <inheritdoc/>
    public ValueTask<ObjectMetadata?> HeadAsync(string path, CancellationToken cancellationToken)
    {
        var fullPath = ToFullPath(path, nameof(path));
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            var kind = LocalFileApi.Stat(fullPath, out var stamp);
            return ValueTask.FromResult(kind == LocalEntryKind.File ? ToMetadata(path, stamp) : null);
        }
        catch (Exception e) when (IsIoFailure(e))
        {
            throw Failure(e, "read the metadata of", path);
        }
    }

    /// <inheritdoc/>
    public async ValueTask DeleteAsync(string path, CancellationToken cancellationToken)
    {
        var fullPath = ToFullPath(path, nameof(path));
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            if (LocalFileApi.Stat(fullPath, out _) != LocalEntryKind.File)
            {
                return; // Nothing to delete (a folder is no object); skipping the lock keeps GC of gone files cheap.
            }

            using (await AcquireStoreLockAsync(cancellationToken).ConfigureAwait(false))
            {
                _readHandles?.Forget(fullPath);
                try
                {
                    File.Delete(fullPath);
                }
                catch (DirectoryNotFoundException)
                {
                    return; // Its folder is gone too: there is nothing to delete or clean up.
                }
                catch (UnauthorizedAccessException) when (Directory.Exists(fullPath))
                {
                    return; // A folder is no object.
                }
            }

            RemoveEmptyFolders(Path.GetDirectoryName(fullPath));
        }
        catch (Exception e) when (IsIoFailure(e))
        {
            throw Failure(e, "delete", path);
        }
    }

    /// <summary>
    /// A leased handle on the file at <paramref name="fullPath"/> (see <see cref="LocalReadHandles.Acquire"/>; marked
    /// immutable by <see cref="ImmutableObjectHint"/>), or null when there is no file.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private LocalReadHandles.Lease? AcquireHandle(string fullPath, string path)
    {
        try
        {
            return _readHandles!.Acquire(fullPath, ImmutableObjectHint.Immutable);
        }
        catch (Exception e) when (IsIoFailure(e))
        {
            throw Failure(e, "open", path);
        }
    }

    /// <summary>
    /// A ranged read through a cached handle, validated against the path first (see <see cref="LocalReadHandles"/>),
    /// or, for objects the caller marked immutable (<see cref="ImmutableObjectHint"/>), by the link count of its file.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private ValueTask<ObjectContent?> ReadCachedAsync(string path, ByteRange range, CancellationToken cancellationToken)
    {
        var fullPath = ToFullPath(path, nameof(path));
        cancellationToken.ThrowIfCancellationRequested();
        if (AcquireHandle(fullPath, path) is not { } lease)
        {
            return ValueTask.FromResult<ObjectContent?>(null);
        }

        var leaseHeld = true;
        try
        {
            var stamp = lease.Stamp;
            var cut = range.ClipTo(stamp.Size);
            var (start, end) = (cut.Offset, cut.End);
            if (end - start > Array.MaxLength)
            {
                throw new SlateDbException(SlateDbErrorKind.Invalid, $"Object '{path}' has {stamp.Size} bytes, too many to read at once; read it in ranges.");
            }

            var buffer = RangeBuffer(end - start);
            if (buffer.Length > SyncReadMaxBytes)
            {
                leaseHeld = false; // The asynchronous read ends the lease.
                return ReadLeasedAsync(path, lease, buffer, start, cancellationToken);
            }

            FillSync(path, lease.Handle, buffer.Span, start);
            return ValueTask.FromResult<ObjectContent?>(new ObjectContent(buffer, ToMetadata(path, stamp)));
        }
        catch (Exception e) when (IsIoFailure(e))
        {
            throw Failure(e, "read", path);
        }
        finally
        {
            if (leaseHeld)
            {
                lease.Dispose();
            }
        }
    }

    /// <summary>
    /// The buffer of a ranged read: on the pinned object heap when the caller keeps the bytes for long
    /// (<see cref="RangeBufferHint.LongLived"/>: SST blocks going into the block cache, decoded in place over this
    /// buffer). Allocated on the small-object heap, every cached block would be copied by the generation 0 and again by
    /// the generation 1 collection that follow its read (a cold pass over 130 MiB of blocks copied 260 MiB and paused
    /// ~0.4 s). The pinned heap, like the large-object heap that reads of 85,000 bytes and more land on anyway, never
    /// moves an object and is collected with generation 2 only, which is why short-lived reads (scans that do not
    /// cache) stay on the ordinary heap. Nothing here is pinned for I/O; each read gets its own array, freed like any
    /// other once the last block over it is dropped. Pinned buffers come in size classes
    /// (<see cref="Caching.PinnedBlockMemory"/>), so the holes evicted blocks leave fit the next reads.
    /// </summary>
    internal static Memory<byte> RangeBuffer(long length) => RangeBuffer(length, RangeBufferHint.LongLived);

    private static Memory<byte> RangeBuffer(long length, bool pinned) =>
        pinned ? Caching.PinnedBlockMemory.Allocate((int)length) : length == 0 ? Memory<byte>.Empty : GC.AllocateUninitializedArray<byte>((int)length);

    private async ValueTask<ObjectContent?> ReadLeasedAsync(string path, LocalReadHandles.Lease lease, Memory<byte> buffer, long start, CancellationToken cancellationToken)
    {
        using (lease)
        {
            try
            {
                await FillAsync(path, lease.Handle, buffer, start, cancellationToken).ConfigureAwait(false);
                return new ObjectContent(buffer, ToMetadata(path, lease.Stamp));
            }
            catch (Exception e) when (IsIoFailure(e))
            {
                throw Failure(e, "read", path);
            }
        }
    }

    /// <summary>Reads <paramref name="buffer"/>'s length from <paramref name="start"/>; a file that ends first shrank.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void FillSync(string path, SafeFileHandle handle, Span<byte> buffer, long start)
    {
        var filled = 0;
        while (filled < buffer.Length)
        {
            var read = RandomAccess.Read(handle, buffer[filled..], start + filled);
            filled += read > 0 ? read : throw Shrank(path);
        }
    }

    /// <summary>As <see cref="FillSync"/>, asynchronously.</summary>
    private static async ValueTask FillAsync(string path, SafeFileHandle handle, Memory<byte> buffer, long start, CancellationToken cancellationToken)
    {
        var filled = 0;
        while (filled < buffer.Length)
        {
            var read = await RandomAccess.ReadAsync(handle, buffer[filled..], start + filled, cancellationToken).ConfigureAwait(false);
            filled += read > 0 ? read : throw Shrank(path);
        }
    }

    private static SlateDbException Shrank(string path) =>
        new(SlateDbErrorKind.Unavailable, $"Object '{path}' shrank while it was read: something outside the object store changed the file in place.");

    private async ValueTask<ObjectContent?> ReadAsync(string path, ByteRange? range, CancellationToken cancellationToken)
    {
        var fullPath = ToFullPath(path, nameof(path));
        cancellationToken.ThrowIfCancellationRequested();
        SafeFileHandle handle;
        try
        {
            // FileShare.Delete lets writers replace the file while we read the version we opened.
            handle = File.OpenHandle(fullPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, FileOptions.Asynchronous);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (UnauthorizedAccessException) when (Directory.Exists(fullPath))
        {
            return null;
        }
        catch (Exception e) when (IsIoFailure(e))
        {
            throw Failure(e, "open", path);
        }

        using (handle)
        {
            try
            {
                // Published files are never written again (writers replace them), so the handle sees one version.
                var stamp = LocalFileApi.Stat(handle, fullPath);
                var cut = range?.ClipTo(stamp.Size) ?? new ByteRange(0, stamp.Size);
                var (start, end) = (cut.Offset, cut.End);
                if (end - start > Array.MaxLength)
                {
                    throw new SlateDbException(SlateDbErrorKind.Invalid, $"Object '{path}' has {stamp.Size} bytes, too many to read at once; read it in ranges.");
                }

                var buffer = RangeBuffer(end - start, pinned: range is not null && RangeBufferHint.LongLived);
                if (buffer.Length <= SyncReadMaxBytes)
                {
                    FillSync(path, handle, buffer.Span, start);
                }
                else
                {
                    await FillAsync(path, handle, buffer, start, cancellationToken).ConfigureAwait(false);
                }

                return new ObjectContent(buffer, ToMetadata(path, stamp));
            }
            catch (Exception e) when (IsIoFailure(e))
            {
                throw Failure(e, "read", path);
            }
        }
    }

    /// <summary>Removes now-empty folders from <paramref name="folder"/> up to (not including) the root. Best effort.</summary>
    private void RemoveEmptyFolders(string? folder)
    {
        while (folder is not null && folder.Length > _root.Length && folder.StartsWith(_root, StringComparison.Ordinal))
        {
            try
            {
                Directory.Delete(folder, recursive: false);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return; // Not empty, already gone, or not ours to remove: stop climbing.
            }

            folder = Path.GetDirectoryName(folder);
        }
    }

    private string ToFullPath(string path, string paramName)
    {
        ValidateNoReservedCharacter(path, paramName, isPrefix: false);
        return ToFullPathUnchecked(path);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ValidateNoReservedCharacter(string path, string paramName, bool isPrefix)
    {
        if (isPrefix)
        {
            ObjectPath.ValidatePrefix(path, paramName);
        }
        else
        {
            ObjectPath.Validate(path, paramName);
        }

        if (path.Contains('#', StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{path}' contains '#', which the local object store reserves for its temporary and lock files.", paramName);
        }
    }

    private static ObjectMetadata ToMetadata(string path, LocalFileStamp stamp) =>
        new(path, stamp.Size, stamp.LastModified, stamp.Version);

    private static bool IsIoFailure(Exception e) => e is IOException or UnauthorizedAccessException;

    private SlateDbException Failure(Exception e, string operation, string path)
    {
        var message = $"The local object store at '{_root}' could not {operation} '{path}': {e.Message}"
            + (IsPermanent(e) ? " Check that the root folder exists or can be created, is a folder and is writable by this process." : string.Empty);
        return new SlateDbException(IsPermanent(e) ? SlateDbErrorKind.Invalid : SlateDbErrorKind.Unavailable, message, e);
    }

    /// <summary>
    /// Failures that retrying will not fix: access denied, a read-only file system, a bad or too long path, a folder
    /// that does not exist and cannot be made (a missing parent the store may not create, a file where a folder
    /// should be, a pseudo file system such as /proc). Callers that race with folder removal retry those themselves
    /// before they get here.
    /// </summary>
    private static bool IsPermanent(Exception e)
    {
        if (e is UnauthorizedAccessException or PathTooLongException or DirectoryNotFoundException or FileNotFoundException)
        {
            return true;
        }

        // On Linux .NET reports the errno as the HResult: EPERM, ENOENT, EACCES, EXDEV, ENOTDIR, EISDIR, EROFS,
        // ENAMETOOLONG, ELOOP.
        return OperatingSystem.IsLinux() && e.HResult is 1 or 2 or 13 or 18 or 20 or 21 or 30 or 36 or 40;
    }
}
