using System.Globalization;
using System.Text;

namespace SlateDB.Comparison.Report;

/// <summary>
/// The report's "Fill memory under one budget" section: the fills' peak resident memory of ours at stock settings,
/// ours under one <c>MemoryBudgetBytes</c> (<see cref="EngineNames.OursBudget"/>) and RocksDB, against the issue's
/// target (budgeted peak within <see cref="Target"/> RocksDB's), with the puts per second each paid for it.
/// </summary>
internal static class BudgetSection
{
    /// <summary>The target: peak RSS during fills within 1.5x RocksDB's (at 1M rows), memtables and caches under one budget.</summary>
    public const double Target = 1.5;

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static void Append(StringBuilder md, ComparisonResults results, IReadOnlyList<Summary> summaries)
    {
        Summary? Find(string engine, string workload) => summaries.FirstOrDefault(x => x.Engine == engine && x.Workload == workload);
        var fills = Workloads.Budget.Where(w => Find(EngineNames.OursBudget, w) is not null).ToList();
        if (fills.Count == 0)
        {
            return;
        }

        var budgets = fills.Select(w => Find(EngineNames.OursBudget, w)!.MemoryBudgetBytes).OfType<long>().Distinct().ToList();
        var budget = budgets.Count == 0 ? "the budget" : string.Join(" and ", budgets.Select(b => string.Create(Inv, $"{b / 1048576.0:N0} MiB ({b:N0} bytes)")));
        md.AppendLine("## Fill memory under one budget");
        md.AppendLine();
        var oursBudget = fills.Select(w => Find(EngineNames.Ours, w)?.MemoryBudgetBytes).OfType<long>().FirstOrDefault();
        var oursSettings = oursBudget > 0
            ? string.Create(Inv, $"runs with `MemoryBudgetBytes` = {oursBudget:N0} bytes in this run (`--ours-budget`)")
            : "runs SlateDB's stock settings (512 MiB data block cache plus 128 MiB for metadata, up to 1 GiB of unflushed writes)";
        md.AppendLine(Inv, $"The target: peak resident memory during fills within **{Target:F1}x RocksDB's** at 1,000,000 rows (this run: {results.Settings.Operations:N0}), with the memtables and caches counted against one configurable memory budget. \"ours\" {oursSettings}; \"ours (budget)\" is the same engine opened with `SlateDbOptions.MemoryBudgetBytes` = {budget}, which bounds its memtables, block cache and compaction buffers (see its engine settings below and docs/memory-budget.md). Peak RSS is the child process's `VmHWM`, the largest over the repetitions; puts/s are medians.");
        md.AppendLine();
        md.AppendLine(Inv, $"| workload | ours peak RSS (MiB) | ours (budget) peak RSS (MiB) | RocksDB peak RSS (MiB) | ours (budget) ÷ RocksDB (target ≤ {Target:F1}x) | ours puts/s | ours (budget) puts/s | RocksDB puts/s |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var workload in fills)
        {
            var ours = Find(EngineNames.Ours, workload);
            var budgeted = Find(EngineNames.OursBudget, workload)!;
            var rocks = Find(EngineNames.RocksDb, workload);
            var ratio = rocks is null ? " – " : Ratio(budgeted.MaxPeakRssBytes / (double)rocks.MaxPeakRssBytes);
            md.AppendLine(Inv, $"| {Workloads.Label(workload)} | {Mib(ours)} | {Mib(budgeted)} | {Mib(rocks)} |{ratio}| {Rate(ours)} | {Rate(budgeted)} | {Rate(rocks)} |");
        }

        md.AppendLine();
    }

    private static string Ratio(double ratio) => string.Create(Inv, $" **{ratio:F2}×** ({(ratio <= Target ? "within" : "above")}) ");

    private static string Mib(Summary? x) => x is null ? "–" : string.Create(Inv, $"{x.MaxPeakRssBytes / 1048576.0:N0}");

    private static string Rate(Summary? x) => x is null ? "–" : string.Create(Inv, $"{x.MedianOpsPerSecond:N0}");
}
