using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using SlateDB.Storage;

namespace SlateDB.Bencher;

/// <summary>
/// <c>SlateDB.Bencher merge</c>: N Int64Add merges over K keys against N puts over the same keys (engines alternate
/// within one run, so both see the same machine load), then reads of every key: merged keys (each folding N/K
/// operands) against plain keys. Reads are timed twice: with the rows still in memtables, then after a memtable flush
/// and a full compaction (where the flush and the compaction folded the operands).
/// </summary>
internal static class MergeBenchmark
{
    public const string Usage = "usage: SlateDB.Bencher merge [--merges N] [--keys K] [--read-passes P] [--repetitions R] [--store memory|file:<dir>]";

    public static async Task<int> RunAsync(string[] args)
    {
        var merges = 1_000_000;
        var keys = 10_000;
        var readPasses = 10;
        var repetitions = 3;
        var store = "memory";
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--merges": merges = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--keys": keys = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--read-passes": readPasses = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--repetitions": repetitions = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--store": store = Next(); break;
                default:
                    Console.Error.WriteLine(Usage);
                    return 2;
            }
        }

        Console.WriteLine($"merge benchmark: {merges:N0} Int64Add merges vs {merges:N0} puts over {keys:N0} keys; {readPasses} read passes over every key; {repetitions} repetitions; store {store}; {Environment.ProcessorCount} cores");
        var results = new List<(string Phase, string Engine, double OpsPerSecond)>();
        for (var rep = 0; rep < repetitions; rep++)
        {
            // Alternate which workload goes first.
            foreach (var merge in rep % 2 == 0 ? new[] { false, true } : [true, false])
            {
                var phase = await RunOneAsync(merge, merges, keys, readPasses, Store(store, rep, merge));
                foreach (var (name, rate) in phase)
                {
                    results.Add((name, merge ? "merge" : "put", rate));
                    Console.WriteLine($"  rep {rep} {(merge ? "merge" : "put "),-5} {name,-26} {rate,14:N0} ops/s");
                }
            }
        }

        double Median(string phase, string engine)
        {
            var values = results.Where(r => r.Phase == phase && r.Engine == engine).Select(r => r.OpsPerSecond).Order().ToArray();
            return values[values.Length / 2];
        }

        Console.WriteLine();
        Console.WriteLine("| measure | puts / plain keys | merges / merged keys | ratio |");
        Console.WriteLine("|---|---:|---:|---:|");
        foreach (var phase in new[] { "write", "read (in memtables)", "read (flushed, compacted)" })
        {
            var put = Median(phase, "put");
            var merge = Median(phase, "merge");
            Console.WriteLine($"| {phase} ops/s (median of {repetitions}) | {put:N0} | {merge:N0} | {merge / put:0.00}x |");
        }

        return 0;
    }

    private static IObjectStore Store(string spec, int rep, bool merge) => spec switch
    {
        "memory" => new InMemoryObjectStore(),
        var s when s.StartsWith("file:", StringComparison.Ordinal) => new LocalFileSystemObjectStore(Path.Combine(s["file:".Length..], $"merge-bench-{rep}-{(merge ? "merge" : "put")}-{Environment.ProcessId}")),
        var s => throw new ArgumentException($"Unknown store '{s}'."),
    };

    private static async Task<List<(string Phase, double OpsPerSecond)>> RunOneAsync(bool merge, int operations, int keyCount, int readPasses, IObjectStore store)
    {
        var options = SlateDbOptions.Default with
        {
            CompactorOptions = new CompactorOptions { PollInterval = TimeSpan.FromHours(1) },
            GarbageCollectorOptions = null,
            L0MaxSsts = 1_000_000,
            L0MaxSstsPerKey = 1_000_000,
        };
        var builder = SlateDb.Builder("bench", store).WithOptions(options).WithSeed(1);
        if (merge)
        {
            builder = builder.WithMergeOperator(MergeOperators.Int64Add);
        }

        var keys = Enumerable.Range(0, keyCount).Select(i => (ReadOnlyMemory<byte>)System.Text.Encoding.ASCII.GetBytes($"key{i:D8}")).ToArray();
        var noWait = new WriteOptions { AwaitDurable = false };
        var operand = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(operand, 1);
        var results = new List<(string, double)>();
        await using var db = await builder.OpenAsync();

        var watch = Stopwatch.StartNew();
        for (var i = 0; i < operations; i++)
        {
            var key = keys[i % keyCount];
            if (merge)
            {
                await db.MergeAsync(key, operand, null, noWait);
            }
            else
            {
                BinaryPrimitives.WriteInt64LittleEndian(operand, i);
                await db.PutAsync(key, operand, null, noWait);
            }
        }

        results.Add(("write", operations / watch.Elapsed.TotalSeconds));
        results.Add(("read (in memtables)", await ReadAllAsync(db, keys, readPasses, merge ? operations / keyCount : null)));
        await db.FlushAsync(new FlushOptions { FlushType = FlushType.MemTable });
        await db.CompactFullAsync();
        results.Add(("read (flushed, compacted)", await ReadAllAsync(db, keys, readPasses, merge ? operations / keyCount : null)));
        return results;
    }

    private static async Task<double> ReadAllAsync(SlateDb db, ReadOnlyMemory<byte>[] keys, int passes, long? expectedSum)
    {
        var watch = Stopwatch.StartNew();
        for (var pass = 0; pass < passes; pass++)
        {
            foreach (var key in keys)
            {
                var value = await db.GetAsync(key) ?? throw new InvalidOperationException("a key is missing");
                if (expectedSum is { } sum && BinaryPrimitives.ReadInt64LittleEndian(value) != sum)
                {
                    throw new InvalidOperationException($"a merged key reads {BinaryPrimitives.ReadInt64LittleEndian(value)}, expected {sum}");
                }
            }
        }

        return passes * keys.Length / watch.Elapsed.TotalSeconds;
    }
}
