namespace SlateDB;

/// <summary>
/// A range of keys for scans: each end unbounded, or a key included or excluded. Keys compare as unsigned bytes.
/// </summary>
public readonly record struct KeyRange
{
    private KeyRange(ReadOnlyMemory<byte>? start, bool startInclusive, ReadOnlyMemory<byte>? end, bool endInclusive)
    {
        Start = start;
        StartInclusive = startInclusive;
        End = end;
        EndInclusive = endInclusive;
    }

    /// <summary>The lower bound; null when unbounded.</summary>
    public ReadOnlyMemory<byte>? Start { get; }

    /// <summary>Whether <see cref="Start"/> itself is in the range.</summary>
    public bool StartInclusive { get; }

    /// <summary>The upper bound; null when unbounded.</summary>
    public ReadOnlyMemory<byte>? End { get; }

    /// <summary>Whether <see cref="End"/> itself is in the range.</summary>
    public bool EndInclusive { get; }

    /// <summary>Every key.</summary>
    public static KeyRange All => new(null, true, null, false);

    /// <summary>Keys from <paramref name="startInclusive"/> up to, not including, <paramref name="endExclusive"/>.</summary>
    public static KeyRange Between(ReadOnlyMemory<byte> startInclusive, ReadOnlyMemory<byte> endExclusive) => new(startInclusive, true, endExclusive, false);

    /// <summary>Keys from <paramref name="startInclusive"/> up to and including <paramref name="endInclusive"/>.</summary>
    public static KeyRange BetweenInclusive(ReadOnlyMemory<byte> startInclusive, ReadOnlyMemory<byte> endInclusive) => new(startInclusive, true, endInclusive, true);

    /// <summary>Keys at or after <paramref name="startInclusive"/>.</summary>
    public static KeyRange From(ReadOnlyMemory<byte> startInclusive) => new(startInclusive, true, null, false);

    /// <summary>Keys strictly after <paramref name="startExclusive"/>.</summary>
    public static KeyRange After(ReadOnlyMemory<byte> startExclusive) => new(startExclusive, false, null, false);

    /// <summary>Keys before <paramref name="endExclusive"/>.</summary>
    public static KeyRange Before(ReadOnlyMemory<byte> endExclusive) => new(null, true, endExclusive, false);

    /// <summary>Keys at or before <paramref name="endInclusive"/>.</summary>
    public static KeyRange UpTo(ReadOnlyMemory<byte> endInclusive) => new(null, true, endInclusive, true);

    /// <summary>Any combination of bounds; a null key leaves that end unbounded.</summary>
    public static KeyRange Create(ReadOnlyMemory<byte>? start, bool startInclusive, ReadOnlyMemory<byte>? end, bool endInclusive) =>
        new(start, start is not null && startInclusive, end, end is not null && endInclusive);

    /// <summary>The keys that start with <paramref name="prefix"/> (every key for an empty prefix).</summary>
    public static KeyRange Prefix(ReadOnlyMemory<byte> prefix)
    {
        if (prefix.IsEmpty)
        {
            return All;
        }

        // The first key after every key with the prefix: drop trailing 0xFF bytes, then add one to the last byte.
        var span = prefix.Span;
        var last = span.Length - 1;
        while (last >= 0 && span[last] == 0xFF)
        {
            last--;
        }

        if (last < 0)
        {
            return From(prefix);
        }

        var end = span[..(last + 1)].ToArray();
        end[last]++;
        return new KeyRange(prefix, true, end, false);
    }

    /// <summary>True when no key can be in the range.</summary>
    public bool IsEmpty
    {
        get
        {
            if (Start is not { } start || End is not { } end)
            {
                return false;
            }

            var order = start.Span.SequenceCompareTo(end.Span);
            return order > 0 || (order == 0 && !(StartInclusive && EndInclusive));
        }
    }

    /// <summary>True when <paramref name="key"/> is in the range.</summary>
    public bool Contains(ReadOnlySpan<byte> key) => !IsBeforeStart(key) && !IsAfterEnd(key);

    internal bool IsBeforeStart(ReadOnlySpan<byte> key)
    {
        if (Start is not { } start)
        {
            return false;
        }

        var order = key.SequenceCompareTo(start.Span);
        return order < 0 || (order == 0 && !StartInclusive);
    }

    internal bool IsAfterEnd(ReadOnlySpan<byte> key)
    {
        if (End is not { } end)
        {
            return false;
        }

        var order = key.SequenceCompareTo(end.Span);
        return order > 0 || (order == 0 && !EndInclusive);
    }

    internal Memtable.KeyBound StartBound => Start is { } s ? (StartInclusive ? Memtable.KeyBound.Included(s) : Memtable.KeyBound.Excluded(s)) : Memtable.KeyBound.Unbounded;

    internal Memtable.KeyBound EndBound => End is { } e ? (EndInclusive ? Memtable.KeyBound.Included(e) : Memtable.KeyBound.Excluded(e)) : Memtable.KeyBound.Unbounded;

    /// <summary>This range with the start moved to <paramref name="key"/> (inclusive).</summary>
    internal KeyRange WithStart(ReadOnlyMemory<byte> key) => new(key, true, End, EndInclusive);

    /// <summary>This range with the end moved to <paramref name="key"/> (inclusive).</summary>
    internal KeyRange WithEnd(ReadOnlyMemory<byte> key) => new(Start, StartInclusive, key, true);
}
