namespace SlateDB.Common;

/// <summary>
/// Mints ULIDs and UUIDs from an injected clock and a seeded random source, so runs are reproducible (SlateDB's
/// <c>IdGenerator</c> over <c>DbRand</c>). ULIDs from one generator strictly increase: within one millisecond (or if
/// the clock steps back) the previous ULID's random part is incremented instead of drawing a new one. Thread-safe.
/// </summary>
internal sealed class IdGenerator
{
    private readonly TimeProvider _time;
    private readonly Random _random;
    private readonly Lock _lock = new();
    private Ulid _last;
    private bool _hasLast;

    /// <summary>Creates a generator over a clock and a random source it will own from now on.</summary>
    public IdGenerator(TimeProvider time, Random random)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(random);
        _time = time;
        _random = random;
    }

    /// <summary>Creates a generator over a clock and a random source seeded with <paramref name="seed"/>.</summary>
    public IdGenerator(TimeProvider time, int seed)
        : this(time, new Random(seed))
    {
    }

    /// <summary>A new ULID stamped with the current time in milliseconds.</summary>
    public Ulid NewUlid()
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var nowMs = now < 0 ? 0UL : Math.Min((ulong)now, Ulid.MaxTimestampMs);
        lock (_lock)
        {
            Ulid next;
            if (_hasLast && nowMs <= _last.TimestampMs)
            {
                next = Increment(_last);
            }
            else
            {
                Span<byte> random = stackalloc byte[10];
                _random.NextBytes(random);
                var randomHigh = (ushort)((random[0] << 8) | random[1]);
                var randomLow = System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(random[2..]);
                next = Ulid.FromParts(nowMs, randomHigh, randomLow);
            }

            _last = next;
            _hasLast = true;
            return next;
        }
    }

    /// <summary>A new random (version 4, RFC 4122 variant) UUID.</summary>
    public Guid NewUuid()
    {
        Span<byte> bytes = stackalloc byte[16];
        lock (_lock)
        {
            _random.NextBytes(bytes);
        }

        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true);
    }

    private static Ulid Increment(Ulid last)
    {
        // Add one to the 80-bit random part; on overflow carry into the timestamp (the next millisecond).
        var low = last.Low + 1;
        var high = low == 0 ? last.High + 1 : last.High;
        return new Ulid(high, low);
    }
}
