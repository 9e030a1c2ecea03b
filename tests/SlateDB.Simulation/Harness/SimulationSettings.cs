namespace SlateDB.Simulation.Harness;

/// <summary>How long a simulation runs and which extension workloads take part.</summary>
internal sealed record SimulationSettings
{
    public static SimulationSettings Default { get; } = new();

    /// <summary>Harness decisions before the final check.</summary>
    public int Steps { get; init; } = 300;

    /// <summary>Keys the writers share.</summary>
    public int Keys { get; init; } = 24;

    /// <summary>Real-time bound on one settle of the engine (a busy loop in virtual time fails the seed).</summary>
    public TimeSpan SettleTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// Further workloads run beside the built-in actors, each given the harness's seeded choices. The extension
    /// point for the bank-transfer workload under transactions (see docs/reliability.md).
    /// </summary>
    public IReadOnlyList<ISimulationWorkload> Workloads { get; init; } = [];
}

/// <summary>
/// A workload plugged into the simulation: it acts on the current leader when the harness gives it a turn and checks
/// its own invariant at the end (for example: the bank's total is unchanged after transfers under transactions).
/// </summary>
internal interface ISimulationWorkload
{
    string Name { get; }

    /// <summary>One turn on the ready leader; may start asynchronous work (the harness settles the engine after it).</summary>
    void Act(SlateDb leader, Random random, Action<string> trace);

    /// <summary>Checks the workload's invariant on the database recovered at the end; returns a violation or null.</summary>
    Task<string?> CheckAsync(SlateDb recovered);
}
