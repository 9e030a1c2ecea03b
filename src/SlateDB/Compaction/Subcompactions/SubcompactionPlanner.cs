using SlateDB.Manifest;
using SlateDB.Sst;

namespace SlateDB.Compaction;

/// <summary>
/// Splits a compaction into key ranges of about equal input size (SlateDB RFC-0028's boundary heuristic): anchors are
/// sampled from the input SSTs' indexes (block separator keys with the bytes up to the next anchor), and a range ends
/// at the anchor that takes its running total past the target, which is the input size divided by the maximum number
/// of ranges but never less than the largest input SST (so outputs are not fragmented below the inputs' size).
/// </summary>
internal static class SubcompactionPlanner
{
    /// <summary>Anchors sampled per SST at most.</summary>
    private const int MaxAnchorsPerSst = 128;

    /// <summary>
    /// The ranges, in key order, covering the whole key space: one unbounded range when <paramref name="maxRanges"/>
    /// is 1 or less, or when no split is worth making.
    /// </summary>
    public static async Task<IReadOnlyList<BytesRange>> PlanAsync(TableStore tables, CompactionJob job, int maxRanges, CancellationToken cancellationToken)
    {
        if (maxRanges <= 1)
        {
            return [BytesRange.All];
        }

        var views = job.L0Views.Concat(job.SortedRuns.SelectMany(run => run.Views)).ToList();
        if (views.Count == 0)
        {
            return [BytesRange.All];
        }

        var minRangeBytes = views.Max(view => (long)view.Sst.EstimatedSize);
        var anchors = new List<(ReadOnlyMemory<byte> Key, long Bytes)>();
        foreach (var view in views)
        {
            var sst = await tables.OpenAsync(view.Sst, cancellationToken).ConfigureAwait(false);
            Sample(sst, ViewRanges.Of(view), anchors);
        }

        return Select(anchors, maxRanges, minRangeBytes);
    }

    /// <summary>The boundary sweep over the anchors (any order); pure, for tests.</summary>
    internal static IReadOnlyList<BytesRange> Select(List<(ReadOnlyMemory<byte> Key, long Bytes)> anchors, int maxRanges, long minRangeBytes)
    {
        var total = anchors.Sum(anchor => anchor.Bytes);
        var target = Math.Max(total / Math.Max(1, maxRanges), minRangeBytes);
        if (maxRanges <= 1 || anchors.Count == 0 || target <= 0 || target >= total)
        {
            return [BytesRange.All];
        }

        anchors.Sort((left, right) => left.Key.Span.SequenceCompareTo(right.Key.Span));
        var first = anchors[0].Key;
        var boundaries = new List<ReadOnlyMemory<byte>>();
        var threshold = target;
        long cumulative = 0;
        foreach (var (key, bytes) in anchors)
        {
            var previous = boundaries.Count > 0 ? boundaries[^1] : first;
            if (cumulative >= threshold && boundaries.Count < maxRanges - 1 && key.Span.SequenceCompareTo(previous.Span) > 0)
            {
                boundaries.Add(key);
                threshold += target;
            }

            cumulative += bytes;
        }

        if (boundaries.Count == 0)
        {
            return [BytesRange.All];
        }

        var ranges = new List<BytesRange>(boundaries.Count + 1);
        var start = BytesBound.Unbounded;
        foreach (var boundary in boundaries)
        {
            ranges.Add(new BytesRange(start, BytesBound.Excluded(boundary)));
            start = BytesBound.Included(boundary);
        }

        ranges.Add(new BytesRange(start, BytesBound.Unbounded));
        return ranges;
    }

    /// <summary>
    /// Adds up to <see cref="MaxAnchorsPerSst"/> anchors of one SST: groups of consecutive blocks, each anchored at its
    /// first block's separator key, with the data bytes of the group. Anchors outside the view's range are skipped.
    /// </summary>
    private static void Sample(SstFile sst, KeyRange visible, List<(ReadOnlyMemory<byte> Key, long Bytes)> anchors)
    {
        var blocks = sst.Index.Blocks;
        if (blocks.Count == 0)
        {
            return;
        }

        var perAnchor = (blocks.Count + MaxAnchorsPerSst - 1) / MaxAnchorsPerSst;
        for (var first = 0; first < blocks.Count; first += perAnchor)
        {
            var last = Math.Min(blocks.Count, first + perAnchor);
            var end = last < blocks.Count ? (long)blocks[last].Offset : (long)sst.DataEnd;
            var key = blocks[first].FirstKey;
            if (!key.IsEmpty && visible.Contains(key.Span))
            {
                anchors.Add((key, Math.Max(0, end - (long)blocks[first].Offset)));
            }
        }
    }
}
