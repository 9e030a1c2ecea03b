using System.Diagnostics;
using System.Globalization;
using SlateDB;
using SlateDB.Bencher;
using SlateDB.Storage;
using SlateDB.Testing;

if (args.Length > 0 && args[0] == "merge")
{
    return await MergeBenchmark.RunAsync(args[1..]);
}

if (args.Length > 0 && args[0] == "compaction")
{
    return await CompactionBench.RunAsync(args[1..]);
}

if (args.Length > 0 && args[0] == "cold-latency") return await ColdLatency.RunAsync(args[1..]);

if (args.Length > 0 && args[0] == "reader-lag")
{
    return await ReaderLag.RunAsync(args[1..]);
}

BencherOptions options;
try
{
    options = BencherOptions.Parse(args);
}
catch (Exception e) when (e is ArgumentException or FormatException)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine(BencherOptions.Usage);
    return 2;
}

IObjectStore baseStore = options.Store switch
{
    "memory" => new InMemoryObjectStore(),
    var s when s.StartsWith("file:", StringComparison.Ordinal) => new LocalFileSystemObjectStore(s["file:".Length..]),
    var s => throw new ArgumentException($"Unknown store '{s}'."),
};
IObjectStore faulty = options.LatencyMs > 0 || options.JitterMs > 0
    ? new FaultInjectingObjectStore(baseStore, new FaultInjectionOptions
    {
        Latency = TimeSpan.FromMilliseconds(Math.Max(0, options.LatencyMs - (options.JitterMs / 2))),
        LatencyJitter = TimeSpan.FromMilliseconds(options.JitterMs),
    }, new Random(options.Seed))
    : baseStore;
using var counted = new InstrumentedObjectStore(faulty);

var dbOptions = SlateDbOptions.Default with
{
    FlushInterval = options.FlushInterval,
    CompressionCodec = Enum.Parse<CompressionCodec>(options.Codec, ignoreCase: true),
    L0MaxSsts = 1_000_000,
    L0MaxSstsPerKey = 1_000_000,
    WalEnabled = !options.NoWal,
    L0SstSizeBytes = options.L0SstSizeBytes,
    MaxUnflushedBytes = Math.Max(SlateDbOptions.Default.MaxUnflushedBytes, options.L0SstSizeBytes * 4),
};
await using var db = await SlateDb.Builder("bench", counted).WithOptions(dbOptions).WithSeed(options.Seed).OpenAsync();
var keys = new KeyGenerator(options.KeyCount, options.KeySize, options.Distribution);
var value = new byte[options.ValueSize];
new Random(options.Seed).NextBytes(value);

Console.WriteLine($"SlateDB.Bencher: store={options.Store} put-share={options.PutShare} dist={options.Distribution} keys={options.KeyCount} key={options.KeySize}B value={options.ValueSize}B concurrency={options.Concurrency} batch={options.BatchSize} await-durable={options.AwaitDurable} latency={options.LatencyMs}ms±{options.JitterMs / 2}ms");
if (options.Preload)
{
    var preload = Stopwatch.StartNew();
    for (long i = 0; i < options.KeyCount; i += 1000)
    {
        var batch = new WriteBatch();
        for (var j = i; j < Math.Min(options.KeyCount, i + 1000); j++)
        {
            batch.Put(keys.KeyOf(j), value);
        }

        await db.WriteAsync(batch);
    }

    await db.FlushAsync();
    Console.WriteLine($"preloaded {options.KeyCount:N0} keys in {preload.Elapsed.TotalSeconds:F1} s");
}

counted.ResetStats();
var transactions = options.Transaction ? new TransactionMode(options, keys, value) : null;
var putLatency = new LatencyRecorder(options.Concurrency);
var getLatency = new LatencyRecorder(options.Concurrency);
long operations = 0;
long found = 0;
using var stop = new CancellationTokenSource();
if (options.Duration is { } duration)
{
    stop.CancelAfter(duration);
}

var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
var gcBefore = GC.CollectionCount(0);
var clock = Stopwatch.StartNew();
var workers = Enumerable.Range(0, options.Concurrency).Select(worker => Task.Run(async () =>
{
    var random = new Random(options.Seed + worker + 1);
    var writeOptions = new WriteOptions { AwaitDurable = options.AwaitDurable };
    while (!stop.IsCancellationRequested)
    {
        if (options.Operations is { } limit && Interlocked.Read(ref operations) >= limit)
        {
            break;
        }

        var start = Stopwatch.GetTimestamp();
        if (transactions is not null)
        {
            await transactions.RunOneAsync(db, worker, random, writeOptions);
            Interlocked.Increment(ref operations);
        }
        else if (random.NextDouble() < options.PutShare)
        {
            if (options.BatchSize == 1)
            {
                await db.PutAsync(keys.KeyOf(keys.NextIndex(random)), value, writeOptions: writeOptions);
            }
            else
            {
                var batch = new WriteBatch();
                for (var i = 0; i < options.BatchSize; i++)
                {
                    batch.Put(keys.KeyOf(keys.NextIndex(random)), value);
                }

                await db.WriteAsync(batch, writeOptions);
            }

            putLatency.Record(worker, (long)Stopwatch.GetElapsedTime(start).TotalMicroseconds);
            Interlocked.Add(ref operations, options.BatchSize);
        }
        else
        {
            if (await db.GetAsync(keys.KeyOf(keys.NextIndex(random))) is not null)
            {
                Interlocked.Increment(ref found);
            }

            getLatency.Record(worker, (long)Stopwatch.GetElapsedTime(start).TotalMicroseconds);
            Interlocked.Increment(ref operations);
        }
    }
})).ToArray();

var progress = Task.Run(async () =>
{
    long last = 0;
    while (!workers.All(w => w.IsCompleted))
    {
        await Task.WhenAny(Task.WhenAll(workers), Task.Delay(1000));
        var now = Interlocked.Read(ref operations);
        Console.WriteLine($"  t={clock.Elapsed.TotalSeconds,6:F1}s  ops={now,12:N0}  ops/s={now - last,10:N0}");
        last = now;
    }
});
await Task.WhenAll(workers);
var elapsed = clock.Elapsed.TotalSeconds;
await progress;
var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
var gen0 = GC.CollectionCount(0) - gcBefore;
var stats = counted.Stats;
var puts = stats.Puts / elapsed;
var gets = (stats.Gets + stats.RangeGets) / elapsed;
const double SecondsPerMonth = 30 * 24 * 3600;
var monthlyCost = ((puts * SecondsPerMonth / 1000) * 0.005) + ((gets * SecondsPerMonth / 1000) * 0.0004);
var (pp50, pp99, pp999, pmax) = putLatency.Percentiles();
var (gp50, gp99, gp999, gmax) = getLatency.Percentiles();
var inv = CultureInfo.InvariantCulture;
Console.WriteLine(string.Create(inv, $"ops/s: {Interlocked.Read(ref operations) / elapsed:N0}  ({Interlocked.Read(ref operations):N0} ops in {elapsed:F1} s)"));
if (transactions is not null)
{
    Console.WriteLine(transactions.Report(elapsed));
}

Console.WriteLine(string.Create(inv, $"put latency ms{(options.AwaitDurable ? " (durable)" : string.Empty)}: p50 {pp50:F3}  p99 {pp99:F3}  p99.9 {pp999:F3}  max {pmax:F3}  (n={putLatency.Count:N0})"));
Console.WriteLine(string.Create(inv, $"get latency ms: p50 {gp50:F3}  p99 {gp99:F3}  p99.9 {gp999:F3}  max {gmax:F3}  (n={getLatency.Count:N0}, found {Interlocked.Read(ref found):N0})"));
Console.WriteLine(string.Create(inv, $"allocated: {allocated / Math.Max(1.0, Interlocked.Read(ref operations)):N0} bytes/op, {gen0} gen0 GCs"));
Console.WriteLine(string.Create(inv, $"object store: {puts:F1} PUT/s, {gets:F1} GET/s; API cost at S3 Standard prices: ${monthlyCost:N2}/month"));
return 0;
