namespace SlateDB.Storage;

/// <summary>Ranged reads into a caller's buffer (<see cref="IRangeReadInto"/>).</summary>
public sealed partial class LocalFileSystemObjectStore : IRangeReadInto
{
    /// <inheritdoc/>
    bool IRangeReadInto.CanReadInto => true;

    /// <inheritdoc/>
    async ValueTask<int> IRangeReadInto.ReadRangeIntoAsync(string path, ByteRange range, Memory<byte> destination, CancellationToken cancellationToken)
    {
        var fullPath = ToFullPath(path, nameof(path));
        cancellationToken.ThrowIfCancellationRequested();
        if (range.Length > destination.Length)
        {
            throw new ArgumentException($"The destination holds {destination.Length} bytes, fewer than the range's {range.Length}.", nameof(destination));
        }

        if (_readHandles is null)
        {
            // No cached handles here: read as usual and copy.
            if (await ReadAsync(path, range, cancellationToken).ConfigureAwait(false) is not { } content)
            {
                return -1;
            }

            content.Data.CopyTo(destination);
            return content.Data.Length;
        }

        if (AcquireHandle(fullPath, path) is not { } lease)
        {
            return -1;
        }

        using (lease)
        {
            try
            {
                var cut = range.ClipTo(lease.Stamp.Size);
                var (start, length) = (cut.Offset, (int)cut.Length);
                var target = destination[..length];
                if (length <= SyncReadMaxBytes)
                {
                    FillSync(path, lease.Handle, target.Span, start);
                }
                else
                {
                    await FillAsync(path, lease.Handle, target, start, cancellationToken).ConfigureAwait(false);
                }

                return length;
            }
            catch (Exception e) when (IsIoFailure(e))
            {
                throw Failure(e, "read", path);
            }
        }
    }
}
