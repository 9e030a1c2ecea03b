using SlateDB.Manifest;

namespace SlateDB.Compaction;

/// <summary>Conversions and intersections between the manifest's <see cref="BytesRange"/> and scan <see cref="KeyRange"/>s.</summary>
internal static class SubcompactionRanges
{
    /// <summary>The scan range of a stored range.</summary>
    public static KeyRange ToKeyRange(BytesRange range) => KeyRange.Create(
        range.Start.IsBounded ? range.Start.Key : (ReadOnlyMemory<byte>?)null,
        range.Start.Kind != BoundKind.Excluded,
        range.End.IsBounded ? range.End.Key : (ReadOnlyMemory<byte>?)null,
        range.End.Kind == BoundKind.Included);

    /// <summary>The keys in both ranges (possibly an empty range).</summary>
    public static KeyRange Intersect(KeyRange left, KeyRange right)
    {
        var (start, startInclusive) = (left.Start, left.StartInclusive);
        if (right.Start is { } rightStart)
        {
            var order = start is { } leftStart ? rightStart.Span.SequenceCompareTo(leftStart.Span) : 1;
            if (order > 0)
            {
                (start, startInclusive) = (rightStart, right.StartInclusive);
            }
            else if (order == 0)
            {
                startInclusive &= right.StartInclusive;
            }
        }

        var (end, endInclusive) = (left.End, left.EndInclusive);
        if (right.End is { } rightEnd)
        {
            var order = end is { } leftEnd ? rightEnd.Span.SequenceCompareTo(leftEnd.Span) : -1;
            if (order < 0)
            {
                (end, endInclusive) = (rightEnd, right.EndInclusive);
            }
            else if (order == 0)
            {
                endInclusive &= right.EndInclusive;
            }
        }

        return KeyRange.Create(start, start is null || startInclusive, end, endInclusive);
    }
}
