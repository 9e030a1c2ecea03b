namespace SlateDB.Storage;

/// <summary>
/// A store that can read a byte range into a buffer the caller provides (and reuses), rather than into a new array per
/// read. Internal: the compaction's read-ahead uses it where the store implements it and reads as usual elsewhere.
/// </summary>
internal interface IRangeReadInto
{
    /// <summary>
    /// Reads <paramref name="range"/> of the object (clipped to its end) into the start of
    /// <paramref name="destination"/>, which must hold the whole range. Returns the bytes read (fewer than the range's
    /// length when the object ends before it), or -1 when the object does not exist.
    /// </summary>
    ValueTask<int> ReadRangeIntoAsync(string path, ByteRange range, Memory<byte> destination, CancellationToken cancellationToken);
}
