using SlateDB.Simulation.Workloads;

namespace SlateDB.Simulation.Harness;

/// <summary>How long a simulation runs, whether the writers merge, and which extension workloads take part.</summary>
internal sealed record SimulationSettings
{
    /// <summary>The default run: merges in the writers and the bank-transfer workload under transactions.</summary>
    public static SimulationSettings Default { get; } = new();

    /// <summary>
    /// The actors as they were before merges and the bank workload joined (the seeds that found the bugs in
    /// docs/reliability.md were found with these, and replay their scenarios with them).
    /// </summary>
    public static SimulationSettings Classic { get; } = new() { Merges = false, Workloads = [] };

    /// <summary>Harness decisions before the final check.</summary>
    public int Steps { get; init; } = 300;

    /// <summary>Keys the writers share.</summary>
    public int Keys { get; init; } = 24;

    /// <summary>Whether the writers also merge (an append operator; single merges and merges in batches).</summary>
    public bool Merges { get; init; } = true;

    /// <summary>Real-time bound on one settle of the engine (a busy loop in virtual time fails the seed).</summary>
    public TimeSpan SettleTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// Further workloads run beside the built-in actors (a new instance of each per run), each given the harness's
    /// seeded choices: by default the bank-transfer workload under transactions (<see cref="BankWorkload"/>).
    /// </summary>
    public IReadOnlyList<Func<ISimulationWorkload>> Workloads { get; init; } = [() => new BankWorkload()];
}

/// <summary>
/// A workload plugged into the simulation. It owns the keys under <see cref="KeyPrefix"/> (the harness's model of
/// the plain writes leaves them out), acts on the current leader when the harness gives it a turn, and checks its
/// own invariants on every read the harness makes (scans, snapshot scans), on every writer's recovery and at the end.
/// </summary>
internal interface ISimulationWorkload
{
    string Name { get; }

    /// <summary>The keys it owns: every key starting with this prefix.</summary>
    string KeyPrefix { get; }

    /// <summary>
    /// One turn on the ready leader: draws every choice from <see cref="WorkloadTurn.Random"/> here, on the harness
    /// thread, and starts asynchronous work through <see cref="WorkloadTurn.Track"/> (the harness settles the engine
    /// after it and reports each outcome in the trace).
    /// </summary>
    void Act(WorkloadTurn turn);

    /// <summary>The workload's rows as one read saw them at one sequence (a scan or a snapshot scan): a violation or null.</summary>
    string? CheckRead(IReadOnlyDictionary<string, string> rows);

    /// <summary>
    /// The workload's rows a writer's recovery scan saw (the database as the new writer <paramref name="writer"/>
    /// recovered it): a violation or null. Decides what each older writer's unacknowledged work became.
    /// </summary>
    string? CheckRecovery(IReadOnlyDictionary<string, string> rows, int writer);

    /// <summary>Checks the workload's invariant on the database recovered at the end (after its recovery check); returns a violation or null.</summary>
    Task<string?> CheckAsync(SlateDb recovered);

    /// <summary>Adds the run's counts to the seed's figures.</summary>
    void AddTo(SimulationStats stats);
}

/// <summary>What a workload gets for one turn on the leader.</summary>
/// <param name="Db">The leader.</param>
/// <param name="Writer">The leader's simulated process id.</param>
/// <param name="Fenced">Whether the leader has been fenced by now (a newer writer opened): read when work commits.</param>
/// <param name="Random">The harness's seeded random; only on the harness thread, within <see cref="ISimulationWorkload.Act"/>.</param>
/// <param name="Trace">Adds a line to the trace (harness thread only).</param>
/// <param name="Track">Tracks a task: its outcome string is traced when it completes; a failure simulated faults cannot explain is a violation.</param>
internal sealed record WorkloadTurn(
    SlateDb Db,
    int Writer,
    Func<bool> Fenced,
    Random Random,
    Action<string> Trace,
    Action<Task<string>, string> Track);
