using System.Diagnostics;
using System.Globalization;
using SlateDB.Storage;
using SlateDB.Testing;

namespace SlateDB.Bencher;

/// <summary>
/// <c>SlateDB.Bencher cold-latency [--rows N] [--gets K] [--latency-ms L] [--large-rows M] [--budget-mb B] [--callers C]
/// [--cold-start-store local|memory] [--cold-start-dir DIR] [--cold-start-only]</c>:
/// cold reads over an in-memory store with L ms injected per read request (GET, ranged GET, HEAD; writes are not
/// delayed). N rows (16-byte keys, 100-byte values) are written and flushed to L0 SSTs, then, each time on a freshly
/// opened database (empty block cache):
/// <list type="number">
/// <item>K point gets one at a time: latency p50/p99 against L, read requests per get, and the first get alone;</item>
/// <item>a full scan with <c>MaxFetchTasks = 4</c>: time, reads, the most and the mean reads in flight, and the time
/// 4 reads in flight allow (reads ÷ 4 × L);</item>
/// <item>a cold start of a database of M rows with C concurrent callers doing gets, with and without
/// <c>MemoryBudgetBytes = B MiB</c> (which derives a read cap, <c>MaxInFlightReads</c>): reads in flight, the growth of
/// resident memory and of the managed heap over the level before the open (sampled every 5 ms), and what the database
/// holds live at the end. Its database is in a local folder (behind the same injected latency) unless
/// <c>--cold-start-store memory</c>. <c>--cold-start-only</c> runs only this phase, and only one of its two runs: with
/// the budget, or without one when <c>--budget-mb 0</c>; with <c>--cold-start-dir DIR</c> the database is kept in DIR
/// (the first run fills it and stops), so a cold start runs in a process that neither filled nor read before it and its
/// resident memory is the engine's.</item>
/// </list>
/// </summary>
internal static class ColdLatency
{
    private const int KeySize = 16;
    private const int ValueSize = 100;

    public static async Task<int> RunAsync(string[] args)
    {
        var rows = Arg(args, "--rows", 1_000_000);
        var gets = Arg(args, "--gets", 300);
        var latencyMs = Arg(args, "--latency-ms", 20);
        var largeRows = Arg(args, "--large-rows", 2_000_000);
        var budgetMb = Arg(args, "--budget-mb", 64);
        var callers = Arg(args, "--callers", 256);
        var latency = TimeSpan.FromMilliseconds(latencyMs);
        var localDir = args.Contains("--local-dir") ? args[Array.IndexOf(args, "--local-dir") + 1] : null;
        var options = SlateDbOptions.Default with { FlushInterval = null, CompactorOptions = null, GarbageCollectorOptions = null, L0MaxSsts = 100_000, L0MaxSstsPerKey = 100_000 };
        Console.WriteLine(Text($"cold-latency: rows={rows:N0} gets={gets} latency={latencyMs}ms per read request; large-rows={largeRows:N0} budget={budgetMb}MiB callers={callers}; {Environment.ProcessorCount} cores"));

        if (localDir is not null)
        {
            await ReopenLocalAsync(localDir, options, rows);
            return 0;
        }

        if (args.Contains("--cold-start-only"))
        {
            // One cold start alone in a fresh process: its resident memory is then the engine's, not earlier phases'.
            await ColdStartsAsync(args, options, largeRows, callers, budgetMb, latency, bothRuns: false);
            return 0;
        }

        var inner = new InMemoryObjectStore();
        await FillAsync(inner, options, rows);
        var counting = new ReadCountingStore(Slow(inner, latency, seed: 1));

        await PointGetsAsync(counting, counting, options, rows, gets, latency);
        await ScanAsync(counting, counting, options, rows, latency);

        inner = null;
        counting = null;
        await ColdStartsAsync(args, options, largeRows, callers, budgetMb, latency, bothRuns: true);
        return 0;
    }

    /// <summary>
    /// The cold starts over the large database, without and with the budget (<paramref name="bothRuns"/>), else only
    /// the one <paramref name="budgetMb"/> names (0: without): by default in a local folder (so the process holds only
    /// what the engine keeps, and its memory shows the budget), or in memory with <c>--cold-start-store memory</c> (the
    /// stored database then dominates the process's memory).
    /// </summary>
    private static async Task ColdStartsAsync(string[] args, SlateDbOptions options, int largeRows, int callers, int budgetMb, TimeSpan latency, bool bothRuns)
    {
        var inMemory = args.Contains("--cold-start-store") && args[Array.IndexOf(args, "--cold-start-store") + 1] == "memory";
        var kept = args.Contains("--cold-start-dir") ? args[Array.IndexOf(args, "--cold-start-dir") + 1] : null;
        var folder = inMemory ? null : kept ?? Path.Combine(Path.GetTempPath(), $"slatedb-cold-start-{Environment.ProcessId}");
        try
        {
            IObjectStore large = folder is null ? new InMemoryObjectStore() : new LocalFileSystemObjectStore(folder);
            Console.WriteLine(Text($"cold start store: {(folder is null ? "in memory" : $"local folder {folder}")}, {latency.TotalMilliseconds:F0} ms per read request"));
            if (folder is null || !Directory.Exists(folder) || !Directory.EnumerateFileSystemEntries(folder).Any())
            {
                await FillAsync(large, options, largeRows);
                if (kept is not null)
                {
                    Console.WriteLine("filled the kept folder; run again to time the cold start in a process that did not fill it");
                    return;
                }
            }

            var largeCounting = new ReadCountingStore(Slow(large, latency, seed: 2));
            if (bothRuns || budgetMb == 0)
            {
                await ColdStartAsync(largeCounting, largeCounting, options, largeRows, callers, budgetBytes: null);
            }

            if (budgetMb > 0)
            {
                await ColdStartAsync(largeCounting, largeCounting, options, largeRows, callers, budgetBytes: budgetMb * 1024L * 1024);
            }
        }
        finally
        {
            if (folder is not null && kept is null && Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    private static async Task PointGetsAsync(IObjectStore store, ReadCountingStore counting, SlateDbOptions options, int rows, int gets, TimeSpan latency)
    {
        var open = Stopwatch.StartNew();
        await using var db = await SlateDb.Builder("bench", store).WithOptions(options).WithSeed(1).OpenAsync();
        var openMs = open.Elapsed.TotalMilliseconds;
        var random = new Random(7);
        var millis = new List<double>();
        var reads = new List<long>();
        for (var i = 0; i < gets; i++)
        {
            var before = counting.Reads;
            var clock = Stopwatch.StartNew();
            if (await db.GetAsync(Key(random.Next(rows))) is null)
            {
                throw new InvalidOperationException("A written key was not found.");
            }

            millis.Add(clock.Elapsed.TotalMilliseconds);
            reads.Add(counting.Reads - before);
        }

        var target = latency.TotalMilliseconds * 1.2;
        var rest = millis.Skip(1).Order().ToList();
        Console.WriteLine(Text($"point gets (cold, one at a time, {gets}): open {openMs:F0} ms; first get {millis[0]:F0} ms ({reads[0]} reads); after it p50 {rest[rest.Count / 2]:F1} ms, p99 {rest[(int)(rest.Count * 0.99)]:F1} ms (target p50 <= {target:F0} ms: {(rest[rest.Count / 2] <= target ? "met" : "missed")}); reads per get: mean {reads.Skip(1).Average():F2}, max {reads.Skip(1).Max()}; gets of 1 read: {reads.Skip(1).Count(r => r == 1)}, of 0: {reads.Skip(1).Count(r => r == 0)}, of 2+: {reads.Skip(1).Count(r => r >= 2)}"));
    }

    private static async Task ScanAsync(IObjectStore store, ReadCountingStore counting, SlateDbOptions options, int rows, TimeSpan latency)
    {
        await using var db = await SlateDb.Builder("bench", store).WithOptions(options).WithSeed(1).OpenAsync();
        counting.Reset();
        var clock = Stopwatch.StartNew();
        var seen = 0;
        await foreach (var _ in db.ScanAsync(KeyRange.All, new ScanOptions { MaxFetchTasks = 4 }))
        {
            seen++;
        }

        var elapsed = clock.Elapsed;
        if (seen != rows)
        {
            throw new InvalidOperationException($"The scan returned {seen} rows, not {rows}.");
        }

        var allowed = TimeSpan.FromMilliseconds(Math.Ceiling(counting.Reads / 4.0) * latency.TotalMilliseconds);
        Console.WriteLine(Text($"full scan (cold, MaxFetchTasks = 4): {seen:N0} rows in {elapsed.TotalSeconds:F2} s; {counting.Reads} reads, in flight max {counting.PeakInFlight}, mean {counting.Busy / elapsed:F2}; 4 in flight allow {allowed.TotalSeconds:F2} s ({elapsed / allowed:F2}x of it)"));
    }

    private static async Task ColdStartAsync(IObjectStore store, ReadCountingStore counting, SlateDbOptions options, int rows, int callers, long? budgetBytes)
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        var baseline = process.WorkingSet64;
        var peak = baseline;
        var heapBaseline = GC.GetTotalMemory(forceFullCollection: false);
        var heapPeak = heapBaseline;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                process.Refresh();
                peak = Math.Max(peak, process.WorkingSet64);
                heapPeak = Math.Max(heapPeak, GC.GetTotalMemory(forceFullCollection: false));
                try
                {
                    await Task.Delay(5, sampling.Token);
                }
                catch (OperationCanceledException)
                {
                }
            }
        });

        counting.Reset();
        var clock = Stopwatch.StartNew();
        var dbOptions = options with { MemoryBudgetBytes = budgetBytes };
        await using (var db = await SlateDb.Builder("bench", store).WithOptions(dbOptions).WithSeed(1).OpenAsync())
        {
            var openReads = counting.Reads;
            var openMs = clock.Elapsed.TotalMilliseconds;
            var openHeap = GC.GetTotalMemory(forceFullCollection: false) - heapBaseline;
            var perCaller = Math.Max(1, 20_000 / callers);
            await Task.WhenAll(Enumerable.Range(0, callers).Select(c => Task.Run(async () =>
            {
                var random = new Random(c);
                for (var i = 0; i < perCaller; i++)
                {
                    if (await db.GetAsync(Key(random.Next(rows))) is null)
                    {
                        throw new InvalidOperationException("A written key was not found.");
                    }
                }
            })));
            var elapsed = clock.Elapsed;
            await sampling.CancelAsync();
            await sampler;

            // What the open database still holds once garbage is gone: its caches and structures, which the budget bounds.
            var live = GC.GetTotalMemory(forceFullCollection: true) - heapBaseline;
            Console.WriteLine(Text($"cold start ({rows:N0} rows, {callers} callers x {perCaller} gets, budget {(budgetBytes is { } b ? $"{b / (1024 * 1024)} MiB, read cap {dbOptions.EffectiveMaxInFlightReads}" : "none, no read cap")}): {elapsed.TotalSeconds:F2} s (open {openMs:F0} ms, {openReads} reads, heap +{openHeap / (1024.0 * 1024):F0} MiB after it), {counting.Reads} reads, in flight max {counting.PeakInFlight}; managed heap +{(heapPeak - heapBaseline) / (1024.0 * 1024):F0} MiB at peak and +{live / (1024.0 * 1024):F0} MiB live at the end (after a full collection), resident memory +{(peak - baseline) / (1024.0 * 1024):F0} MiB at peak (over {heapBaseline / (1024.0 * 1024):F0} MiB and {baseline / (1024.0 * 1024):F0} MiB before the open)"));
        }
    }

    /// <summary>
    /// <c>--local-dir DIR</c>: N rows written to a local folder as one L0 SST (as the comparison's fillbatch), closed, then
    /// reopened: the time to the first get and to the first 1,000 gets (no injected latency).
    /// </summary>
    private static async Task ReopenLocalAsync(string directory, SlateDbOptions options, int rows)
    {
        var local = options with { L0SstSizeBytes = 256L * 1024 * 1024, MaxUnflushedBytes = 1024L * 1024 * 1024 };
        if (!Directory.Exists(directory) || !Directory.EnumerateFileSystemEntries(directory).Any())
        {
            Directory.CreateDirectory(directory);
            await FillAsync(new LocalFileSystemObjectStore(directory), local, rows);
        }

        using var store = new InstrumentedObjectStore(new LocalFileSystemObjectStore(directory));
        var open = Stopwatch.StartNew();
        await using var db = await SlateDb.Builder("bench", store).WithOptions(local).WithSeed(1).OpenAsync();
        var openMs = open.Elapsed.TotalMilliseconds;
        var openStats = store.Stats;
        var random = new Random(11);
        var clock = Stopwatch.StartNew();
        var firstMs = 0.0;
        for (var i = 0; i < 1000; i++)
        {
            if (await db.GetAsync(Key(random.Next(rows))) is null)
            {
                throw new InvalidOperationException("A written key was not found.");
            }

            if (i == 0)
            {
                firstMs = clock.Elapsed.TotalMilliseconds;
            }
        }

        Console.WriteLine(Text($"reopen (local folder, {rows:N0} rows): open {openMs:F0} ms ({openStats.Requests} requests, {openStats.BytesRead / 1e6:F1} MB read); first get {firstMs:F0} ms; first 1,000 gets {clock.Elapsed.TotalMilliseconds:F0} ms"));
    }

    private static async Task FillAsync(IObjectStore store, SlateDbOptions options, int rows)
    {
        var clock = Stopwatch.StartNew();
        await using var db = await SlateDb.Builder("bench", store).WithOptions(options).WithSeed(1).OpenAsync();
        var value = new byte[ValueSize];
        new Random(3).NextBytes(value);
        for (var i = 0; i < rows; i += 1000)
        {
            var batch = new WriteBatch();
            for (var j = i; j < Math.Min(rows, i + 1000); j++)
            {
                batch.Put(Key(j), value);
            }

            await db.WriteAsync(batch);
        }

        // The WAL first, then the memtable: the memtable's L0 flush then covers every WAL object, and the opens below
        // replay nothing (without a flush interval the WAL is written by size, so the objects after the replay point
        // would hold a memtable's worth of rows for every open to read again).
        await db.FlushAsync();
        await db.FlushAsync(new FlushOptions { FlushType = FlushType.MemTable });
        Console.WriteLine(Text($"filled {rows:N0} rows and flushed them to L0 in {clock.Elapsed.TotalSeconds:F1} s (no latency while writing)"));
    }

    /// <summary>A 16-byte key: the row number, zero-padded, in a fixed permutation so neighbours are not written together.</summary>
    private static byte[] Key(long i) => System.Text.Encoding.ASCII.GetBytes(((i * 2_654_435_761L) % 10_000_000_000_000_000L).ToString("D16", CultureInfo.InvariantCulture));

    /// <summary><paramref name="inner"/> with <paramref name="latency"/> injected on every read request (GET, ranged GET, HEAD).</summary>
    private static FaultInjectingObjectStore Slow(IObjectStore inner, TimeSpan latency, int seed) =>
        new(inner, new FaultInjectionOptions { Latency = latency, Operations = FaultOperations.Get | FaultOperations.GetRange | FaultOperations.Head }, new Random(seed));

    private static int Arg(string[] args, string name, int fallback)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
    }

    private static string Text(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
