namespace SlateDB.Storage;

/// <summary>
/// An <see cref="IObjectStore"/> that can also read a byte range into a buffer the caller provides, rather than into a
/// new array per read. The engine uses it where it would throw the bytes away after copying them out: the read-ahead of
/// scans that do not fill the block cache and the compaction's input reads go into a pool of reused buffers. Stores
/// that do not implement it (or answer <see cref="CanReadInto"/> false) are read with
/// <see cref="IObjectStore.GetRangeAsync"/> as usual. The local folder, S3, Azure Blob and GCS stores and the disk cache implement it.
/// </summary>
public interface IRangeReadInto
{
    /// <summary>
    /// Whether <see cref="ReadRangeIntoAsync"/> may be called: a decorator (instrumentation, read backpressure, retries)
    /// implements this interface whatever it wraps and says here whether the store beneath reads into a buffer.
    /// </summary>
    bool CanReadInto { get; }

    /// <summary>
    /// Reads <paramref name="range"/> of the object (clipped to its end) into the start of
    /// <paramref name="destination"/>, which must hold the whole range. Returns the bytes read (fewer than the range's
    /// length when the object ends before it; 0 when the range starts at or past its end), or -1 when the object does
    /// not exist. Failures are reported as by <see cref="IObjectStore.GetRangeAsync"/>.
    /// </summary>
    /// <param name="path">The object's path.</param>
    /// <param name="range">The bytes to read.</param>
    /// <param name="destination">Where they go; at least <see cref="ByteRange.Length"/> bytes.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than the range.</exception>
    ValueTask<int> ReadRangeIntoAsync(string path, ByteRange range, Memory<byte> destination, CancellationToken cancellationToken);

    /// <summary>
    /// Checks the arguments of <see cref="ReadRangeIntoAsync"/> as implementations do before reading: a valid object
    /// path (<see cref="ObjectPath.Validate"/>), and a destination that holds the whole range.
    /// </summary>
    /// <param name="path">The object's path.</param>
    /// <param name="range">The bytes to read.</param>
    /// <param name="destination">Where they go.</param>
    /// <exception cref="ArgumentException">The path is not valid, or <paramref name="destination"/> is shorter than the range.</exception>
    static void CheckArguments(string path, ByteRange range, Memory<byte> destination)
    {
        ObjectPath.Validate(path);
        if (range.Length > destination.Length)
        {
            throw new ArgumentException($"The destination holds {destination.Length} bytes, fewer than the range's {range.Length}.", nameof(destination));
        }
    }
}
