using System.Diagnostics;
using System.Globalization;
using SlateDB.Bencher;
using SlateDB.TransactionBench;

// The transaction contention benchmark: SlateDB.NET next to ZoneTree's transactional tree, engines alternating in one
// run, each on its own fresh directory. Usage:
//   dotnet run -c Release --project benchmarks/SlateDB.TransactionBench -- [--seconds 10] [--rounds 3] [--clients 16]
//     [--keys 10000] [--reads 5] [--writes 5] [--value 1024] [--serializable] [--seed 1] [--dir /tmp/txnbench]
//     [--only ours|zonetree] [--plain (ours: reads + a write batch, no transaction)]
var settings = new Dictionary<string, string>(StringComparer.Ordinal);
var serializable = false;
var plain = false;
for (var i = 0; i < args.Length; i++)
{
    if (args[i] == "--serializable")
    {
        serializable = true;
    }
    else if (args[i] == "--plain")
    {
        plain = true;
    }
    else if (args[i].StartsWith("--", StringComparison.Ordinal) && i + 1 < args.Length)
    {
        settings[args[i][2..]] = args[++i];
    }
    else
    {
        Console.Error.WriteLine($"Unknown argument '{args[i]}'.");
        return 2;
    }
}

int Int(string name, int fallback) => settings.TryGetValue(name, out var text) ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;
var workload = new ContentionWorkload(
    Int("clients", 16), Int("keys", 10_000), Int("reads", 5), Int("writes", 5), Int("value", 1024),
    TimeSpan.FromSeconds(Int("seconds", 10)), serializable, Int("seed", 1)) { PlainBatches = plain };
var rounds = Int("rounds", 3);
var root = settings.GetValueOrDefault("dir") ?? Path.Combine(Path.GetTempPath(), $"slatedb-txnbench-{Environment.ProcessId}");
Console.WriteLine($"transaction contention: {workload.Clients} clients, {workload.Keys:N0} hot keys, {workload.Reads} reads + {workload.Writes} updates per transaction, value {workload.ValueSize} B, {(serializable ? "serializable" : "snapshot")} isolation, {workload.Duration.TotalSeconds:F0} s per engine per round, {rounds} rounds, {Environment.ProcessorCount} cores");

// Warm-up (not measured): both engines run briefly once, so neither pays the JIT in the first round.
foreach (var name in new[] { "ours", "zonetree" }.Where(engine => !settings.TryGetValue("only", out var only) || only == engine))
{
    var directory = Path.Combine(root, $"{name}-warmup");
    await using ITransactionEngine engine = name == "ours" ? await OursEngine.OpenAsync(directory) : ZoneTreeEngine.Open(directory);
    await RunAsync(engine, workload with { Duration = TimeSpan.FromSeconds(2) });
}

var results = new List<ContentionResult>();
for (var round = 0; round < rounds; round++)
{
    // Alternate which engine goes first, so neither always runs on the warmer machine.
    var order = round % 2 == 0 ? new[] { "ours", "zonetree" } : new[] { "zonetree", "ours" };
    foreach (var name in order.Where(engine => !settings.TryGetValue("only", out var only) || only == engine))
    {
        var directory = Path.Combine(root, $"{name}-{round}");
        await using ITransactionEngine engine = name == "ours" ? await OursEngine.OpenAsync(directory) : ZoneTreeEngine.Open(directory);
        var result = await RunAsync(engine, workload with { Seed = workload.Seed + round });
        results.Add(result);
        Console.WriteLine($"round {round + 1} {result.Engine,-12} {result.CommitsPerSecond,10:N0} commits/s  conflicts {result.ConflictRate,6:P1}  commit p50 {result.CommitP50Ms:F3} ms  p99 {result.CommitP99Ms:F3} ms  cpu {result.CpuMicrosPerCommit:F0} us/commit");
    }
}

Console.WriteLine();
Console.WriteLine("median over rounds:");
foreach (var group in results.GroupBy(r => r.Engine))
{
    var sorted = group.OrderBy(r => r.CommitsPerSecond).ToList();
    var median = sorted[sorted.Count / 2];
    Console.WriteLine($"{group.Key,-12} {median.CommitsPerSecond,10:N0} commits/s  conflicts {median.ConflictRate,6:P1}  commit p50 {median.CommitP50Ms:F3} ms  p99 {median.CommitP99Ms:F3} ms  cpu {median.CpuMicrosPerCommit:F0} us/commit");
}

if (settings.ContainsKey("only"))
{
    return 0;
}

var ours = results.Where(r => r.Engine == "SlateDB.NET").Select(r => r.CommitsPerSecond).Order().ToList();
var theirs = results.Where(r => r.Engine == "ZoneTree").Select(r => r.CommitsPerSecond).Order().ToList();
Console.WriteLine($"ratio SlateDB.NET / ZoneTree (medians): {ours[ours.Count / 2] / theirs[theirs.Count / 2]:F2}x");
return 0;

static async Task<ContentionResult> RunAsync(ITransactionEngine engine, ContentionWorkload workload)
{
    var value = new byte[workload.ValueSize];
    new Random(workload.Seed).NextBytes(value);
    await engine.PreloadAsync(workload, value);
    var latency = new LatencyRecorder(workload.Clients);
    long commits = 0, conflicts = 0;
    var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
    var clock = Stopwatch.StartNew();
    var clients = Enumerable.Range(0, workload.Clients).Select(client => Task.Run(async () =>
    {
        var random = new Random(workload.Seed * 1000 + client);
        long mine = 0, lost = 0;
        while (clock.Elapsed < workload.Duration)
        {
            var (committed, ticks) = await engine.RunOneAsync(workload, random, value);
            latency.Record(client, ticks * 1_000_000 / Stopwatch.Frequency);
            if (committed)
            {
                mine++;
            }
            else
            {
                lost++;
            }
        }

        Interlocked.Add(ref commits, mine);
        Interlocked.Add(ref conflicts, lost);
    })).ToArray();
    await Task.WhenAll(clients);
    var seconds = clock.Elapsed.TotalSeconds;
    var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;
    var (p50, p99, _, _) = latency.Percentiles();
    return new ContentionResult(engine.Name, commits, conflicts, seconds, p50, p99, cpu);
}
