using System.Globalization;

namespace SlateDB.Comparison;

/// <summary>Command-line settings of the comparison (the parent run) and of one child run.</summary>
internal sealed record ComparisonOptions
{
    public long Operations { get; init; } = 1_000_000;
    public long Reads { get; init; } = 200_000;
    public int BatchSize { get; init; } = 1000;
    public int KeySize { get; init; } = 16;
    public int ValueSize { get; init; } = 100;
    public int Repetitions { get; init; } = 3;

    /// <summary>
    /// Repetitions of the short first passes (<see cref="Workloads.ExtraColdRepetitions"/>: every cold read regime
    /// but readrandom-large, and compaction, with the fillbatch they read); 0 means <see cref="Repetitions"/>. Each
    /// lasts seconds and varies the most between runs on a shared machine, so more of them steady the medians for
    /// little time.
    /// </summary>
    public int ColdRepetitions { get; init; }

    /// <summary>
    /// Repetitions of readrandom-large (<c>--large-reps</c>); 0 means <see cref="Repetitions"/>. Each fills 5,000,000 rows
    /// per engine, so a run that wants a true median there (three) need not repeat every other workload as often.
    /// </summary>
    public int LargeRepetitions { get; init; }

    /// <summary>The repetitions <paramref name="workload"/> runs.</summary>
    public int RepetitionsOf(string workload) =>
        workload == Workloads.ReadLarge && LargeRepetitions > 0 ? LargeRepetitions
        : Workloads.ExtraColdRepetitions(workload, SelectedWorkloads) ? Math.Max(Repetitions, ColdRepetitions) : Repetitions;

    public int Seed { get; init; } = 42;

    public long NodeOperations { get; init; } = 50_000;

    /// <summary>
    /// Rows of SlateDB-through-Node's fillbatch, which readrandom and scan then read; 0 means as many as the .NET
    /// engines (<see cref="Operations"/>): batches cross the binding 1,000 rows at a time, so the full count is affordable.
    /// </summary>
    public long NodeBatchOperations { get; init; }

    /// <summary>The rows SlateDB through Node writes in <paramref name="workload"/> (and reads, for the read workloads).</summary>
    public long NodeRowsFor(string workload) => workload == Workloads.FillRandom
        ? NodeOperations
        : NodeBatchOperations > 0 ? NodeBatchOperations : Operations;
    public long NodeReads { get; init; } = 10_000;
    public int NodeRepetitions { get; init; } = 2;

    public IReadOnlyList<string> Engines { get; init; } = EngineNames.All;
    public IReadOnlyList<string> SelectedWorkloads { get; init; } = Workloads.Default;

    /// <summary>Rows readrandom-large fills and reads (it runs only when <c>--large-ops</c> is given or it is selected).</summary>
    public long LargeOperations { get; init; } = 5_000_000;

    /// <summary>Puts of the ingest workload (it runs only when <c>--ingest-ops</c> is given or it is selected).</summary>
    public long IngestOperations { get; init; } = 10_000_000;

    /// <summary>SlateDB for .NET's <see cref="SlateDbOptions.MemoryBudgetBytes"/>; 0 (the default) runs it at stock settings.</summary>
    public long OursMemoryBudget { get; init; }

    /// <summary>
    /// The <see cref="SlateDbOptions.MemoryBudgetBytes"/> of the engine <see cref="EngineNames.OursBudget"/> (default
    /// 128 MiB); <see cref="OursMemoryBudget"/> does not apply to it.
    /// </summary>
    public long BudgetBytes { get; init; } = 128L * 1024 * 1024;

    /// <summary>Seconds of the durable-write target run (0 skips it).</summary>
    public double DurableSeconds { get; init; } = 10;

    public string? RepoRoot { get; init; }
    public string? WorkDirectory { get; init; }
    public string? ResultsPath { get; init; }
    public string? DocsPath { get; init; }

    /// <summary>Regenerates the report from an existing results file without running anything.</summary>
    public string? ReportOnly { get; init; }

    // A child run: one engine, one workload, one database folder.
    public string? Engine { get; init; }
    public string? Workload { get; init; }
    public string? Directory { get; init; }
    public int Repetition { get; init; }

    public const string Usage = """
        SlateDB.Comparison: the same workloads on SlateDB for .NET, RocksDB, ZoneTree and SlateDB 0.12.1 (Node).
          --ops N            puts per fill (default 1000000)      --reads N     gets in readrandom (default 200000)
          --batch N          rows per batch in fillbatch (1000)   --reps N      repetitions (default 3)
          --cold-reps N      repetitions of the first passes (afterfill, flushed, reopen, scan-cold, compacted), of
                             compaction and of the fillbatch they read, when more than --reps (default: as --reps)
          --node-ops N --node-reads N --node-reps N    smaller counts for SlateDB through Node (50000, 10000, 2);
                             --node-ops is its fillrandom's rows only
          --node-batch-ops N rows of its fillbatch, then read by its readrandom and scan (default: as --ops)
          --engines a,b      ours,ours-budget,rocksdb,zonetree,slatedb-0.12.1 (default all); ours-budget is ours
                             with one MemoryBudgetBytes (--budget-bytes) and runs the fills only; also ours-jit:
                             ours with the ReadyToRun code of SlateDB.dll ignored (JIT only), to compare with the
                             shipped image; also ours-nopgo: ours in a child with DOTNET_TieredPGO=0 (an app's choice)
          --workloads a,b    fillrandom,fillbatch,readrandom-afterfill,readrandom-flushed,readrandom-reopen,
                             scan-cold,readrandom,scan,compaction,readrandom-compacted,readrandom-large,ingest
                             (default all but readrandom-large and ingest); compaction times a full compaction of
                             fillbatch's database (ours and rocksdb only)
          --ours-budget N    ours (and ours-jit) with MemoryBudgetBytes = N (default 0: stock settings, no budget)
          --budget-bytes N   MemoryBudgetBytes of the ours-budget engine (default 134217728, 128 MiB)
          --large-ops N      adds readrandom-large: fills N rows (default 5000000), reopens, first pass of gets
          --large-reps N     repetitions of readrandom-large (default: as --reps)
          --ingest-ops N     adds ingest: N single puts (default 10000000) with the engine's background compaction,
                             L0 sampled every 100 ms, then a cold pass of --reads gets (ours, rocksdb, zonetree)
          --durable-seconds S  length of the durable-write target run (default 10; 0 skips it)
          --results PATH     results JSON (default docs/benchmarks/results.json)
          --docs PATH        report Markdown (default docs/benchmarks.md; charts beside it in benchmarks/)
          --work DIR         folder for the databases (default a new temporary folder)
          --report-only PATH regenerate the report from a results JSON
          --seed N           random seed (default 42)
        Child mode (started by the runner): --engine E --workload W --dir DIR [--rep N]
        """;

    public bool IsChild => Engine is not null;

    public static ComparisonOptions Parse(string[] args)
    {
        var o = new ComparisonOptions();
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            long L() => long.Parse(Next(), CultureInfo.InvariantCulture);
            IReadOnlyList<string> List() => Next().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            o = args[i] switch
            {
                "--ops" => o with { Operations = L() },
                "--reads" => o with { Reads = L() },
                "--batch" => o with { BatchSize = (int)L() },
                "--reps" => o with { Repetitions = (int)L() },
                "--cold-reps" => o with { ColdRepetitions = (int)L() },
                "--large-reps" => o with { LargeRepetitions = (int)L() },
                "--seed" => o with { Seed = (int)L() },
                "--node-ops" => o with { NodeOperations = L() },
                "--node-batch-ops" => o with { NodeBatchOperations = L() },
                "--node-reads" => o with { NodeReads = L() },
                "--node-reps" => o with { NodeRepetitions = (int)L() },
                "--engines" => o with { Engines = List() },
                "--workloads" => o with { SelectedWorkloads = List() },
                "--large-ops" => o with { LargeOperations = L(), SelectedWorkloads = [.. o.SelectedWorkloads.Where(w => w != Workloads.ReadLarge), Workloads.ReadLarge] },
                "--ingest-ops" => o with { IngestOperations = L(), SelectedWorkloads = [.. o.SelectedWorkloads.Where(w => w != Workloads.Ingest), Workloads.Ingest] },
                "--durable-seconds" => o with { DurableSeconds = double.Parse(Next(), CultureInfo.InvariantCulture) },
                "--repo" => o with { RepoRoot = Next() },
                "--work" => o with { WorkDirectory = Next() },
                "--results" => o with { ResultsPath = Next() },
                "--docs" => o with { DocsPath = Next() },
                "--report-only" => o with { ReportOnly = Next() },
                "--ours-budget" => o with { OursMemoryBudget = L() },
                "--budget-bytes" => o with { BudgetBytes = L() },
                "--engine" => o with { Engine = Next() },
                "--workload" => o with { Workload = Next() },
                "--dir" => o with { Directory = Next() },
                "--rep" => o with { Repetition = (int)L() },
                _ => throw new ArgumentException($"Unknown option {args[i]}."),
            };
        }

        if (o.Operations < 1 || o.Reads < 1 || o.BatchSize < 1 || o.Repetitions < 1 || o.ColdRepetitions < 0 || o.LargeRepetitions < 0 || o.KeySize < 16 || o.NodeOperations < 1 || o.LargeOperations < 1 || o.IngestOperations < 10)
        {
            throw new ArgumentException("Counts must be positive.");
        }

        if (o.SelectedWorkloads.Count == 0 || o.Engines.Count == 0)
        {
            throw new ArgumentException("--workloads and --engines need at least one name each.");
        }

        if (o.BudgetBytes < SlateDbOptions.MinMemoryBudgetBytes)
        {
            throw new ArgumentException($"--budget-bytes must be at least {SlateDbOptions.MinMemoryBudgetBytes} (16 MiB).");
        }

        foreach (var engine in o.Engines.Concat(o.Engine is null ? [] : [o.Engine]))
        {
            if (!EngineNames.Known.Contains(engine))
            {
                throw new ArgumentException($"Unknown engine '{engine}'.");
            }
        }

        foreach (var workload in o.SelectedWorkloads.Concat(o.Workload is null ? [] : [o.Workload]))
        {
            if (!Workloads.All.Contains(workload))
            {
                throw new ArgumentException($"Unknown workload '{workload}'.");
            }
        }

        if (o.IsChild && (o.Workload is null || o.Directory is null))
        {
            throw new ArgumentException("A child run needs --engine, --workload and --dir.");
        }

        return o;
    }
}
