namespace SlateDB.Comparison;

/// <summary>Everything one comparison run measured: the results file the report is generated from.</summary>
internal sealed record ComparisonResults
{
    public required DateTimeOffset GeneratedAt { get; init; }

    public required MachineInfo Machine { get; init; }

    public required RunSettings Settings { get; init; }

    public required List<RunResult> Runs { get; init; }

    public DurableResult? Durable { get; set; }

    public double TotalSeconds { get; set; }
}

/// <summary>The counts a run used.</summary>
internal sealed record RunSettings
{
    public long Operations { get; init; }

    public long Reads { get; init; }

    public int BatchSize { get; init; }

    public int KeySize { get; init; }

    public int ValueSize { get; init; }

    public int Repetitions { get; init; }

    /// <summary>Repetitions of the short first passes and their fillbatch (<c>--cold-reps</c>); 0 when as <see cref="Repetitions"/>.</summary>
    public int ColdRepetitions { get; init; }

    /// <summary>Repetitions of readrandom-large (<c>--large-reps</c>); 0 when as <see cref="Repetitions"/>.</summary>
    public int LargeRepetitions { get; init; }

    public long NodeOperations { get; init; }

    /// <summary>Rows of SlateDB-through-Node's fillbatch database (0 in results written before it was recorded).</summary>
    public long NodeBatchOperations { get; init; }

    public long NodeReads { get; init; }

    public int NodeRepetitions { get; init; }

    public int Seed { get; init; }

    public required IReadOnlyList<string> Engines { get; init; }

    public required IReadOnlyList<string> Workloads { get; init; }

    public static RunSettings From(ComparisonOptions o, IReadOnlyList<string> engines) => new()
    {
        Operations = o.Operations,
        Reads = o.Reads,
        BatchSize = o.BatchSize,
        KeySize = o.KeySize,
        ValueSize = o.ValueSize,
        Repetitions = o.Repetitions,
        ColdRepetitions = o.ColdRepetitions > o.Repetitions ? o.ColdRepetitions : 0,
        LargeRepetitions = o.LargeRepetitions > 0 && o.LargeRepetitions != o.Repetitions ? o.LargeRepetitions : 0,
        NodeOperations = o.NodeOperations,
        NodeBatchOperations = o.NodeRowsFor(SlateDB.Comparison.Workloads.FillBatch),
        NodeReads = o.NodeReads,
        NodeRepetitions = o.NodeRepetitions,
        Seed = o.Seed,
        Engines = engines,
        Workloads = o.SelectedWorkloads,
    };
}
