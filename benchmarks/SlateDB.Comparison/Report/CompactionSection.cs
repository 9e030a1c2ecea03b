using System.Globalization;
using System.Text;

namespace SlateDB.Comparison.Report;

/// <summary>
/// The report's "Full compaction" section: the compaction workload's rates (rows and MB of input per second), CPU,
/// bytes written and peak memory for each engine that ran it, with ours ÷ RocksDB, and what each engine said it did
/// (so a reader can see that every row was rewritten, not a file moved).
/// </summary>
internal static class CompactionSection
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static void Append(StringBuilder md, ComparisonResults results, IReadOnlyList<Summary> summaries, IReadOnlyList<string> engines)
    {
        var rows = engines.Select(e => summaries.FirstOrDefault(s => s.Engine == e && s.Workload == Workloads.Compaction)).OfType<Summary>().ToList();
        if (rows.Count == 0)
        {
            return;
        }

        var s = results.Settings;
        var ours = rows.FirstOrDefault(x => x.Engine == EngineNames.Ours);
        var rocks = rows.FirstOrDefault(x => x.Engine == EngineNames.RocksDb);
        var ratio = ours is not null && rocks is not null;
        md.AppendLine("## Full compaction");
        md.AppendLine();
        md.AppendLine(Inv, $"A full compaction of fillbatch's database ({rows[0].Operations:N0} rows, after a reopen and a memtable flush), timed until it has committed: rows rewritten per second, and MB (10^6 bytes) of logical input per second, {s.KeySize + s.ValueSize} bytes of key and value per row. \"Written\" is what the process handed to `write()` during it (`wchar` of /proc/self/io), about the database's size when every row was rewritten. ZoneTree and SlateDB 0.12.1 through Node do not run it (see the workload's description). Medians over the repetitions; peak RSS is the largest.{(ratio ? " In the last column, above 1 means we are faster for the rates, and below 1 means we spend less for CPU, bytes and memory." : string.Empty)}");
        md.AppendLine();
        md.Append("| figure |");
        md.Append(string.Concat(rows.Select(x => $" {EngineNames.Short(x.Engine)} |")));
        md.AppendLine(ratio ? " ours ÷ RocksDB |" : string.Empty);
        md.Append("|---|");
        md.Append(string.Concat(rows.Select(_ => "---:|")));
        md.AppendLine(ratio ? "---:|" : string.Empty);
        AppendRow(md, "rows/s", rows, ratio, x => x.MedianOpsPerSecond, v => v.ToString("N0", Inv), bold: true);
        AppendRow(md, "MB/s of input", rows, ratio, x => x.MedianInputMegabytesPerSecond, v => v.ToString("F1", Inv), bold: true);
        AppendRow(md, "CPU µs/row", rows, ratio, x => x.MedianCpuMicrosPerOp, v => v.ToString("F2", Inv), bold: false);
        AppendRow(md, "written (MB)", rows, ratio, x => x.MedianWrittenBytes / 1e6, v => v.ToString("F1", Inv), bold: false);
        AppendRow(md, "peak RSS (MiB)", rows, ratio, x => x.MaxPeakRssBytes / 1048576.0, v => v.ToString("N0", Inv), bold: false);
        md.AppendLine();
        foreach (var engine in rows.Select(x => x.Engine))
        {
            var detail = results.Runs.Where(r => r.Engine == engine && r.Workload == Workloads.Compaction && r.CompactionDetail is not null).OrderBy(r => r.Repetition).FirstOrDefault();
            if (detail is not null)
            {
                md.AppendLine(Inv, $"- {EngineNames.Short(engine)}, repetition {detail.Repetition + 1}: {detail.CompactionDetail}.");
            }
        }

        md.AppendLine();
    }

    /// <summary>One figure per engine, then ours ÷ RocksDB when the table has that column ("–" where a figure is missing).</summary>
    private static void AppendRow(StringBuilder md, string figure, IReadOnlyList<Summary> rows, bool ratio, Func<Summary, double?> value, Func<double, string> format, bool bold)
    {
        md.Append(Inv, $"| {figure} |");
        foreach (var x in rows)
        {
            md.Append(value(x) is { } v ? $" {format(v)} |" : " – |");
        }

        if (ratio)
        {
            var ours = value(rows.First(x => x.Engine == EngineNames.Ours));
            var rocks = value(rows.First(x => x.Engine == EngineNames.RocksDb));
            var mark = bold ? "**" : string.Empty;
            md.Append(ours is { } o && rocks is { } r && r > 0 ? string.Create(Inv, $" {mark}{o / r:F2}×{mark} |") : " – |");
        }

        md.AppendLine();
    }
}
