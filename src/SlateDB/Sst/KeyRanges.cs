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

/// <summary>
/// Lookups in sorted runs, whose SSTs cover key ranges in key order. Adjacent SSTs may share one boundary key (a
/// compaction can cut its output between two versions of a key): the newer versions then end the earlier SST.
/// </summary>
internal static class SortedRuns
{
    /// <summary>The view of <paramref name="run"/> whose key range starts last at or before <paramref name="key"/>; null when none can hold it.</summary>
    public static SsTableView? FindViewForKey(SortedRun run, ReadOnlySpan<byte> key)
    {
        var index = LastViewStartingAtOrBefore(run, key);
        return index < 0 ? null : run.Views[index];
    }

    /// <summary>
    /// The views that may hold <paramref name="key"/>, as an index range (empty when Last &lt; First): the last one
    /// starting at or before it, and the ones before that end with it. Versions of the key are newest in the first.
    /// </summary>
    public static (int First, int Last) ViewsForKey(SortedRun run, ReadOnlySpan<byte> key)
    {
        var last = LastViewStartingAtOrBefore(run, key);
        var first = last;
        while (first > 0 && MayEndWith(run.Views[first - 1], key))
        {
            first--;
        }

        return (Math.Max(first, 0), last);
    }

    /// <summary>The index of the last view whose effective start key is at or below <paramref name="key"/>; -1 when none.</summary>
    public static int LastViewStartingAtOrBefore(SortedRun run, ReadOnlySpan<byte> key)
    {
        var views = run.Views;
        int lo = 0, hi = views.Count - 1, found = -1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            if (EffectiveStart(views[mid]).SequenceCompareTo(key) <= 0)
            {
                found = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return found;
    }

    /// <summary>Where a view's keys start: its visible range's start when bounded, otherwise its SST's first key.</summary>
    private static ReadOnlySpan<byte> EffectiveStart(SsTableView view) =>
        view.VisibleRange is { Start.IsBounded: true } visible ? visible.Start.Key.Span : view.Sst.Info.FirstEntry is { } first ? first.Span : [];

    /// <summary>True when <paramref name="view"/> may hold <paramref name="key"/> as (or after) its last key.</summary>
    private static bool MayEndWith(SsTableView view, ReadOnlySpan<byte> key)
    {
        if (view.Sst.Info.LastEntry is { } last && last.Span.SequenceCompareTo(key) < 0)
        {
            return false;
        }

        return view.VisibleRange is not { } visible || KeyRanges.Contains(visible, key);
    }
}
