using SlateDB.Manifest;

namespace SlateDB.Iterators;

/// <summary>Clips a scan's range to what an SST view shows (its visible range, for clones and projections).</summary>
internal static class ViewRange
{
    /// <summary>The keys in both <paramref name="range"/> and <paramref name="visible"/> (the range itself when the view shows everything).</summary>
    public static KeyRange Clip(KeyRange range, BytesRange? visible)
    {
        if (visible is null)
        {
            return range;
        }

        var (start, startInclusive) = (range.Start, range.StartInclusive);
        if (visible.Start.IsBounded)
        {
            var viewInclusive = visible.Start.Kind == BoundKind.Included;
            var order = start is { } s ? visible.Start.Key.Span.SequenceCompareTo(s.Span) : 1;
            if (order > 0)
            {
                (start, startInclusive) = (visible.Start.Key, viewInclusive);
            }
            else if (order == 0)
            {
                startInclusive &= viewInclusive;
            }
        }

        var (end, endInclusive) = (range.End, range.EndInclusive);
        if (visible.End.IsBounded)
        {
            var viewInclusive = visible.End.Kind == BoundKind.Included;
            var order = end is { } e ? visible.End.Key.Span.SequenceCompareTo(e.Span) : -1;
            if (order < 0)
            {
                (end, endInclusive) = (visible.End.Key, viewInclusive);
            }
            else if (order == 0)
            {
                endInclusive &= viewInclusive;
            }
        }

        return KeyRange.Create(start, startInclusive, end, endInclusive);
    }
}
