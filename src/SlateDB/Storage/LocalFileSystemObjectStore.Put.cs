using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Win32.SafeHandles;

namespace SlateDB.Storage;

/// <summary>Puts: temporary files, publishing, and the store lock.</summary>
public sealed partial class LocalFileSystemObjectStore
{
    /// <summary>How often a put retries when a concurrent delete removes the folder it is writing into.</summary>
    private const int MaxFolderAttempts = 16;

    /// <summary>How long to wait for another process to release the store lock before reporting the store unavailable.</summary>
    private static readonly TimeSpan s_lockTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Serializes this instance's lock holders, so only one of its threads at a time polls the lock file.</summary>
    private readonly SemaphoreSlim _lockGate = new(1, 1);

    /// <summary>Makes temporary names unique across processes that share the folder (pids can repeat across containers).</summary>
    private readonly ulong _instanceTag = BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(sizeof(ulong)));

    private long _tempCounter;
    private long _lastStampMicros = long.MinValue;

    /// <inheritdoc/>
    public async ValueTask<PutResult> PutAsync(string path, ReadOnlyMemory<byte> data, PutMode mode, CancellationToken cancellationToken)
    {
        var fullPath = ToFullPath(path, nameof(path));
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            var (tempPath, stamp) = await WriteTempFileAsync(path, fullPath, data, cancellationToken).ConfigureAwait(false);
            return await PublishTempFileAsync(path, tempPath, fullPath, stamp, mode, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (IsIoFailure(e))
        {
            throw Failure(e, "write", path);
        }
    }

    /// <summary>
    /// Publishes a written, synced temporary file at <paramref name="fullPath"/> as <paramref name="mode"/> says, and
    /// deletes the temporary file whatever happens.
    /// </summary>
    private async ValueTask<PutResult> PublishTempFileAsync(string path, string tempPath, string fullPath, LocalFileStamp stamp, PutMode mode, CancellationToken cancellationToken)
    {
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            var result = mode.Kind switch
            {
                PutModeKind.Create => await PublishIfAbsentAsync(path, tempPath, fullPath, stamp, cancellationToken).ConfigureAwait(false),
                PutModeKind.Update => await PublishIfVersionAsync(path, tempPath, fullPath, stamp, mode.ExpectedVersion!, cancellationToken).ConfigureAwait(false),
                _ => await PublishAsync(path, tempPath, fullPath, stamp, cancellationToken).ConfigureAwait(false),
            };
            if (result.IsWritten)
            {
                _readHandles?.Forget(fullPath); // The old version's handle is stale now; close it at once.

                // Makes the new name durable. Should this fail, the object is already visible but the put
                // reports a failure, as a cloud store's put can when its response is lost.
                LocalFileApi.SyncDirectory(Path.GetDirectoryName(fullPath)!);
            }

            return result;
        }
        finally
        {
            // Gone after a rename; still there after a link or a lost condition.
            TryDeleteFile(tempPath);
        }
    }

    private async ValueTask<PutResult> PublishAsync(string path, string tempPath, string fullPath, LocalFileStamp stamp, CancellationToken cancellationToken)
    {
        using (await AcquireStoreLockAsync(cancellationToken).ConfigureAwait(false))
        {
            Replace(path, tempPath, fullPath);
        }

        return PutResult.Written(stamp.Version);
    }

    private async ValueTask<PutResult> PublishIfAbsentAsync(string path, string tempPath, string fullPath, LocalFileStamp stamp, CancellationToken cancellationToken)
    {
        switch (LocalFileApi.TryLink(tempPath, fullPath))
        {
            case LinkOutcome.Linked:
                return PutResult.Written(stamp.Version);
            case LinkOutcome.Exists:
                ThrowIfFolder(path, fullPath);
                return PutResult.AlreadyExists;
        }

        if (OperatingSystem.IsWindows())
        {
            // MoveFileEx without MOVEFILE_REPLACE_EXISTING fails atomically when the target exists.
            try
            {
                File.Move(tempPath, fullPath, overwrite: false);
                return PutResult.Written(stamp.Version);
            }
            catch (IOException e) when ((e.HResult & 0xFFFF) is 80 or 183)
            {
                ThrowIfFolder(path, fullPath);
                return PutResult.AlreadyExists;
            }
        }

        // No hard links here: check and rename under the store lock (atomic among users of this class).
        using (await AcquireStoreLockAsync(cancellationToken).ConfigureAwait(false))
        {
            switch (LocalFileApi.Stat(fullPath, out _))
            {
                case LocalEntryKind.File:
                    return PutResult.AlreadyExists;
                case LocalEntryKind.NotAFile:
                    throw FolderInTheWay(path);
            }

            Replace(path, tempPath, fullPath);
        }

        return PutResult.Written(stamp.Version);
    }

    private async ValueTask<PutResult> PublishIfVersionAsync(string path, string tempPath, string fullPath, LocalFileStamp stamp, string expectedVersion, CancellationToken cancellationToken)
    {
        using (await AcquireStoreLockAsync(cancellationToken).ConfigureAwait(false))
        {
            if (LocalFileApi.Stat(fullPath, out var current) != LocalEntryKind.File ||
                !string.Equals(current.Version, expectedVersion, StringComparison.Ordinal))
            {
                return PutResult.VersionMismatch;
            }

            Replace(path, tempPath, fullPath);
        }

        return PutResult.Written(stamp.Version);
    }

    private static void Replace(string path, string tempPath, string fullPath)
    {
        try
        {
            File.Move(tempPath, fullPath, overwrite: true);
        }
        catch (Exception e) when (IsIoFailure(e) && Directory.Exists(fullPath))
        {
            throw FolderInTheWay(path);
        }
    }

    /// <summary>Writes the bytes to a new temporary file beside the target, stamps and syncs it.</summary>
    private async ValueTask<(string TempPath, LocalFileStamp Stamp)> WriteTempFileAsync(string path, string fullPath, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        var (tempPath, handle) = CreateTempFile(path, fullPath, FileOptions.Asynchronous);
        try
        {
            using (handle)
            {
                await RandomAccess.WriteAsync(handle, data, 0, cancellationToken).ConfigureAwait(false);
                return (tempPath, SealTempFile(handle, tempPath));
            }
        }
        catch
        {
            TryDeleteFile(tempPath);
            throw;
        }
    }

    /// <summary>
    /// A new, empty temporary file beside <paramref name="fullPath"/>, open for writing; its folder is created first
    /// (again, should a concurrent delete remove the empty folder meanwhile).
    /// </summary>
    private (string TempPath, SafeFileHandle Handle) CreateTempFile(string path, string fullPath, FileOptions options)
    {
        var folder = Path.GetDirectoryName(fullPath)!;
        for (var attempt = 1; ; attempt++)
        {
            CreateFolder(path, folder);
            var tempPath = NewTempPath(fullPath);
            try
            {
                return (tempPath, File.OpenHandle(tempPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, options));
            }
            catch (DirectoryNotFoundException) when (attempt < MaxFolderAttempts)
            {
                // A concurrent delete removed the (empty) folder after we created it.
            }
        }
    }

    /// <summary>Stamps a fully written temporary file with the next modification time, syncs it, and returns its stamp.</summary>
    private LocalFileStamp SealTempFile(SafeFileHandle handle, string tempPath)
    {
        File.SetLastWriteTimeUtc(handle, NextStamp());
        RandomAccess.FlushToDisk(handle);
        return LocalFileApi.Stat(handle, tempPath);
    }

    /// <summary>A new temporary name beside <paramref name="fullPath"/> (hidden from listings and reads).</summary>
    private string NewTempPath(string fullPath) =>
        string.Create(CultureInfo.InvariantCulture, $"{fullPath}#{_instanceTag}{Interlocked.Increment(ref _tempCounter)}");

    private void CreateFolder(string path, string folder)
    {
        try
        {
            Directory.CreateDirectory(folder);
        }
        catch (Exception e) when (IsIoFailure(e) && HasFileOnTheWay(folder))
        {
            throw new SlateDbException(SlateDbErrorKind.Invalid, $"Cannot write '{path}' in the local object store at '{_root}': a segment of its folder is an object (a file).", e);
        }
    }

    private bool HasFileOnTheWay(string folder)
    {
        for (var current = folder; current is not null && current.Length > _root.Length; current = Path.GetDirectoryName(current))
        {
            if (File.Exists(current))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The next modification time to stamp: the clock's time, but at least 1 µs after the previous stamp.</summary>
    private DateTime NextStamp()
    {
        var nowMicros = (_timeProvider.GetUtcNow().UtcTicks - DateTime.UnixEpoch.Ticks) / TimeSpan.TicksPerMicrosecond;
        while (true)
        {
            var last = Volatile.Read(ref _lastStampMicros);
            var next = Math.Max(nowMicros, last + 1);
            if (Interlocked.CompareExchange(ref _lastStampMicros, next, last) == last)
            {
                return DateTime.UnixEpoch.AddTicks(next * TimeSpan.TicksPerMicrosecond);
            }
        }
    }

    /// <summary>
    /// Takes the store lock: this instance's gate, then an exclusive lock on the lock file (held by the returned handle;
    /// disposing it releases both). Critical sections are a stat and a rename, so waits are short.
    /// </summary>
    private async ValueTask<StoreLock> AcquireStoreLockAsync(CancellationToken cancellationToken)
    {
        await _lockGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var started = Stopwatch.GetTimestamp();
            for (var attempt = 0; ; attempt++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var handle = TryLockFile();
                if (handle is not null)
                {
                    return new StoreLock(handle, _lockGate);
                }

                if (Stopwatch.GetElapsedTime(started) > s_lockTimeout)
                {
                    throw new SlateDbException(SlateDbErrorKind.Unavailable, $"Another process has held the lock file '{_lockPath}' for over {s_lockTimeout.TotalSeconds:0} s.");
                }

                if (attempt < 8)
                {
                    await Task.Yield();
                }
                else
                {
                    // Real time on purpose: this waits for another process, not for the store's (maybe simulated) clock.
                    await Task.Delay(TimeSpan.FromMilliseconds(1), TimeProvider.System, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch
        {
            _lockGate.Release();
            throw;
        }
    }

    private SafeFileHandle? TryLockFile()
    {
        SafeFileHandle handle;
        try
        {
            // FileShare.None: .NET takes flock(LOCK_EX) on Unix and a share-mode lock on Windows.
            handle = File.OpenHandle(_lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (DirectoryNotFoundException)
        {
            Directory.CreateDirectory(_root);
            return null;
        }
        catch (IOException e) when (LocalFileApi.IsSharingViolation(e))
        {
            return null;
        }

        if (LocalFileApi.TryLockExclusive(handle, _lockPath))
        {
            return handle;
        }

        handle.Dispose();
        return null;
    }

    private static void ThrowIfFolder(string path, string fullPath)
    {
        if (Directory.Exists(fullPath))
        {
            throw FolderInTheWay(path);
        }
    }

    private static SlateDbException FolderInTheWay(string path) =>
        new(SlateDbErrorKind.Invalid, $"Cannot write '{path}': the local object store has a folder of other objects at that path.");

    private static void TryDeleteFile(string fullPath)
    {
        try
        {
            File.Delete(fullPath);
        }
        catch (Exception e) when (IsIoFailure(e))
        {
            // Best effort: a leftover temporary file is invisible to readers and listings.
        }
    }

    /// <summary>Holds the store lock; disposing releases the file lock and then the in-process gate.</summary>
    private readonly struct StoreLock(SafeFileHandle handle, SemaphoreSlim gate) : IDisposable
    {
        public void Dispose()
        {
            handle.Dispose();
            gate.Release();
        }
    }
}
