namespace SlateDB.Manifest;

/// <summary>How a <see cref="SequenceTracker"/> lookup answers when there is no exact match.</summary>
internal enum SequenceLookup
{
    /// <summary>Take the next larger recorded value.</summary>
    RoundUp,

    /// <summary>Take the next smaller recorded value.</summary>
    RoundDown,
}

/// <summary>
/// Maps sequence numbers to times and back with bounded memory (RFC-0012, Rust <c>SequenceTracker</c>): sorted
/// pairs of (sequence number, Unix seconds), at most one pair per interval (60 s), at most a capacity of pairs
/// (8192); when full it keeps every other pair. Immutable: recording returns a new tracker.
/// </summary>
internal sealed class SequenceTracker : IEquatable<SequenceTracker>
{
    /// <summary>The default capacity.</summary>
    public const int DefaultCapacity = 8192;

    /// <summary>The default recording interval in seconds.</summary>
    public const long DefaultIntervalSeconds = 60;

    private readonly ulong[] _sequenceNumbers;
    private readonly long[] _timestamps;
    private readonly long? _lastRecorded;
    private readonly int _capacity;
    private readonly long _intervalSeconds;

    private SequenceTracker(ulong[] sequenceNumbers, long[] timestamps, long? lastRecorded, int capacity, long intervalSeconds)
    {
        _sequenceNumbers = sequenceNumbers;
        _timestamps = timestamps;
        _lastRecorded = lastRecorded;
        _capacity = capacity;
        _intervalSeconds = intervalSeconds;
    }

    /// <summary>An empty tracker with the default capacity and interval.</summary>
    public static SequenceTracker Empty { get; } = new([], [], null, DefaultCapacity, DefaultIntervalSeconds);

    /// <summary>The number of recorded pairs.</summary>
    public int Count => _sequenceNumbers.Length;

    /// <summary>The recorded sequence numbers, ascending.</summary>
    public IReadOnlyList<ulong> SequenceNumbers => _sequenceNumbers;

    /// <summary>The recorded times in Unix seconds, ascending, paired with <see cref="SequenceNumbers"/>.</summary>
    public IReadOnlyList<long> Timestamps => _timestamps;

    /// <summary>An empty tracker with a custom capacity and interval.</summary>
    public static SequenceTracker Create(int capacity, long intervalSeconds)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(intervalSeconds);
        return new SequenceTracker([], [], null, capacity, intervalSeconds);
    }

    /// <summary>Decodes the RFC-0012 blob (the tracker gets the default capacity and interval).</summary>
    /// <exception cref="FormatException">The bytes are not a version-1 sequence tracker.</exception>
    public static SequenceTracker FromBytes(ReadOnlySpan<byte> bytes)
    {
        var (sequenceNumbers, timestamps) = SequenceTrackerCodec.Decode(bytes);
        return new SequenceTracker(sequenceNumbers, timestamps, null, DefaultCapacity, DefaultIntervalSeconds);
    }

    /// <summary>Encodes the RFC-0012 blob.</summary>
    public byte[] ToBytes() => SequenceTrackerCodec.Encode(_sequenceNumbers, _timestamps);

    /// <summary>
    /// Records that <paramref name="sequenceNumber"/> was reached at <paramref name="time"/> (whole seconds), unless
    /// this tracker recorded a pair less than an interval earlier. Returns the tracker to use from now on.
    /// </summary>
    /// <exception cref="ArgumentException">The pair is older than the last recorded one (pairs must not go back).</exception>
    public SequenceTracker Record(ulong sequenceNumber, DateTimeOffset time)
    {
        var state = new Builder(this);
        return state.Insert(sequenceNumber, time.ToUnixTimeSeconds()) ? state.Build() : this;
    }

    /// <summary>Records each pair of <paramref name="other"/> in turn, with the same interval and capacity rules.</summary>
    /// <exception cref="ArgumentException">A pair of <paramref name="other"/> is older than one already recorded.</exception>
    public SequenceTracker ExtendFrom(SequenceTracker other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.Count == 0)
        {
            return this;
        }

        var state = new Builder(this);
        var changed = false;
        for (var i = 0; i < other.Count; i++)
        {
            changed |= state.Insert(other._sequenceNumbers[i], other._timestamps[i]);
        }

        return changed ? state.Build() : this;
    }

    /// <summary>The time recorded for <paramref name="sequenceNumber"/>, or the nearest one in the given direction.</summary>
    public DateTimeOffset? FindTimestamp(ulong sequenceNumber, SequenceLookup lookup)
    {
        var index = Find(_sequenceNumbers, sequenceNumber, lookup);
        return index < 0 ? null : ToTime(_timestamps[index]);
    }

    /// <summary>The sequence number recorded at <paramref name="time"/>, or the nearest one in the given direction.</summary>
    public ulong? FindSequenceNumber(DateTimeOffset time, SequenceLookup lookup)
    {
        var index = Find(_timestamps, time.ToUnixTimeSeconds(), lookup);
        return index < 0 ? null : _sequenceNumbers[index];
    }

    /// <inheritdoc/>
    public bool Equals(SequenceTracker? other)
        => other is not null
            && _capacity == other._capacity
            && _intervalSeconds == other._intervalSeconds
            && _sequenceNumbers.AsSpan().SequenceEqual(other._sequenceNumbers)
            && _timestamps.AsSpan().SequenceEqual(other._timestamps);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as SequenceTracker);

    /// <inheritdoc/>
    public override int GetHashCode()
        => HashCode.Combine(Count, Count == 0 ? 0UL : _sequenceNumbers[^1], Count == 0 ? 0L : _timestamps[^1]);

    /// <inheritdoc/>
    public override string ToString() => $"SequenceTracker({Count} pairs)";

    private static int Find<T>(T[] sorted, T value, SequenceLookup lookup)
        where T : IComparable<T>
    {
        if (sorted.Length == 0)
        {
            return -1;
        }

        var index = Array.BinarySearch(sorted, value);
        if (index >= 0)
        {
            return index;
        }

        var insertAt = ~index;
        return lookup switch
        {
            SequenceLookup.RoundUp when insertAt < sorted.Length => insertAt,
            SequenceLookup.RoundDown when insertAt > 0 => insertAt - 1,
            _ => -1,
        };
    }

    private static DateTimeOffset? ToTime(long unixSeconds)
    {
        const long MinSeconds = -62_135_596_800;
        const long MaxSeconds = 253_402_300_799;
        return unixSeconds is < MinSeconds or > MaxSeconds ? null : DateTimeOffset.FromUnixTimeSeconds(unixSeconds);
    }

    /// <summary>A mutable copy used to apply one or more insertions.</summary>
    private struct Builder(SequenceTracker source)
    {
        private readonly List<ulong> _sequenceNumbers = [.. source._sequenceNumbers];
        private readonly List<long> _timestamps = [.. source._timestamps];
        private long? _lastRecorded = source._lastRecorded;

        public bool Insert(ulong sequenceNumber, long unixSeconds)
        {
            if (_lastRecorded is { } last && unchecked(unixSeconds - last) < source._intervalSeconds)
            {
                return false;
            }

            if (_sequenceNumbers.Count > 0 && sequenceNumber < _sequenceNumbers[^1])
            {
                throw new ArgumentException($"Sequence numbers must not go back: {sequenceNumber} after {_sequenceNumbers[^1]}.", nameof(sequenceNumber));
            }

            if (_timestamps.Count > 0 && unixSeconds < _timestamps[^1])
            {
                throw new ArgumentException($"Times must not go back: {unixSeconds} s after {_timestamps[^1]} s.", nameof(unixSeconds));
            }

            _sequenceNumbers.Add(sequenceNumber);
            _timestamps.Add(unixSeconds);
            _lastRecorded = unixSeconds;
            if (_sequenceNumbers.Count > source._capacity)
            {
                KeepEveryOther(_sequenceNumbers);
                KeepEveryOther(_timestamps);
            }

            return true;
        }

        public readonly SequenceTracker Build()
            => new([.. _sequenceNumbers], [.. _timestamps], _lastRecorded, source._capacity, source._intervalSeconds);

        private static void KeepEveryOther<T>(List<T> items)
        {
            var kept = 0;
            for (var i = 0; i < items.Count; i += 2)
            {
                items[kept++] = items[i];
            }

            items.RemoveRange(kept, items.Count - kept);
        }
    }
}
