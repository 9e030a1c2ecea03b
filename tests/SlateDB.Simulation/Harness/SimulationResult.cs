namespace SlateDB.Simulation.Harness;

/// <summary>What one seed did.</summary>
/// <param name="Seed">The seed.</param>
/// <param name="Failure">The violations, or null.</param>
/// <param name="TraceHash">SHA-256 of the whole trace.</param>
/// <param name="Trace">Every harness decision, store request with its fate, operation outcome and virtual time.</param>
/// <param name="Stats">The seed's counters.</param>
/// <param name="BucketHash">SHA-256 of every object left in the simulated bucket at the end (its path, then its bytes, in path order).</param>
internal sealed record SimulationResult(int Seed, string? Failure, string TraceHash, IReadOnlyList<string> Trace, SimulationStats Stats, string BucketHash)
{
    public bool Passed => Failure is null;

    /// <summary>The failure, the replay command and the end of the trace.</summary>
    public string Report(int traceLines = 60) =>
        $"seed {Seed} failed: {Failure}{Environment.NewLine}replay: {Simulation.ReplayCommand(Seed)}{Environment.NewLine}"
        + $"last {Math.Min(traceLines, Trace.Count)} trace lines:{Environment.NewLine}{string.Join(Environment.NewLine, Trace.TakeLast(traceLines))}";
}

/// <summary>Counters of one seed (summed by the soak).</summary>
internal sealed class SimulationStats
{
    public long Requests { get; set; }

    public long Faults { get; set; }

    public long LostResponses { get; set; }

    public long InFlightLanded { get; set; }

    public long InFlightDropped { get; set; }

    public long Writes { get; set; }

    public long Acknowledged { get; set; }

    public long Operations { get; set; }

    public long Crashes { get; set; }

    public long Opens { get; set; }

    public TimeSpan VirtualTime { get; set; }

    /// <summary>Bank transfers committed (the bank workload).</summary>
    public long Transfers { get; set; }

    /// <summary>Bank transfer commits that conflicted or failed, nothing applied (each retried up to three attempts).</summary>
    public long TransferAborts { get; set; }

    public override string ToString() =>
        $"{Operations} operations ({Writes} writes, {Acknowledged} acknowledged), {Opens} opens, {Crashes} crashes, {Requests} store requests, "
        + $"{Faults} faults ({LostResponses} lost responses), in-flight writes at crashes {InFlightLanded} landed / {InFlightDropped} dropped, "
        + $"{Transfers} bank transfers ({TransferAborts} aborted commits), {VirtualTime.TotalSeconds:0.#} s virtual";
}
