using System.Diagnostics;
using SlateDB.Compaction;
using SlateDB.Format;
using SlateDB.Iterators;
using SlateDB.Manifest;
using SlateDB.Sst;

namespace SlateDB.Benchmarks.Compaction;

/// <summary>
/// Where one compaction's time goes, phase by phase, on the inputs of <see cref="CompactionThroughput"/>: reading and
/// merging the inputs (block reads, decompression, checksums, row decoding, the k-way merge), and building the output
/// SSTs from the merged rows (block encoding, compression, checksums, filter, index) without uploading them. The rest
/// of a full run (retention, upload to the in-memory store) is the difference.
/// </summary>
internal static class CompactionPhases
{
    /// <summary>Seconds spent reading and merging, and building the outputs (best of <paramref name="repeats"/>).</summary>
    public static async Task<(double Merge, double Build)> MeasureAsync(TableStore tables, CompactionJob job, CompactionExecutorSettings settings, int repeats)
    {
        var merge = double.MaxValue;
        var rows = new List<RowEntry>();
        for (var i = 0; i < repeats + 1; i++)
        {
            rows.Clear();
            var watch = Stopwatch.StartNew();
            var fetch = new BlockFetch(settings.ReadAheadBytes, settings.MaxFetchTasks, CacheBlocks: false);
            var sources = new List<IRowIterator>();
            sources.AddRange(job.L0Views.Select(view => ViewRanges.View(tables, view, fetch)));
            using (var merged = new MergeRowIterator(sources, IterationOrder.Ascending))
            {
                while (await merged.MoveNextAsync(CancellationToken.None).ConfigureAwait(false))
                {
                    var row = merged.Current;
                    if (rows.Count == 0 || !rows[^1].Key.Span.SequenceEqual(row.Key.Span))
                    {
                        rows.Add(row);
                    }
                }
            }

            watch.Stop();
            if (i > 0)
            {
                merge = Math.Min(merge, watch.Elapsed.TotalSeconds);
            }
        }

        var build = double.MaxValue;
        var buildSettings = settings.Build ?? CompactionExecutor.InferBuildSettings(job);
        for (var i = 0; i < repeats + 1; i++)
        {
            var watch = Stopwatch.StartNew();
            var builder = new SstBuilder(buildSettings, SstKind.Compacted);
            foreach (var row in rows)
            {
                if (builder.RowCount > 0 && builder.EstimatedSize >= settings.MaxSstSize)
                {
                    builder.Finish();
                    builder = new SstBuilder(buildSettings, SstKind.Compacted);
                }

                builder.Add(row);
            }

            builder.Finish();
            watch.Stop();
            if (i > 0)
            {
                build = Math.Min(build, watch.Elapsed.TotalSeconds);
            }
        }

        return (merge, build);
    }
}
