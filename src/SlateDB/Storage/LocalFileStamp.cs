namespace SlateDB.Storage;

/// <summary>A file's size, modification time and version, as the local store reports them.</summary>
/// <param name="Size">The length in bytes.</param>
/// <param name="LastModified">The modification time.</param>
/// <param name="Version">
/// <c>{inode}-{mtime in microseconds since 1970}-{size}</c> in lower-case hex, the scheme of the Rust object_store
/// crate's local store (the inode is 0 where it cannot be read cheaply).
/// </param>
internal readonly record struct LocalFileStamp(long Size, DateTimeOffset LastModified, string Version)
{
    public static LocalFileStamp Create(ulong inode, long unixMicroseconds, long ticksSinceEpoch, long size) =>
        new(size, DateTimeOffset.UnixEpoch.AddTicks(ticksSinceEpoch), FormattableString.Invariant($"{inode:x}-{unixMicroseconds:x}-{size:x}"));

    public static LocalFileStamp FromUtc(DateTime lastWriteUtc, long size)
    {
        var ticks = lastWriteUtc.Ticks - DateTime.UnixEpoch.Ticks;
        return Create(0, ticks / TimeSpan.TicksPerMicrosecond, ticks, size);
    }
}
