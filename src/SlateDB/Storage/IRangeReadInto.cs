namespace SlateDB.Storage;

/// <summary>
/// A store that can read a byte range into a buffer the caller provides (and reuses), rather than into a new array per
/// read. Internal: the compaction's read-ahead uses it where the store implements it and reads as usual elsewhere.
/// </summary>
internal interface IRangeReadInto
{
    /// <summary>
    /// Whether <see cref="ReadRangeIntoAsync"/> may be called: a decorator (instrumentation, read backpressure, retries)
    /// implements this interface whatever it wraps and says here whether the store beneath reads into a buffer.
    /// </summary>
    bool CanReadInto { get; }

    /// <summary>
    /// Reads <paramref name="range"/> of the object (clipped to its end) into the start of
    /// <paramref name="destination"/>, which must hold the whole range. Returns the bytes read (fewer than the range's
    /// length when the object ends before it), or -1 when the object does not exist.
    /// </summary>
    ValueTask<int> ReadRangeIntoAsync(string path, ByteRange range, Memory<byte> destination, CancellationToken cancellationToken);
}
