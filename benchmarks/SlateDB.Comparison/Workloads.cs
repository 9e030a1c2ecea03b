namespace SlateDB.Comparison;

/// <summary>The workload names, in the order they run (readrandom and scan reopen the database fillbatch wrote).</summary>
internal static class Workloads
{
    public const string FillRandom = "fillrandom";
    public const string FillBatch = "fillbatch";
    public const string ReadRandom = "readrandom";
    public const string Scan = "scan";

    public static readonly IReadOnlyList<string> All = [FillRandom, FillBatch, ReadRandom, Scan];

    public static string Describe(string workload, ComparisonOptions o) => workload switch
    {
        FillRandom => $"{o.Operations:N0} puts, {o.KeySize}-byte keys in a fixed permutation, {o.ValueSize}-byte values, one writer, no durable wait; ends with one WAL flush/sync",
        FillBatch => $"{o.Operations:N0} puts in batches of {o.BatchSize:N0}, otherwise as fillrandom",
        ReadRandom => $"{o.Reads:N0} gets of present keys (uniform), after a memtable flush and {ChildRun.WarmUpPasses} untimed warm-up passes of as many gets (other keys; one pass for SlateDB 0.12.1 through Node)",
        Scan => $"every key in order (full-range scan, key and value materialized), after {ChildRun.WarmUpPasses} untimed warm-up scans (one for SlateDB 0.12.1 through Node)",
        _ => workload,
    };
}
