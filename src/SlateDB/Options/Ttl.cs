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

/// <summary>Per-put settings.</summary>
public sealed record PutOptions
{
    /// <summary>The default: <see cref="Ttl.Default"/>.</summary>
    public static PutOptions Default { get; } = new();

    /// <summary>How long the row lives.</summary>
    public Ttl Ttl { get; init; } = Ttl.Default;
}

/// <summary>Per-write settings.</summary>
public sealed record WriteOptions
{
    /// <summary>The default: return once the write is committed in memory.</summary>
    public static WriteOptions Default { get; } = new();

    /// <summary>Wait until the write is durable in object storage before returning. Default false.</summary>
    public bool AwaitDurable { get; init; }
}

/// <summary>Which writes a read may see.</summary>
public enum DurabilityLevel
{
    /// <summary>Everything committed, including writes only in memory so far (the default).</summary>
    Memory,

    /// <summary>Only writes already durable in object storage.</summary>
    Remote,
}

/// <summary>Per-read settings (SlateDB's <c>ReadOptions</c>).</summary>
public sealed record ReadOptions
{
    /// <summary>The default settings.</summary>
    public static ReadOptions Default { get; } = new();

    /// <summary>Which writes the read may see. Default <see cref="DurabilityLevel.Memory"/>.</summary>
    public DurabilityLevel DurabilityFilter { get; init; } = DurabilityLevel.Memory;

    /// <summary>Whether to see writes that are not yet committed. Default false.</summary>
    public bool Dirty { get; init; }

    /// <summary>Whether blocks read are kept in the block cache. Default true.</summary>
    public bool CacheBlocks { get; init; } = true;
}

/// <summary>What <see cref="FlushOptions"/> flushes.</summary>
public enum FlushType
{
    /// <summary>Write the WAL buffer to object storage.</summary>
    Wal,

    /// <summary>Freeze the memtable and write it as an L0 SST.</summary>
    MemTable,
}

/// <summary>Settings of an explicit flush.</summary>
public sealed record FlushOptions
{
    /// <summary>What to flush. Default <see cref="FlushType.Wal"/> (a memtable flush when the WAL is disabled).</summary>
    public FlushType FlushType { get; init; } = FlushType.Wal;
}
