namespace SlateDB;

/// <summary>Settings of a local-disk WAL (<see cref="SlateDbBuilder.WithLocalWal"/>).</summary>
public sealed record LocalWalOptions
{
    /// <summary>The defaults: 64 MiB segments.</summary>
    public static LocalWalOptions Default { get; } = new();

    /// <summary>
    /// A segment file takes no new record once it holds this many bytes; the next WAL write starts a new one. A segment
    /// is deleted when the garbage collector has collected every record in it. Default 64 MiB; at least 4 KiB.
    /// </summary>
    public long SegmentSizeBytes { get; init; } = 64L * 1024 * 1024;

    internal void Validate()
    {
        if (SegmentSizeBytes < 4096)
        {
            throw new ArgumentOutOfRangeException(nameof(SegmentSizeBytes), SegmentSizeBytes, "A local WAL segment must be at least 4096 bytes.");
        }
    }
}
