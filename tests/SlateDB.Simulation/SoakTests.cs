using System.Diagnostics;
using System.Globalization;
using Xunit.Abstractions;

namespace SlateDB.Simulation;

/// <summary>Where the soak's summary lines go: the file SLATEDB_SOAK_REPORT names (scripts/soak.sh reads it), if any.</summary>
internal static class SoakReport
{
    private static readonly Lock Gate = new();

    public static void Append(string line)
    {
        if (Environment.GetEnvironmentVariable("SLATEDB_SOAK_REPORT") is { Length: > 0 } file)
        {
            lock (Gate)
            {
                File.AppendAllText(file, line + Environment.NewLine);
            }
        }
    }
}

/// <summary>
/// Runs simulation seeds for a while (scripts/soak.sh): SLATEDB_SOAK_SECONDS (default 5) of seeds from
/// SLATEDB_SOAK_FIRST_SEED (default 100000), printing totals as a "SOAK-SIM" line and failing at the end when any seed
/// failed (each with its replay command). The seeds run the default actors: merges and the bank workload included.
/// </summary>
[Trait("Category", "Soak")]
public sealed class SoakTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Simulation_seeds_for_a_duration()
    {
        var seconds = int.TryParse(Environment.GetEnvironmentVariable("SLATEDB_SOAK_SECONDS"), CultureInfo.InvariantCulture, out var s) ? s : 5;
        var first = int.TryParse(Environment.GetEnvironmentVariable("SLATEDB_SOAK_FIRST_SEED"), CultureInfo.InvariantCulture, out var f) ? f : 100_000;
        var watch = Stopwatch.StartNew();
        var seed = first;
        long seeds = 0, operations = 0, writes = 0, acknowledged = 0, crashes = 0, opens = 0, requests = 0, faults = 0, lost = 0, landed = 0, dropped = 0, transfers = 0, aborts = 0;
        var failures = new List<string>();
        while (watch.Elapsed < TimeSpan.FromSeconds(seconds))
        {
            var result = await Harness.Simulation.RunAsync(seed);
            seeds++;
            var st = result.Stats;
            operations += st.Operations; writes += st.Writes; acknowledged += st.Acknowledged; crashes += st.Crashes; opens += st.Opens;
            requests += st.Requests; faults += st.Faults; lost += st.LostResponses; landed += st.InFlightLanded; dropped += st.InFlightDropped;
            transfers += st.Transfers; aborts += st.TransferAborts;
            if (!result.Passed)
            {
                failures.Add(result.Report(30));
                output.WriteLine(result.Report(30));
                SoakReport.Append($"SOAK-SIM-FAILURE seed={seed} replay: {Harness.Simulation.ReplayCommand(seed)}");
            }

            seed++;
        }

        var line = $"SOAK-SIM seeds={seeds} first={first} last={seed - 1} failures={failures.Count} operations={operations} writes={writes} acknowledged={acknowledged} "
            + $"crashes={crashes} opens={opens} requests={requests} faults={faults} lost-responses={lost} inflight-landed={landed} inflight-dropped={dropped} "
            + $"transfers={transfers} transfer-aborts={aborts} ms={watch.ElapsedMilliseconds}";
        output.WriteLine(line);
        SoakReport.Append(line);
        seeds.Should().BeGreaterThan(0);
        failures.Should().BeEmpty();
    }
}
