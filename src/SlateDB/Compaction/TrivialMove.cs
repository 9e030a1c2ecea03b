using SlateDB.Manifest;

namespace SlateDB.Compaction;

/// <summary>
/// Trivial moves (SlateDB's <c>enable_trivial_move</c>): when no two input SSTs of a compaction share a key, the
/// output run is the inputs' SSTs themselves, ordered by key, and nothing is read or written. As in SlateDB, the
/// retention rules are not applied to moved rows (their versions are each the only one of their key in the job, so
/// readers see the same data; expired rows and tombstones stay until a later compaction rewrites them).
/// </summary>
internal static class TrivialMove
{
    /// <summary>
    /// The moved run when every input SST has a known key range (first and last key recorded, no narrower visible
    /// range) and no two ranges overlap; otherwise null.
    /// </summary>
    public static SortedRun? TryOutput(CompactionJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        var views = job.L0Views.Concat(job.SortedRuns.SelectMany(run => run.Views)).ToList();
        if (views.Count == 0)
        {
            return null;
        }

        foreach (var view in views)
        {
            if (view.VisibleRange is not null || view.Sst.Info.FirstEntry is null || view.Sst.Info.LastEntry is null)
            {
                return null;
            }
        }

        views.Sort((left, right) => left.Sst.Info.FirstEntry!.Value.Span.SequenceCompareTo(right.Sst.Info.FirstEntry!.Value.Span));
        for (var i = 1; i < views.Count; i++)
        {
            if (views[i - 1].Sst.Info.LastEntry!.Value.Span.SequenceCompareTo(views[i].Sst.Info.FirstEntry!.Value.Span) >= 0)
            {
                return null;
            }
        }

        return new SortedRun(job.Destination, views);
    }
}
