namespace SlateDB;

/// <summary>
/// Database-wide limits on transactions (see docs/transactions.md): how long one may stay open, and how many committed
/// keys the conflict check may remember for the open ones.
/// </summary>
public sealed record TransactionOptions
{
    /// <summary>The defaults: a maximum age of 10 minutes and 1,000,000 tracked keys.</summary>
    public static TransactionOptions Default { get; } = new();

    /// <summary>
    /// How long a transaction may stay open. An older one is expired: its snapshot is released (so compaction may drop
    /// the versions it read) and its reads, writes and commit fail with <see cref="SlateDbErrorKind.Transaction"/>.
    /// Must be positive; <see cref="Timeout.InfiniteTimeSpan"/> turns the rule off.
    /// </summary>
    public TimeSpan MaxAge { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// At most this many keys of committed writes are remembered for the conflict checks of open transactions. When a
    /// commit would pass it, the oldest open transactions are expired (as by <see cref="MaxAge"/>) until it fits.
    /// At least 1.
    /// </summary>
    public long MaxTrackedKeys { get; init; } = 1_000_000;

    internal void Validate()
    {
        if (MaxAge != Timeout.InfiniteTimeSpan && MaxAge <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxAge), MaxAge, "The maximum transaction age must be positive (or infinite).");
        }

        if (MaxTrackedKeys < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxTrackedKeys), MaxTrackedKeys, "At least one key must be trackable.");
        }
    }
}
