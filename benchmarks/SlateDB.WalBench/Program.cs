using System.Diagnostics;
using System.Globalization;
using SlateDB;
using SlateDB.Storage;
using SlateDB.Testing;
using SlateDB.WalBench;

// Durable-write latency and throughput of the WAL configurations, side by side in one run (configurations alternate
// for each writer count). Usage:
//   SlateDB.WalBench [--seconds 10] [--latency-ms 30] [--writers 1,64] [--configs fixed,eager] [--floor-ms 0]
//                    [--value 128] [--seed 1] [--local-dir <folder>]
// Configurations: fixed (object-store WAL, fixed interval), eager (object-store WAL, eager policy), local (local-disk
// WAL in --local-dir, default a new folder under the system temp folder, eager policy). With "local" the run first
// measures the disk's raw fsync latency (append 384 bytes, about one WAL record of one 128-byte write, + fsync, one at a time, 3 s) in the same folder, and again
// after the rows (the disk is shared: its latency moves).
// Each configuration opens a fresh database over the in-memory store with the PUT latency injected (create-if-absent
// and plain PUTs; reads are not delayed), runs N writers doing durable puts of random 16-byte keys for the given
// time, and prints one markdown row.
var seconds = 10.0;
var latencyMs = 30;
var writerCounts = new[] { 1, 64 };
var configs = new[] { "fixed", "eager" };
var floorMs = 0;
var valueSize = 128;
var seed = 1;
string? localDir = null;
for (var i = 0; i < args.Length; i++)
{
    string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
    switch (args[i])
    {
        case "--seconds": seconds = double.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--latency-ms": latencyMs = int.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--writers": writerCounts = Next().Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray(); break;
        case "--configs": configs = Next().Split(','); break;
        case "--floor-ms": floorMs = int.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--value": valueSize = int.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--seed": seed = int.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--local-dir": localDir = Next(); break;
        default: Console.Error.WriteLine($"Unknown argument {args[i]}"); return 2;
    }
}

Console.WriteLine($"SlateDB.WalBench: {seconds}s each, injected PUT latency {latencyMs} ms, value {valueSize} B, floor {floorMs} ms, {Environment.ProcessorCount} cores");
localDir ??= Path.Combine(Path.GetTempPath(), "slatedb-walbench-" + Environment.ProcessId);
if (configs.Contains("local"))
{
    PrintProbe("before the rows");
}

Console.WriteLine();
Console.WriteLine("| WAL | writers | durable writes/s | p50 ms | p99 ms | WAL PUTs (local: fsyncs)/s | S3 PUT cost/month |");
Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
foreach (var writers in writerCounts)
{
    foreach (var config in configs)
    {
        var result = await RunAsync(config, writers);
        var costPerMonth = config == "local" ? 0 : result.WalPutsPerSecond * 86_400 * 30 * 0.005 / 1000;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {Describe(config)} | {writers} | {result.WritesPerSecond:N0} | {result.P50:F2} | {result.P99:F2} | {result.WalPutsPerSecond:F1} | ${costPerMonth:N0} |"));
    }
}

if (configs.Contains("local"))
{
    Console.WriteLine();
    PrintProbe("after the rows");
}

return 0;

void PrintProbe(string when)
{
    var probe = FsyncProbe.Run(localDir, TimeSpan.FromSeconds(3), 384);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"Raw fsync of this disk ({localDir}), {when}: {probe.Count / 3.0:N0} fsyncs/s one at a time, p50 {probe.P50Ms:F3} ms, p99 {probe.P99Ms:F2} ms"));
}

string Describe(string config) => config switch
{
    "fixed" => $"object store, fixed 100 ms interval, {latencyMs} ms PUT",
    "eager" => $"object store, eager (floor {floorMs} ms), {latencyMs} ms PUT",
    "local" => "local disk, eager (one fsync per group)",
    _ => config,
};

async Task<Result> RunAsync(string config, int writers)
{
    IObjectStore store = new InMemoryObjectStore();
    if (latencyMs > 0)
    {
        store = new FaultInjectingObjectStore(store, new FaultInjectionOptions { Operations = FaultOperations.Puts, Latency = TimeSpan.FromMilliseconds(latencyMs) }, new Random(seed));
    }

    var counter = new WalPutCounter(store, "bench/wal/");
    var walDir = Path.Combine(localDir, $"wal-{config}-{writers}");
    if (Directory.Exists(walDir))
    {
        Directory.Delete(walDir, recursive: true);
    }

    using var walWrites = new WalWriteCounter();
    var options = SlateDbOptions.Default with
    {
        WalFlushPolicy = config is "eager" or "local" ? WalFlushPolicy.Eager : WalFlushPolicy.FixedInterval,
        WalFlushMinInterval = TimeSpan.FromMilliseconds(floorMs),
        CompactorOptions = null,
        GarbageCollectorOptions = null,
        L0MaxSsts = 1_000_000,
        L0MaxSstsPerKey = 1_000_000,
    };
    var builder = SlateDb.Builder("bench", counter).WithOptions(options).WithSeed(seed);
    if (config == "local")
    {
        builder.WithLocalWal(walDir);
    }

    await using var db = await builder.OpenAsync();
    var durable = new WriteOptions { AwaitDurable = true };
    var value = new byte[valueSize];
    new Random(seed).NextBytes(value);
    var latencies = new List<long>[writers];
    using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
    var putsBefore = config == "local" ? walWrites.Count : counter.WalPuts;
    var watch = Stopwatch.StartNew();
    var tasks = Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
    {
        var random = new Random(seed * 1000 + w);
        var key = new byte[16];
        var mine = latencies[w] = new List<long>(1 << 14);
        while (!stop.IsCancellationRequested)
        {
            random.NextBytes(key);
            var start = Stopwatch.GetTimestamp();
            await db.PutAsync(key, value, writeOptions: durable);
            mine.Add(Stopwatch.GetTimestamp() - start);
        }
    })).ToArray();
    await Task.WhenAll(tasks);
    var elapsed = watch.Elapsed.TotalSeconds;
    var puts = (config == "local" ? walWrites.Count : counter.WalPuts) - putsBefore;
    var all = latencies.SelectMany(l => l).Order().ToArray();
    double Percentile(double q) => all.Length == 0 ? 0 : all[Math.Min(all.Length - 1, (int)(q * all.Length))] * 1000.0 / Stopwatch.Frequency;
    return new Result(all.Length / elapsed, Percentile(0.50), Percentile(0.99), puts / elapsed);
}

internal readonly record struct Result(double WritesPerSecond, double P50, double P99, double WalPutsPerSecond);
