using System.Runtime.InteropServices;

namespace SlateDB.Wal.LocalDisk;

/// <summary>
/// Makes a directory's entries durable (fsync of the directory), so a segment file created before a crash is still
/// there after it. On Windows, where NTFS journals metadata and directories cannot be fsynced this way, it does nothing.
/// </summary>
internal static partial class DirectorySync
{
    /// <exception cref="IOException">The directory could not be opened or synced.</exception>
    public static void Fsync(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var fd = Open(directory, 0);
        if (fd < 0)
        {
            throw new IOException($"Cannot open the directory '{directory}' to sync it (errno {Marshal.GetLastPInvokeError()}).");
        }

        try
        {
            if (FsyncFd(fd) != 0)
            {
                throw new IOException($"fsync of the directory '{directory}' failed (errno {Marshal.GetLastPInvokeError()}).");
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    /// <summary>
    /// Takes an exclusive advisory lock (flock) on <paramref name="file"/> without waiting; false when another open file
    /// description (another process, or another open in this one) holds it. The lock goes with the file's handle: it
    /// is released when the handle closes or the process dies. On Windows the file's FileShare.None open is the lock.
    /// </summary>
    public static bool TryLockExclusive(FileStream file)
    {
        if (OperatingSystem.IsWindows())
        {
            return true;
        }

        const int LockExclusive = 2;
        const int LockNonBlocking = 4;
        var fd = (int)file.SafeFileHandle.DangerousGetHandle();
        return Flock(fd, LockExclusive | LockNonBlocking) == 0;
    }

    [LibraryImport("libc", EntryPoint = "flock", SetLastError = true)]
    private static partial int Flock(int fd, int operation);

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int FsyncFd(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
