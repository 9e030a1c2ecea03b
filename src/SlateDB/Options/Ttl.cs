namespace SlateDB;

/// <summary>How long a put lives (SlateDB's <c>Ttl</c>). Expired rows are not returned by reads and are removed by compaction.</summary>
public readonly record struct Ttl
{
    private enum Kind : byte
    {
        Default,
        NoExpiry,
        After,
        At,
    }

    private readonly Kind _kind;
    private readonly long _millis;

    private Ttl(Kind kind, long millis)
    {
        _kind = kind;
        _millis = millis;
    }

    /// <summary>Use <see cref="SlateDbOptions.DefaultTtl"/> (no expiry if that is null).</summary>
    public static Ttl Default => default;

    /// <summary>Never expire, whatever the default.</summary>
    public static Ttl NoExpiry => new(Kind.NoExpiry, 0);

    /// <summary>Expire this long after the write.</summary>
    public static Ttl ExpireAfter(TimeSpan duration)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(duration, TimeSpan.Zero);
        return new Ttl(Kind.After, (long)Math.Ceiling(duration.TotalMilliseconds));
    }

    /// <summary>
    /// Expire this long after the write, as <see cref="ExpireAfter"/>: lets a duration stand for a TTL, as in
    /// <c>new PutOptions { Ttl = TimeSpan.FromMinutes(5) }</c>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="duration"/> is zero or negative.</exception>
    public static implicit operator Ttl(TimeSpan duration) => ExpireAfter(duration);

    /// <summary>Expire at a fixed moment.</summary>
    public static Ttl ExpireAt(DateTimeOffset moment) => new(Kind.At, moment.ToUnixTimeMilliseconds());

    /// <summary>The expiry, in Unix milliseconds, of a row written at <paramref name="nowMillis"/>; null when it never expires.</summary>
    internal long? ExpireTsFor(long nowMillis, TimeSpan? defaultTtl) => _kind switch
    {
        Kind.NoExpiry => null,
        Kind.After => AddOrNull(nowMillis, _millis),
        Kind.At => _millis,
        _ => defaultTtl is { } d ? AddOrNull(nowMillis, (long)Math.Ceiling(d.TotalMilliseconds)) : null,
    };

    /// <inheritdoc/>
    public override string ToString() => _kind switch
    {
        Kind.NoExpiry => "NoExpiry",
        Kind.After => $"ExpireAfter({_millis} ms)",
        Kind.At => $"ExpireAt({DateTimeOffset.FromUnixTimeMilliseconds(_millis):O})",
        _ => "Default",
    };

    // As SlateDB: an expiry that overflows means no expiry.
    private static long? AddOrNull(long now, long ttl) => ttl > long.MaxValue - now ? null : now + ttl;
}
