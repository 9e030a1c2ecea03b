using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace SlateDB.Storage;

/// <summary>What <see cref="LocalFileApi.Stat(string, out LocalFileStamp)"/> found at a path.</summary>
internal enum LocalEntryKind
{
    /// <summary>Nothing (or a parent segment is not a folder).</summary>
    Missing,

    /// <summary>A regular file (symbolic links are followed).</summary>
    File,

    /// <summary>A folder or another kind of entry that cannot be an object.</summary>
    NotAFile,
}

/// <summary>
/// What identifies one version of a file: its inode, size and modification time (statx). Published files are never
/// changed in place (writers replace them), so a handle whose identity matches the path's shows the current version.
/// </summary>
internal readonly record struct FileIdentity(ulong Inode, long Size, long MtimeSeconds, uint MtimeNanoseconds)
{
    /// <summary>The stamp (version, time, size) this identity reports.</summary>
    public LocalFileStamp ToStamp() => LocalFileStamp.Create(
        Inode,
        (MtimeSeconds * 1_000_000) + (MtimeNanoseconds / 1_000),
        (MtimeSeconds * TimeSpan.TicksPerSecond) + (MtimeNanoseconds / 100),
        Size);
}

/// <summary>What <see cref="LocalFileApi.TryLink"/> did.</summary>
internal enum LinkOutcome
{
    /// <summary>The new name was created.</summary>
    Linked,

    /// <summary>Something already has the new name; nothing changed.</summary>
    Exists,

    /// <summary>This platform or file system has no hard links; nothing changed.</summary>
    Unsupported,
}

/// <summary>
/// The few file-system primitives the local store needs beyond what .NET exposes portably: hard links (an atomic
/// create-if-absent), <c>flock</c>, <c>statx</c> (the inode for versions) and syncing a folder. Each has a managed
/// fallback where the native call is unavailable.
/// </summary>
internal static class LocalFileApi
{
    // Linux errno values (the ones we branch on).
    private const int EPERM = 1;
    private const int ENOENT = 2;
    private const int EEXIST = 17;
    private const int ENOTDIR = 20;
    private const int EINVAL = 22;
    private const int ENOSYS = 38;
    private const int EOPNOTSUPP = 95;
    private const int EAGAIN = 11;

    private const int AtFdCwd = -100;
    private const int AtEmptyPath = 0x1000;
    private const uint StatxBasicStats = 0x7ff;
    private const int StatxBufferSize = 256;
    private const uint StatxLinkCount = 0x4; // STATX_NLINK: stx_nlink, a u32 at offset 16.
    private static readonly byte[] EmptyNativePath = [0];
    private const ushort FileTypeMask = 0xF000;
    private const ushort RegularFile = 0x8000;
    private const int LockExclusive = 2;
    private const int LockNonBlocking = 4;

    private static readonly bool s_useStatx = OperatingSystem.IsLinux() && ProbeStatx();

    /// <summary>One statx buffer per thread for <see cref="StatIdentity(byte[], out FileIdentity)"/>, so validating a cached handle allocates nothing.</summary>
    [ThreadStatic]
    private static byte[]? t_statxBuffer;

    /// <summary>True where <see cref="StatIdentity(byte[], out FileIdentity)"/> reads a file's inode (Linux with statx).</summary>
    public static bool HasFileIdentity => s_useStatx;

    /// <summary>A path as the C library takes it (UTF-8, zero-terminated), to keep and pass to <see cref="StatIdentity(byte[], out FileIdentity)"/>.</summary>
    public static byte[] ToNativePath(string fullPath) => NativePath(fullPath);

    /// <summary>
    /// Looks at a path (given as <see cref="ToNativePath"/> made it) without opening it or allocating; only where
    /// <see cref="HasFileIdentity"/>. The identity tells whether an open handle still shows the file at that path.
    /// </summary>
    public static LocalEntryKind StatIdentity(byte[] nativePath, out FileIdentity identity)
    {
        var buffer = t_statxBuffer ??= new byte[StatxBufferSize];
        if (NativeMethods.statx(AtFdCwd, nativePath, 0, StatxBasicStats, buffer) != 0)
        {
            identity = default;
            var errno = Marshal.GetLastPInvokeError();
            return errno is ENOENT or ENOTDIR
                ? LocalEntryKind.Missing
                : throw ErrnoException(errno, System.Text.Encoding.UTF8.GetString(nativePath.AsSpan(0, nativePath.Length - 1)));
        }

        return ReadIdentity(buffer, out identity);
    }

    /// <summary>statx of an open file (the handle is kept alive across the call).</summary>
    private static byte[] StatxOf(SafeFileHandle handle, string fullPath)
    {
        var buffer = new byte[StatxBufferSize];
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            if (NativeMethods.statx((int)handle.DangerousGetHandle(), NativePath(string.Empty), AtEmptyPath, StatxBasicStats, buffer) != 0)
            {
                throw ErrnoException(Marshal.GetLastPInvokeError(), fullPath);
            }
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }

        return buffer;
    }

    /// <summary>
    /// Whether an open file has no name left (deleted, or replaced by a rename over its path): a <c>statx</c> of the
    /// descriptor for its link count only, with no path lookup. The caller holds the handle alive (a lease). Only where
    /// <see cref="HasFileIdentity"/>.
    /// </summary>
    public static bool IsUnlinked(SafeFileHandle handle, string fullPath)
    {
        var buffer = t_statxBuffer ??= new byte[StatxBufferSize];
        if (NativeMethods.statx((int)handle.DangerousGetHandle(), EmptyNativePath, AtEmptyPath, StatxLinkCount, buffer) != 0)
        {
            throw ErrnoException(Marshal.GetLastPInvokeError(), fullPath);
        }

        return MemoryMarshal.Read<uint>(buffer.AsSpan(16)) == 0;
    }

    /// <summary>The identity of an open file; only where <see cref="HasFileIdentity"/>.</summary>
    public static FileIdentity StatIdentity(SafeFileHandle handle, string fullPath)
    {
        var buffer = StatxOf(handle, fullPath);
        return ReadIdentity(buffer, out var identity) == LocalEntryKind.File
            ? identity
            : throw new IOException($"'{fullPath}' is not a regular file.", 21);
    }
    private static readonly bool s_useLibc = (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD()) && ProbeLibc();

    /// <summary>Looks at a path without opening it.</summary>
    public static LocalEntryKind Stat(string fullPath, out LocalFileStamp stamp)
    {
        stamp = default;
        if (s_useStatx)
        {
            var buffer = new byte[StatxBufferSize];
            if (NativeMethods.statx(AtFdCwd, NativePath(fullPath), 0, StatxBasicStats, buffer) != 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno is ENOENT or ENOTDIR)
                {
                    return LocalEntryKind.Missing;
                }

                throw ErrnoException(errno, fullPath);
            }

            return ReadStatx(buffer, out stamp);
        }

        var info = new FileInfo(fullPath);
        if (info.Exists)
        {
            stamp = LocalFileStamp.FromUtc(info.LastWriteTimeUtc, info.Length);
            return LocalEntryKind.File;
        }

        return Directory.Exists(fullPath) ? LocalEntryKind.NotAFile : LocalEntryKind.Missing;
    }

    /// <summary>Reads the stamp of an open file.</summary>
    public static LocalFileStamp Stat(SafeFileHandle handle, string fullPath)
    {
        if (s_useStatx)
        {
            var buffer = StatxOf(handle, fullPath);
            ReadStatx(buffer, out var stamp);
            return stamp;
        }

        return LocalFileStamp.FromUtc(File.GetLastWriteTimeUtc(handle), RandomAccess.GetLength(handle));
    }

    /// <summary>Gives <paramref name="existing"/> a second name, atomically failing if that name is taken.</summary>
    public static LinkOutcome TryLink(string existing, string newPath)
    {
        if (!s_useLibc)
        {
            return LinkOutcome.Unsupported;
        }

        if (NativeMethods.link(NativePath(existing), NativePath(newPath)) == 0)
        {
            return LinkOutcome.Linked;
        }

        var errno = Marshal.GetLastPInvokeError();
        return errno switch
        {
            EEXIST => LinkOutcome.Exists,
            _ when IsLinkUnsupported(errno) => LinkOutcome.Unsupported,
            _ => throw ErrnoException(errno, newPath),
        };
    }

    /// <summary>
    /// Takes an exclusive <c>flock</c> on an open file without waiting. .NET already does so for handles opened with
    /// <see cref="FileShare.None"/>, unless file locking is switched off (<c>DOTNET_SYSTEM_IO_DISABLEFILELOCKING</c>);
    /// this makes sure. Returns false when another open file holds the lock.
    /// </summary>
    public static bool TryLockExclusive(SafeFileHandle handle, string fullPath)
    {
        if (!s_useLibc)
        {
            return true;
        }

        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            if (NativeMethods.flock((int)handle.DangerousGetHandle(), LockExclusive | LockNonBlocking) == 0)
            {
                return true;
            }
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }

        var errno = Marshal.GetLastPInvokeError();
        return IsWouldBlock(errno) ? false : throw ErrnoException(errno, fullPath);
    }

    /// <summary>Makes a folder's entries (a new or renamed file) durable. Best effort where folders cannot be synced.</summary>
    public static void SyncDirectory(string fullPath)
    {
        if (!s_useLibc)
        {
            return;
        }

        var fd = NativeMethods.open(NativePath(fullPath), 0);
        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw ErrnoException(errno, fullPath);
        }

        try
        {
            if (NativeMethods.fsync(fd) != 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno != EINVAL)
                {
                    throw ErrnoException(errno, fullPath);
                }
            }
        }
        finally
        {
            _ = NativeMethods.close(fd);
        }
    }

    /// <summary>True when an <see cref="IOException"/> says another handle holds a lock or share on the file.</summary>
    public static bool IsSharingViolation(IOException exception)
    {
        if (OperatingSystem.IsWindows())
        {
            var code = exception.HResult & 0xFFFF;
            return code is 32 or 33; // ERROR_SHARING_VIOLATION, ERROR_LOCK_VIOLATION
        }

        // On Unix .NET reports the errno of the refused flock as the HResult.
        return IsWouldBlock(exception.HResult);
    }

    // EPERM, then ENOSYS and EOPNOTSUPP as Linux numbers them, else as macOS and the BSDs do (ENOTSUP too).
    private static bool IsLinkUnsupported(int errno) =>
        errno == EPERM || (OperatingSystem.IsLinux() ? errno is ENOSYS or EOPNOTSUPP : errno is 45 or 78 or 102);

    private static bool IsWouldBlock(int errno) => errno == EAGAIN || (OperatingSystem.IsMacOS() && errno == 35);

    private static LocalEntryKind ReadIdentity(ReadOnlySpan<byte> buffer, out FileIdentity identity)
    {
        var mode = MemoryMarshal.Read<ushort>(buffer[28..]);
        if ((mode & FileTypeMask) != RegularFile)
        {
            identity = default;
            return LocalEntryKind.NotAFile;
        }

        identity = new FileIdentity(
            MemoryMarshal.Read<ulong>(buffer[32..]),
            MemoryMarshal.Read<long>(buffer[40..]),
            MemoryMarshal.Read<long>(buffer[112..]),
            MemoryMarshal.Read<uint>(buffer[120..]));
        return LocalEntryKind.File;
    }

    private static LocalEntryKind ReadStatx(ReadOnlySpan<byte> buffer, out LocalFileStamp stamp)
    {
        // struct statx has the same layout on every Linux architecture; fields are in native byte order.
        var mode = MemoryMarshal.Read<ushort>(buffer[28..]);
        var inode = MemoryMarshal.Read<ulong>(buffer[32..]);
        var size = MemoryMarshal.Read<long>(buffer[40..]);
        var mtimeSeconds = MemoryMarshal.Read<long>(buffer[112..]);
        var mtimeNanoseconds = MemoryMarshal.Read<uint>(buffer[120..]);
        if ((mode & FileTypeMask) != RegularFile)
        {
            stamp = default;
            return LocalEntryKind.NotAFile;
        }

        var micros = (mtimeSeconds * 1_000_000) + (mtimeNanoseconds / 1_000);
        var ticks = (mtimeSeconds * TimeSpan.TicksPerSecond) + (mtimeNanoseconds / 100);
        stamp = LocalFileStamp.Create(inode, micros, ticks, size);
        return LocalEntryKind.File;
    }

    /// <summary>A path as the C library takes it: UTF-8 with a terminating zero.</summary>
    private static byte[] NativePath(string path)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(path) + 1];
        Encoding.UTF8.GetBytes(path, bytes);
        return bytes;
    }

    private static IOException ErrnoException(int errno, string fullPath) =>
        new($"{Marshal.GetPInvokeErrorMessage(errno)} (errno {errno}): '{fullPath}'", errno);

    private static bool ProbeStatx()
    {
        try
        {
            var buffer = new byte[StatxBufferSize];
            return NativeMethods.statx(AtFdCwd, NativePath("/"), 0, StatxBasicStats, buffer) == 0;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    private static bool ProbeLibc()
    {
        try
        {
            // A call that fails harmlessly proves the library and symbols resolve.
            _ = NativeMethods.flock(-1, LockExclusive | LockNonBlocking);
            _ = NativeMethods.link(NativePath(string.Empty), NativePath(string.Empty));
            _ = NativeMethods.fsync(-1);
            _ = NativeMethods.open(NativePath(string.Empty), 0);
            _ = NativeMethods.close(-1);
            return true;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    private static class NativeMethods
    {
        [DllImport("libc", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern int link(byte[] existing, byte[] newPath);

        [DllImport("libc", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern int flock(int fd, int operation);

        [DllImport("libc", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern int statx(int dirFd, byte[] path, int flags, uint mask, byte[] buffer);

        [DllImport("libc", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern int open(byte[] path, int flags);

        [DllImport("libc", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern int fsync(int fd);

        [DllImport("libc", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern int close(int fd);
    }
}
