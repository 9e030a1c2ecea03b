using SlateDB.Comparison.Ingest;

namespace SlateDB.Comparison;

/// <summary>
/// The workload names, in the order they run. The fills write; the read regimes each run in their own process:
/// the cold ones time the first pass (nothing read before it), the warm ones time a pass after untimed warm-ups.
/// readrandom-reopen, scan-cold, readrandom (warm), scan (warm), compaction and readrandom-compacted read the database
/// fillbatch wrote (the last two rewrite it, so they run last); readrandom-afterfill, readrandom-flushed and
/// readrandom-large fill a fresh database in the same process first (untimed).
/// </summary>
internal static class Workloads
{
    public const string FillRandom = "fillrandom";
    public const string FillBatch = "fillbatch";
    public const string ReadAfterFill = "readrandom-afterfill";
    public const string ReadFlushed = "readrandom-flushed";
    public const string ReadReopen = "readrandom-reopen";
    public const string ScanCold = "scan-cold";
    public const string ReadRandom = "readrandom";
    public const string Scan = "scan";
    public const string Compaction = "compaction";
    public const string ReadCompacted = "readrandom-compacted";
    public const string ReadLarge = "readrandom-large";
    public const string Ingest = "ingest";

    /// <summary>
    /// Every workload, in run order; <see cref="ReadLarge"/> and <see cref="Ingest"/> run only when asked for (they
    /// fill their own, larger databases). <see cref="Compaction"/> runs before <see cref="ReadCompacted"/>: both
    /// rewrite fillbatch's database, and the compaction must be timed on the database as the fill left it (L0 SSTs),
    /// while readrandom-compacted's timed pass reads a fully compacted database whichever ran first.
    /// </summary>
    public static readonly IReadOnlyList<string> All = [FillRandom, FillBatch, ReadAfterFill, ReadFlushed, ReadReopen, ScanCold, ReadRandom, Scan, Compaction, ReadCompacted, ReadLarge, Ingest];

    /// <summary>The default selection: all but <see cref="ReadLarge"/> and <see cref="Ingest"/>.</summary>
    public static readonly IReadOnlyList<string> Default = [.. All.Where(w => w is not (ReadLarge or Ingest))];

    /// <summary>The workloads SlateDB 0.12.1 through Node runs (tools/slatedb-node/bench.mjs).</summary>
    public static readonly IReadOnlyList<string> Node = [FillRandom, FillBatch, ReadRandom, Scan];

    /// <summary>
    /// The workloads <see cref="EngineNames.OursBudget"/> runs: the fills, whose peak memory the budget is for (its
    /// reads would only repeat ours' with a smaller cache).
    /// </summary>
    public static readonly IReadOnlyList<string> Budget = [FillRandom, FillBatch];

    /// <summary>
    /// Whether <paramref name="engine"/> runs <paramref name="workload"/>. ZoneTree skips <see cref="Compaction"/>: its
    /// full compaction is its merge of every segment, which its preparation for reads has already run, so there is
    /// nothing left to time that compares with a rewrite of the database.
    /// </summary>
    public static bool RunsOn(string engine, string workload) => engine switch
    {
        EngineNames.SlateDbNode => Node.Contains(workload),
        EngineNames.OursBudget => Budget.Contains(workload),
        EngineNames.ZoneTree => workload != Compaction,
        _ => true,
    };

    /// <summary>True for workloads that fill a fresh database in the child before they read it.</summary>
    public static bool FillsInChild(string workload) => workload is ReadAfterFill or ReadFlushed or ReadLarge or Ingest;

    /// <summary>
    /// True for the workloads <c>--cold-reps</c> repeats: the cold passes but readrandom-large (a 5,000,000-row fill
    /// per repetition), compaction (a second or so in a fresh process, as short and as noisy as they are), and
    /// fillbatch when a selected one of them reads its database (each repetition fills afresh).
    /// </summary>
    public static bool ExtraColdRepetitions(string workload, IReadOnlyList<string> selected) =>
        (IsCold(workload) && workload != ReadLarge)
        || workload == Compaction
        || (workload == FillBatch && selected.Any(w => w is ReadReopen or ScanCold or ReadCompacted or Compaction));

    /// <summary>True for the timed first passes (no warm-up): the regimes a restart, a deploy or a large data set meets.</summary>
    public static bool IsCold(string workload) => workload is ReadAfterFill or ReadFlushed or ReadReopen or ScanCold or ReadCompacted or ReadLarge;

    /// <summary>The label of a workload in tables: its name and whether its timed pass is cold or warm.</summary>
    public static string Label(string workload) => workload switch
    {
        FillRandom or FillBatch or Ingest => workload,
        ReadRandom or Scan => $"{workload} (warm)",
        Compaction => "compaction (rows/s)",
        _ => $"{workload} (cold)",
    };

    public static string Describe(string workload, ComparisonOptions o) => workload switch
    {
        FillRandom => $"{o.Operations:N0} puts, {o.KeySize}-byte keys in a fixed permutation, {o.ValueSize}-byte values, one writer, no durable wait; ends with one WAL flush/sync",
        FillBatch => $"{o.Operations:N0} puts in batches of {o.BatchSize:N0}, otherwise as fillrandom",
        ReadAfterFill => $"cold: fills {o.Operations:N0} rows (batches, untimed) in the same process, then times the first pass of {o.Reads:N0} gets at once, no flush and no warm-up (rows still in memtables or wherever the engine moved them while filling)",
        ReadFlushed => $"cold: as readrandom-afterfill, but flushes the memtable to the on-disk format first (untimed), then times the first pass of {o.Reads:N0} gets",
        ReadReopen => $"cold: opens fillbatch's database, flushes it, closes and reopens it (a restart; untimed), then times the first pass of {o.Reads:N0} gets",
        ScanCold => "cold: as readrandom-reopen, then times the first full-range scan (key and value materialized)",
        ReadRandom => $"warm: {o.Reads:N0} gets of present keys (uniform), after a memtable flush and {ChildRun.WarmUpPasses} untimed warm-up passes of as many gets (other keys; one pass for SlateDB 0.12.1 through Node)",
        Scan => $"warm: every key in order (full-range scan, key and value materialized), after {ChildRun.WarmUpPasses} untimed warm-up scans (one for SlateDB 0.12.1 through Node)",
        Compaction => $"opens fillbatch's database (a restart) and flushes its memtable (untimed; the rows are then all in L0: at 1,000,000 rows 2–3 SSTs of ours and 3 files of RocksDB's), then times a full compaction that rewrites every row into one sorted run: ours `CompactFullAsync()` (every L0 SST and sorted run into one run, waiting for its commit), RocksDB `CompactRange` over all keys with `BottommostLevelCompaction.kForceOptimized` (so a database that is a single L0 file is rewritten too, not moved). Rates are rows rewritten per second and MB/s of logical input ({o.KeySize + o.ValueSize} bytes of key and value per row); ZoneTree does not run it (its full compaction is its merge of every segment, which its preparation for reads has already done) nor SlateDB 0.12.1 through Node",
        ReadCompacted => $"cold: opens fillbatch's database, flushes it, runs a full compaction (ours: CompactFullAsync; RocksDB: CompactRange over all keys, bottom level forced as in compaction; ZoneTree: its merge of every segment), closes and reopens (untimed), then times the first pass of {o.Reads:N0} gets",
        ReadLarge => $"cold, opt-in (--large-ops): fills {o.LargeOperations:N0} rows (batches, untimed), flushes, closes and reopens, then times the first pass of {o.Reads:N0} gets over them",
        Ingest => $"opt-in (--ingest-ops): {o.IngestOperations:N0} single puts by one writer (no durable wait; the engine compacts in the background as it does by default), L0 sampled every {IngestRun.SamplePeriod.TotalMilliseconds:F0} ms, one WAL flush at the end; then, without waiting for compaction, the first pass of {o.Reads:N0} gets (cold) in the same process",
        _ => workload,
    };
}
