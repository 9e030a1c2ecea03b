using Microsoft.Win32.SafeHandles;

namespace SlateDB.Storage;

/// <summary>Streaming puts (<see cref="IStreamingPut"/>): a temporary file written piece by piece, published as a put publishes.</summary>
public sealed partial class LocalFileSystemObjectStore : IStreamingPut
{
    /// <inheritdoc/>
    IStreamingObjectWriter? IStreamingPut.TryStartPut(string path)
    {
        var fullPath = ToFullPath(path, nameof(path));
        try
        {
            var (tempPath, handle) = CreateTempFile(path, fullPath, FileOptions.None);
            return new StreamingWriter(this, path, fullPath, tempPath, handle);
        }
        catch (Exception e) when (IsIoFailure(e))
        {
            throw Failure(e, "write", path);
        }
    }

    /// <summary>
    /// Writes a temporary file beside the target with positioned writes (into the page cache, from the caller's hot
    /// buffer); commit stamps and syncs it and publishes it as <see cref="PutAsync"/> does (link or checked rename, so
    /// the object appears whole or not at all). Disposing before a commit deletes the temporary file.
    /// </summary>
    private sealed class StreamingWriter(LocalFileSystemObjectStore store, string path, string fullPath, string tempPath, SafeFileHandle handle) : IStreamingObjectWriter
    {
        private SafeFileHandle? _handle = handle;
        private bool _ended;

        public long Length { get; private set; }

        public void Write(ReadOnlySpan<byte> data)
        {
            var open = _handle ?? throw new InvalidOperationException($"The put of '{path}' has ended.");
            try
            {
                RandomAccess.Write(open, data, Length);
            }
            catch (Exception e) when (IsIoFailure(e))
            {
                throw store.Failure(e, "write", path);
            }

            Length += data.Length;
        }

        public async ValueTask<PutResult> CommitAsync(PutMode mode, CancellationToken cancellationToken)
        {
            var open = _handle ?? throw new InvalidOperationException($"The put of '{path}' has ended.");
            _ended = true;
            try
            {
                cancellationToken.ThrowIfCancellationRequested();
                LocalFileStamp stamp;
                using (open)
                {
                    _handle = null;
                    stamp = store.SealTempFile(open, tempPath);
                }

                return await store.PublishTempFileAsync(path, tempPath, fullPath, stamp, mode, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (IsIoFailure(e))
            {
                TryDeleteFile(tempPath);
                throw store.Failure(e, "write", path);
            }
            catch
            {
                TryDeleteFile(tempPath);
                throw;
            }
        }

        public void Dispose()
        {
            if (_handle is { } open)
            {
                _handle = null;
                open.Dispose();
            }

            if (!_ended)
            {
                _ended = true;
                TryDeleteFile(tempPath);
            }
        }
    }
}
