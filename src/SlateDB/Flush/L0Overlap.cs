using SlateDB.Manifest;

namespace SlateDB.Flush;

/// <summary>
/// The most L0 SST views whose effective ranges (the SST's first to last key, within the view's visible range) cover
/// any one key: the per-key read amplification of L0 that <see cref="SlateDbOptions.L0MaxSstsPerKey"/> bounds
/// (SlateDB v0.15's <c>max_l0_overlap</c>). A sweep over the ranges' bounds, O(n log n).
/// </summary>
internal static class L0Overlap
{
    private static readonly Lock s_lock = new();
    private static IReadOnlyList<SsTableView>? s_last;
    private static int s_lastPeak;

    /// <summary>The peak overlap of <paramref name="l0"/> (0 when empty); the last list's answer is remembered.</summary>
    public static int Max(IReadOnlyList<SsTableView> l0)
    {
        ArgumentNullException.ThrowIfNull(l0);
        lock (s_lock)
        {
            if (ReferenceEquals(l0, s_last))
            {
                return s_lastPeak;
            }
        }

        var peak = Compute(l0);
        lock (s_lock)
        {
            s_last = l0;
            s_lastPeak = peak;
        }

        return peak;
    }

    private static int Compute(IReadOnlyList<SsTableView> l0)
    {
        var events = new List<(Position At, int Delta)>(l0.Count * 2);
        foreach (var view in l0)
        {
            var info = view.Sst.Info;
            var start = info.FirstEntry is { } first ? new Position(0, first, 0) : Position.MinusInfinity;
            var end = info.LastEntry is { } last ? new Position(0, last, 0) : Position.PlusInfinity;
            if (view.VisibleRange is { } visible)
            {
                start = Position.Max(start, StartOf(visible.Start));
                end = Position.Min(end, EndOf(visible.End));
            }

            if (start.CompareTo(end) > 0)
            {
                continue;
            }

            events.Add((start, 1));
            events.Add((end, -1));
        }

        // At one position, ranges starting there count before those ending there (touching inclusive ends overlap).
        events.Sort((a, b) => a.At.CompareTo(b.At) is var order and not 0 ? order : b.Delta.CompareTo(a.Delta));
        int current = 0, peak = 0;
        foreach (var (_, delta) in events)
        {
            current += delta;
            peak = Math.Max(peak, current);
        }

        return peak;
    }

    private static Position StartOf(BytesBound bound) => bound.Kind switch
    {
        BoundKind.Included => new Position(0, bound.Key, 0),
        BoundKind.Excluded => new Position(0, bound.Key, 1),
        _ => Position.MinusInfinity,
    };

    private static Position EndOf(BytesBound bound) => bound.Kind switch
    {
        BoundKind.Included => new Position(0, bound.Key, 0),
        BoundKind.Excluded => new Position(0, bound.Key, -1),
        _ => Position.PlusInfinity,
    };

    /// <summary>A point of the key line: −∞ (sign −1), just before / at / just after a key (offset −1/0/1), +∞ (sign 1).</summary>
    private readonly record struct Position(int Sign, ReadOnlyMemory<byte> Key, int Offset) : IComparable<Position>
    {
        public static Position MinusInfinity => new(-1, ReadOnlyMemory<byte>.Empty, 0);

        public static Position PlusInfinity => new(1, ReadOnlyMemory<byte>.Empty, 0);

        public static Position Max(Position a, Position b) => a.CompareTo(b) >= 0 ? a : b;

        public static Position Min(Position a, Position b) => a.CompareTo(b) <= 0 ? a : b;

        public int CompareTo(Position other)
        {
            if (Sign != other.Sign)
            {
                return Sign.CompareTo(other.Sign);
            }

            if (Sign != 0)
            {
                return 0;
            }

            var order = Key.Span.SequenceCompareTo(other.Key.Span);
            return order != 0 ? order : Offset.CompareTo(other.Offset);
        }
    }
}
