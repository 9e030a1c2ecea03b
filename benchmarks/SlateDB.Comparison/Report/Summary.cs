namespace SlateDB.Comparison.Report;

/// <summary>The repetitions of one engine on one workload, reduced to medians (min and max for the spread).</summary>
internal sealed record Summary(
    string Engine,
    string Workload,
    int Runs,
    long Operations,
    double MedianOpsPerSecond,
    double MinOpsPerSecond,
    double MaxOpsPerSecond,
    long MaxPeakRssBytes,
    double MedianCpuMicrosPerOp,
    double? MedianAllocatedBytesPerOp,
    double? MedianJitMicrosPerOp = null,
    double? MedianInputMegabytesPerSecond = null,
    double? MedianWrittenBytes = null,
    long? MemoryBudgetBytes = null)
{
    public static IReadOnlyList<Summary> Of(IEnumerable<RunResult> runs) =>
        runs.GroupBy(r => (r.Engine, r.Workload))
            .Select(g => new Summary(
                g.Key.Engine,
                g.Key.Workload,
                g.Count(),
                g.First().Operations,
                Median(g.Select(r => r.OpsPerSecond)),
                g.Min(r => r.OpsPerSecond),
                g.Max(r => r.OpsPerSecond),
                g.Max(r => r.PeakRssBytes),
                Median(g.Select(r => r.CpuMicrosPerOp)),
                g.All(r => r.AllocatedBytesPerOp is not null) ? Median(g.Select(r => r.AllocatedBytesPerOp!.Value)) : null,
                g.All(r => r.JitMicrosPerOp is not null) ? Median(g.Select(r => r.JitMicrosPerOp!.Value)) : null,
                g.All(r => r.InputMegabytesPerSecond is not null) ? Median(g.Select(r => r.InputMegabytesPerSecond!.Value)) : null,
                g.All(r => r.WrittenBytes is not null) ? Median(g.Select(r => (double)r.WrittenBytes!.Value)) : null,
                g.Select(r => r.MemoryBudgetBytes).FirstOrDefault(b => b is not null)))
            .ToList();

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0)
        {
            return double.NaN;
        }

        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
