using System.Diagnostics;
using System.Globalization;
using SlateDB.Simulation.Harness;
using Xunit.Abstractions;

namespace SlateDB.Simulation;

/// <summary>
/// Seeded simulations (see <see cref="Harness.Simulation"/>): writers, flusher, compactors, GC, fencer, readers and
/// crashes over a simulated object store in virtual time. A failing seed prints the command that replays it.
/// </summary>
[Trait("Category", "Simulation")]
public sealed class SimulationTests(ITestOutputHelper output)
{
    /// <summary>Seeds in the default run (SLATEDB_SIM_SEEDS overrides; SLATEDB_SIM_FIRST_SEED moves the window).</summary>
    public static TheoryData<int> Seeds()
    {
        var count = int.TryParse(Environment.GetEnvironmentVariable("SLATEDB_SIM_SEEDS"), CultureInfo.InvariantCulture, out var c) ? c : 200;
        var first = int.TryParse(Environment.GetEnvironmentVariable("SLATEDB_SIM_FIRST_SEED"), CultureInfo.InvariantCulture, out var f) ? f : 1;
        var data = new TheoryData<int>();
        foreach (var seed in Enumerable.Range(first, count))
        {
            data.Add(seed);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task SimulationSeed(int seed)
    {
        var watch = Stopwatch.StartNew();
        var result = await Harness.Simulation.RunAsync(seed);
        output.WriteLine($"seed {seed}: {result.Stats} in {watch.ElapsedMilliseconds} ms; trace {result.TraceHash[..16]}");
        result.Passed.Should().BeTrue(result.Passed ? string.Empty : result.Report());
    }

    /// <summary>
    /// Seeds that found real bugs, kept so the fix stays covered. Each runs with the actors it was found with
    /// (<see cref="SimulationSettings.Classic"/>: no merges, no bank workload), which replays its scenario as long as
    /// the engine's own requests do not change, and with the default actors. The scenario each found is described in
    /// docs/reliability.md.
    /// </summary>
    [Theory]
    [InlineData(30)] // A close racing a fence: the WAL write in flight was cancelled, and the close wrote the next WAL id after the new writer's fence.
    [InlineData(293)] // A slow opener replaying the WAL after newer writers had its objects collected: reported as damage (Data) instead of Fenced.
    [InlineData(6409782)] // A slow opener listing the WAL after the collector ran: a hole against its old manifest reported as Data (soak, fixed in 4f6dc59).
    [InlineData(6411007)] // The same as 6409782, found in the same soak.
    public async Task RegressionSeed(int seed)
    {
        var classic = await Harness.Simulation.RunAsync(seed, SimulationSettings.Classic);
        output.WriteLine($"seed {seed} (classic actors): {classic.Stats}");
        classic.Passed.Should().BeTrue(classic.Passed ? string.Empty : classic.Report());
        var result = await Harness.Simulation.RunAsync(seed);
        output.WriteLine($"seed {seed}: {result.Stats}");
        result.Passed.Should().BeTrue(result.Passed ? string.Empty : result.Report());
    }

    /// <summary>
    /// Replays SLATEDB_SIM_SEED (default 1) and prints its whole trace; SLATEDB_SIM_CLASSIC=1 replays it with the
    /// classic actors (no merges, no bank workload), as the regression seeds found before those joined.
    /// </summary>
    [Fact]
    public async Task SimulationReplay()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("SLATEDB_SIM_SEED"), CultureInfo.InvariantCulture, out var s) ? s : 1;
        var classic = Environment.GetEnvironmentVariable("SLATEDB_SIM_CLASSIC") == "1";
        var result = await Harness.Simulation.RunAsync(seed, classic ? SimulationSettings.Classic : null);
        var file = Path.Combine(Path.GetTempPath(), $"slatedb-sim-{seed}.trace");
        await File.WriteAllLinesAsync(file, result.Trace);
        foreach (var line in result.Trace)
        {
            output.WriteLine(line);
        }

        output.WriteLine($"trace written to {file}");

        output.WriteLine($"seed {seed}: {result.Stats}; trace {result.TraceHash}");
        result.Passed.Should().BeTrue(result.Passed ? string.Empty : result.Report());
    }
}
