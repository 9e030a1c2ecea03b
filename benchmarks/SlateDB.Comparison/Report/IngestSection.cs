using System.Globalization;
using System.Text;
using SlateDB.Comparison.Ingest;

namespace SlateDB.Comparison.Report;

/// <summary>The report's section for the opt-in ingest workload: one column per engine and repetition.</summary>
internal static class IngestSection
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static void Append(StringBuilder md, ComparisonResults results)
    {
        // The cells are interpolated strings: render them with the invariant culture.
        var culture = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = Inv;
        try
        {
            AppendInvariant(md, results);
        }
        finally
        {
            CultureInfo.CurrentCulture = culture;
        }
    }

    private static void AppendInvariant(StringBuilder md, ComparisonResults results)
    {
        var runs = results.Runs.Where(r => r.Ingest is not null).OrderBy(r => r.Repetition).ThenBy(r => r.Engine).ToList();
        if (runs.Count == 0)
        {
            return;
        }

        md.AppendLine("## Sustained ingest (opt-in: --ingest-ops)");
        md.AppendLine();
        md.AppendLine(Inv, $"{runs[0].Operations:N0} single puts ({results.Settings.KeySize}-byte keys, {results.Settings.ValueSize}-byte values) by one writer with no durable wait, each engine compacting in the background as it does by default; the rate is over the whole write phase, from the first put to the final WAL flush. Then, without waiting for compaction, the first {runs[0].Ingest!.Reads:N0} gets in the same process (cold). Write amplification is the bytes the process handed to `write()` (`wchar` of /proc/self/io: WAL, flushes, compactions, manifests, logs) during the write phase ÷ key and value bytes put; for ours also the bytes put to the object store. L0 is sampled every {IngestRun.SamplePeriod.TotalMilliseconds:F0} ms.");
        md.AppendLine();
        md.Append("| figure |");
        foreach (var run in runs)
        {
            md.Append(Inv, $" {EngineNames.Short(run.Engine)}{(runs.Count(r => r.Engine == run.Engine) > 1 ? $" #{run.Repetition + 1}" : string.Empty)} |");
        }

        md.AppendLine();
        md.Append("|---|");
        md.AppendLine(string.Concat(runs.Select(_ => "---:|")));
        Row(md, runs, "**puts/s** (whole run)", x => $"**{x.PutsPerSecond:N0}**");
        Row(md, runs, "write phase (s)", x => $"{x.WriteSeconds:F1}");
        Row(md, runs, "puts/s per 10% of the puts (thousands)", x => string.Join(" · ", x.SlicePutsPerSecond.Select(r => (r / 1000).ToString("F0", Inv))));
        Row(md, runs, "CPU µs/put (all threads)", x => $"{x.CpuMicrosPerPut:F2}");
        Row(md, runs, "write amplification (file bytes written ÷ user bytes)", x => $"{(double)x.FileBytesWritten / x.UserBytes:F2}");
        Row(md, runs, "object-store bytes put ÷ user bytes", x => x.StoreBytesWritten is { } b ? $"{(double)b / x.UserBytes:F2}" : "–");
        Row(md, runs, "of which WAL / L0 / compaction output (÷ user bytes)", x => x.Counters is { } c && c.ContainsKey("slatedb.wal.flush.bytes")
            ? $"{Of(c, "slatedb.wal.flush.bytes") / x.UserBytes:F2} / {Of(c, "slatedb.l0.flush.bytes") / x.UserBytes:F2} / {Of(c, "slatedb.compactor.output.bytes") / x.UserBytes:F2}"
            : "–");
        Row(md, runs, "compactions: input MB/s while busy (busy s)", x => x.Counters is { } c && Of(c, "slatedb.compactor.duration") > 0
            ? $"{Of(c, "slatedb.compactor.bytes_compacted") / 1e6 / Of(c, "slatedb.compactor.duration"):F0} ({Of(c, "slatedb.compactor.duration"):F0} s)"
            : "–");
        Row(md, runs, "stall time (s)", x => x.StallSeconds is { } s ? $"{s:F1}" : "–");
        Row(md, runs, "L0 limit (L0MaxSsts)", x => x.L0Limit is { } l ? $"{l}" : "–");
        Row(md, runs, "share of the run with L0 > limit", x => x.L0OverLimitFraction is { } f ? $"{f:P1}" : "–");
        Row(md, runs, "share of the run with L0 = limit (flushes wait)", x => x.L0AtLimitFraction is { } f ? $"{f:P1}" : "–");
        Row(md, runs, "max L0 seen", x => x.MaxL0 is { } m ? $"{m}" : "–");
        Row(md, runs, "final L0 / sorted runs (end of writes)", x => x.FinalL0 is { } l ? $"{l} / {x.FinalSortedRuns}" : "–");
        Row(md, runs, "peak RSS (MiB)", (x, r) => $"{r.PeakRssBytes / 1048576.0:N0}");
        Row(md, runs, "largest managed heap at a sample (MiB)", x => x.MaxManagedBytes is { } m ? $"{m / 1048576.0:N0}" : "–");
        Row(md, runs, "most unflushed bytes at a sample (MiB)", x => x.MaxUnflushedBytes is { } u ? $"{u / 1048576.0:N0}" : "–");
        Row(md, runs, "**readrandom after ingest, cold** (gets/s)", x => $"**{x.ReadOpsPerSecond:N0}**");
        Row(md, runs, "readrandom CPU µs/get", x => $"{x.ReadCpuMicrosPerOp:F2}");
        Row(md, runs, "L0 / sorted runs when the gets started", x => x.ReadL0 is { } l ? $"{l} / {x.ReadSortedRuns}" : "–");
        md.AppendLine();
        md.AppendLine("RocksDB's L0 figures count L0 files and its sorted runs count non-empty levels below L0 (leveled compaction); it has no L0 limit like ours (it slows writers at 20 L0 files and stops them at 36 by default), and its stall time is the \"Cumulative stall\" of its `rocksdb.stats` property. Ours' stall time is the `slatedb.db.backpressure.stall_time` metric.");
        md.AppendLine();
    }

    /// <summary>One line for the console after an ingest run.</summary>
    public static string ConsoleLine(IngestResult x) => string.Create(Inv,
        $"           ingest: {x.PutsPerSecond:N0} puts/s; slices {string.Join(' ', x.SlicePutsPerSecond.Select(r => (r / 1000).ToString("F0", Inv)))}k; WA {(double)x.FileBytesWritten / x.UserBytes:F2} (store {(x.StoreBytesWritten is { } b ? ((double)b / x.UserBytes).ToString("F2", Inv) : "-")}); stall {x.StallSeconds?.ToString("F1", Inv) ?? "-"} s; L0>limit {x.L0OverLimitFraction?.ToString("P1", Inv) ?? "-"}, at limit {x.L0AtLimitFraction?.ToString("P1", Inv) ?? "-"}, max {x.MaxL0?.ToString(Inv) ?? "-"}; final L0/SR {x.FinalL0?.ToString(Inv) ?? "-"}/{x.FinalSortedRuns?.ToString(Inv) ?? "-"}; reads {x.ReadOpsPerSecond:N0}/s {x.ReadCpuMicrosPerOp:F2} µs");

    private static double Of(IReadOnlyDictionary<string, double> counters, string name) => counters.GetValueOrDefault(name);

    private static void Row(StringBuilder md, List<RunResult> runs, string figure, Func<IngestResult, string> cell) =>
        Row(md, runs, figure, (x, _) => cell(x));

    private static void Row(StringBuilder md, List<RunResult> runs, string figure, Func<IngestResult, RunResult, string> cell)
    {
        md.Append(Inv, $"| {figure} |");
        foreach (var run in runs)
        {
            md.Append(' ').Append(cell(run.Ingest!, run)).Append(" |");
        }

        md.AppendLine();
    }
}
