using System.Globalization;
using System.Text.RegularExpressions;

namespace SlateDB.Comparison;

/// <summary>
/// The durable-write target: SlateDB.Bencher with 64 concurrent writers awaiting durability against an in-memory
/// store with 30 ms injected latency per request; compared with the bound of one WAL PUT per flush interval.
/// </summary>
internal static partial class DurableTarget
{
    public const int Concurrency = 64;
    public const double LatencyMs = 30;
    public const double FlushIntervalMs = 100;

    public static IReadOnlyList<string> Arguments(double seconds) =>
    [
        "--put-share", "1", "--concurrency", Concurrency.ToString(CultureInfo.InvariantCulture), "--await-durable",
        "--latency-ms", LatencyMs.ToString(CultureInfo.InvariantCulture), "--store", "memory",
        "--flush-interval-ms", FlushIntervalMs.ToString(CultureInfo.InvariantCulture),
        "--duration", seconds.ToString(CultureInfo.InvariantCulture),
    ];

    public static async Task<DurableResult> RunAsync(string bencherDll, double seconds, string workingDirectory)
    {
        var output = await ChildProcess.RunAsync("dotnet", [bencherDll, .. Arguments(seconds)], workingDirectory, TimeSpan.FromSeconds(seconds + 120)).ConfigureAwait(false);
        return Parse(output, seconds);
    }

    public static DurableResult Parse(string output, double seconds)
    {
        var latency = DurableLatency().Match(output);
        var puts = StorePuts().Match(output);
        var rate = OpsRate().Match(output);
        if (!latency.Success || !puts.Success || !rate.Success)
        {
            throw new InvalidOperationException($"Could not read the bencher's output:\n{output}");
        }

        double D(Group g) => double.Parse(g.Value.Replace(",", string.Empty, StringComparison.Ordinal), CultureInfo.InvariantCulture);
        return new DurableResult
        {
            Command = "dotnet run -c Release --project benchmarks/SlateDB.Bencher -- " + string.Join(' ', Arguments(seconds)),
            Seconds = seconds,
            WritesPerSecond = D(rate.Groups[1]),
            P50Ms = D(latency.Groups[1]),
            P99Ms = D(latency.Groups[2]),
            MaxMs = D(latency.Groups[4]),
            PutsPerSecond = D(puts.Groups[1]),
        };
    }

    [GeneratedRegex(@"put latency ms \(durable\): p50 ([\d.,]+)\s+p99 ([\d.,]+)\s+p99\.9 ([\d.,]+)\s+max ([\d.,]+)")]
    private static partial Regex DurableLatency();

    [GeneratedRegex(@"object store: ([\d.,]+) PUT/s")]
    private static partial Regex StorePuts();

    [GeneratedRegex(@"ops/s: ([\d.,]+)")]
    private static partial Regex OpsRate();
}

/// <summary>What the durable-write target run measured.</summary>
internal sealed record DurableResult
{
    public required string Command { get; init; }

    public double Seconds { get; init; }

    public double WritesPerSecond { get; init; }

    public double P50Ms { get; init; }

    public double P99Ms { get; init; }

    public double MaxMs { get; init; }

    /// <summary>Object-store PUTs per second during the run: WAL objects only (no memtable flush happens at this rate).</summary>
    public double PutsPerSecond { get; init; }
}
