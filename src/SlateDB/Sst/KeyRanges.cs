using SlateDB.Manifest;

namespace SlateDB.Sst;

/// <summary>Key comparisons against manifest ranges and sorted runs.</summary>
internal static class KeyRanges
{
    /// <summary>True when <paramref name="key"/> lies inside <paramref name="range"/>.</summary>
    public static bool Contains(BytesRange range, ReadOnlySpan<byte> key)
    {
        if (range.Start.IsBounded)
        {
            var order = key.SequenceCompareTo(range.Start.Key.Span);
            if (order < 0 || (order == 0 && range.Start.Kind == BoundKind.Excluded))
            {
                return false;
            }
        }

        if (range.End.IsBounded)
        {
            var order = key.SequenceCompareTo(range.End.Key.Span);
            if (order > 0 || (order == 0 && range.End.Kind == BoundKind.Excluded))
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>Lookups in sorted runs, whose SSTs cover disjoint key ranges in key order.</summary>
internal static class SortedRuns
{
    /// <summary>The view of <paramref name="run"/> whose key range may hold <paramref name="key"/>; null when none can.</summary>
    public static SsTableView? FindViewForKey(SortedRun run, ReadOnlySpan<byte> key)
    {
        var views = run.Views;
        int lo = 0, hi = views.Count - 1, found = -1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            var first = views[mid].Sst.Info.FirstEntry;
            if (first is null || first.Value.Span.SequenceCompareTo(key) <= 0)
            {
                found = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return found < 0 ? null : views[found];
    }
}
