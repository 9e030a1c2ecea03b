using System.Diagnostics;
using System.Runtime;
using SlateDB;
using SlateDB.Bencher;
using SlateDB.Storage;

// Where a cold read pass's CPU goes, in a fresh process like a benchmarks/SlateDB.Comparison child: the same rows
// (1M, 16-byte keys, 100-byte values in batches of 1,000), the same 200,000 gets (seed 42), stock settings over the
// local folder store. Prints the timed pass's process CPU per op, ops/s, GC counts and pauses, and JIT time, the rate
// of each tenth of the gets (slices: where the pass is slow), the L0 SSTs and unflushed bytes at its start, and any
// L0 flush that ends during it.
//   fill DIR          fills DIR and closes (what the comparison's fillbatch writes)
//   afterfill DIR     fills DIR afresh, times the first pass of gets straight after (rows in the memtables and L0)
//   flushed DIR       fills DIR afresh, flushes the memtable, times the first pass of gets
//   fillreopen DIR    fills DIR afresh, flushes, closes and reopens it in the same process (what the comparison's
//                     readrandom-large does), times the first pass of gets
//   reopen DIR        opens DIR, flushes, closes and reopens (prints the reopen's time to open and to answer a
//                     first get), times the first pass of gets
//   rejit DIR         as reopen, after an untimed pass over DIR in the same process: warm code, cold data (times a copy)
//   compacted DIR     opens DIR, flushes, compacts fully (prints the compaction's time, allocations and full
//                     collections), closes and reopens, times the first pass of gets
//   scan-cold DIR     as reopen, then times the first full scan
//   warm DIR          opens DIR, flushes, 3 untimed passes, times a fourth
// Options after DIR: --rows N (1,000,000), --reads N (200,000), --codec none|snappy|lz4|zstd|zlib (none; the fill's
// SSTs, and what a compaction writes), --no-warming (WarmCacheOnRandomReads off), --wait (waits for a line on stdin before the timed
// pass, to attach perf), --store URL (the database lives at that object-store URL, e.g. s3://bucket/prefix or
// az://container/prefix with the AWS_* / AZURE_* environment settings, instead of the local folder DIR; fill and the
// reopened modes only).
if (args.Length < 2)
{
    Console.Error.WriteLine("usage: SlateDB.ColdReadProbe fill|afterfill|flushed|fillreopen|reopen|rejit|compacted|scan-cold|warm DIR [--rows N] [--reads N] [--wait]");
    return 2;
}

var mode = args[0];
var dir = args[1];
long rows = 1_000_000, reads = 200_000;
var wait = false;
string? storeUrl = null;
var codec = CompressionCodec.None;
var warming = true;
for (var i = 2; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--rows": rows = long.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture); break;
        case "--reads": reads = long.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture); break;
        case "--wait": wait = true; break;
        case "--codec": codec = Enum.Parse<CompressionCodec>(args[++i], ignoreCase: true); break;
        case "--store": storeUrl = args[++i]; break;
        case "--no-warming": warming = false; break;
        default: throw new ArgumentException($"Unknown option '{args[i]}'.");
    }
}

var keys = new KeyGenerator(rows, 16, "uniform");
var pool = new byte[(1 << 20) + 100];
new Random(42).NextBytes(pool);
byte[] ValueOf(long index) => pool.AsSpan((int)((index * 7919) % (1 << 20)), 100).ToArray();
var memtableFlush = new FlushOptions { FlushType = FlushType.MemTable };

async Task<SlateDb> Open(string? at = null) => await SlateDb.OpenAsync(
    "db",
    storeUrl is not null && at is null ? ObjectStores.FromUrl(storeUrl) : new LocalFileSystemObjectStore(at ?? dir),
    SlateDbOptions.Default with { CompressionCodec = codec, WarmCacheOnRandomReads = warming });

async Task Fill(SlateDb db)
{
    var noWait = new WriteOptions { AwaitDurable = false };
    for (long i = 0; i < rows; i += 1000)
    {
        var batch = new WriteBatch();
        for (var j = i; j < Math.Min(rows, i + 1000); j++)
        {
            batch.Put(keys.KeyOf(j), ValueOf(j));
        }

        await db.WriteAsync(batch, noWait);
    }

    await db.FlushAsync();
}

async Task<long> Gets(SlateDb db, int seed)
{
    var random = new Random(seed);
    long found = 0;
    var slice = Stopwatch.StartNew();
    var slices = new List<string>();
    var thread = Environment.CurrentManagedThreadId;
    var (threadJit, threadJitCount) = (System.Runtime.JitInfo.GetCompilationTime(currentThread: true), System.Runtime.JitInfo.GetCompiledMethodCount(currentThread: true));
    for (long i = 0; i < reads; i++)
    {
        if (i > 0 && i % (reads / 10) == 0)
        {
            slices.Add(SliceRate());
            slice.Restart();
        }

        if (await db.GetAsync(keys.KeyOf(random.NextInt64(rows))) is { Length: 100 })
        {
            found++;
        }
    }

    slices.Add(SliceRate());
    Console.WriteLine("slices: " + string.Join(' ', slices));
    if (Environment.CurrentManagedThreadId == thread)
    {
        Console.WriteLine(FormattableString.Invariant(
            $"JIT on the gets' thread: {(System.Runtime.JitInfo.GetCompilationTime(currentThread: true) - threadJit).TotalMilliseconds:F0} ms, {System.Runtime.JitInfo.GetCompiledMethodCount(currentThread: true) - threadJitCount} methods"));
    }
    return found;

    // Thousands of gets per second over the tenth of the pass just ended.
    string SliceRate() => FormattableString.Invariant($"{reads / 10 / slice.Elapsed.TotalSeconds / 1000:F0}K");
}

async Task<long> Scan(SlateDb db)
{
    long n = 0;
    await foreach (var row in db.ScanAsync(KeyRange.All))
    {
        n += row.Value.Length >= 0 ? 1 : 0;
    }

    return n;
}

static void CopyTree(string from, string to)
{
    foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
    {
        var target = Path.Combine(to, Path.GetRelativePath(from, file));
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        File.Copy(file, target, overwrite: true);
    }
}

if (storeUrl is not null && mode is not ("fill" or "reopen" or "compacted" or "scan-cold" or "warm"))
{
    throw new ArgumentException($"--store works with fill, reopen, compacted, scan-cold and warm, not {mode}.");
}

if (mode == "fill")
{
    if (storeUrl is null && Directory.Exists(dir))
    {
        Directory.Delete(dir, recursive: true);
    }

    var filled = await Open();
    await Fill(filled);
    await filled.CloseAsync();
    Console.WriteLine($"filled {rows:N0} rows into {storeUrl ?? dir}");
    return 0;
}

SlateDb db;
if (mode == "fillreopen")
{
    if (Directory.Exists(dir))
    {
        Directory.Delete(dir, recursive: true);
    }

    db = await Open();
    await Fill(db);
    await db.FlushAsync(memtableFlush);
    await db.CloseAsync();
    db = await Open();
}
else if (mode is "flushed" or "afterfill")
{
    if (Directory.Exists(dir))
    {
        Directory.Delete(dir, recursive: true);
    }

    db = await Open();
    await Fill(db);
    if (mode == "flushed")
    {
        await db.FlushAsync(memtableFlush);
    }
}
else
{
    db = await Open();
    await db.FlushAsync(memtableFlush);
    if (mode == "compacted")
    {
        var full = GC.CollectionCount(2);
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var compaction = Stopwatch.StartNew();
        await db.CompactFullAsync();
        Console.WriteLine(FormattableString.Invariant(
            $"compaction: {compaction.Elapsed.TotalSeconds:F2} s, allocated {(GC.GetTotalAllocatedBytes(precise: true) - allocated) / 1048576.0:F0} MiB, full collections {GC.CollectionCount(2) - full}"));
    }

    if (mode is "reopen" or "compacted" or "scan-cold")
    {
        await db.CloseAsync();
        var restart = Stopwatch.StartNew();
        db = await Open();
        var opened = restart.Elapsed.TotalMilliseconds;
        await db.GetAsync(keys.KeyOf(0));
        Console.WriteLine(FormattableString.Invariant($"restart: open {opened:F0} ms, open and first get {restart.Elapsed.TotalMilliseconds:F0} ms"));
    }
    else if (mode == "rejit")
    {
        // The code is warm, the data is not: one untimed pass over this database, then the timed pass over a copy of it
        // (other file paths, so no cached block or handle carries over; the OS page cache does, as in reopen).
        await db.CloseAsync();
        var copy = dir.TrimEnd('/') + ".copy";
        CopyTree(dir, copy);
        db = await Open();
        await Gets(db, 7);
        await db.CloseAsync();
        db = await Open(copy);
    }
    else if (mode == "warm")
    {
        for (var pass = 0; pass < 3; pass++)
        {
            await Gets(db, 42 + 1000 + pass);
        }
    }
}

if (wait)
{
    Console.Error.WriteLine($"pid {Environment.ProcessId}: press enter to run the timed pass");
    Console.ReadLine();
}

GC.Collect();
GC.WaitForPendingFinalizers();
using var process = Process.GetCurrentProcess();
var cpu0 = process.TotalProcessorTime;
var user0 = process.UserProcessorTime;
var gc0 = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
var pause0 = GC.GetTotalPauseDuration();
var jit0 = (System.Runtime.JitInfo.GetCompilationTime(), System.Runtime.JitInfo.GetCompiledMethodCount());
var alloc0 = GC.GetTotalAllocatedBytes(precise: true);
var threads0 = ThreadTimes();
var passStart = Stopwatch.GetTimestamp();
var clock = Stopwatch.StartNew();
long warmedBlocks = 0, warmedLastTicks = 0;
using var warmedListener = new System.Diagnostics.Metrics.MeterListener
{
    InstrumentPublished = (instrument, l) =>
    {
        if (instrument.Meter.Name == SlateDB.Diagnostics.SlateDbMeter.Name && instrument.Name == "slatedb.cache.warmed")
        {
            l.EnableMeasurementEvents(instrument);
        }
    },
};
warmedListener.SetMeasurementEventCallback<long>((_, value, _, _) =>
{
    Interlocked.Add(ref warmedBlocks, value);
    Interlocked.Exchange(ref warmedLastTicks, clock.ElapsedTicks);
});
warmedListener.Start();
var status0 = db.Status;
var flushWatch = Task.Run(async () =>
{
    while (clock.IsRunning)
    {
        var status = db.Status;
        if (status.L0SstCount != status0.L0SstCount)
        {
            Console.WriteLine(FormattableString.Invariant($"L0 {status0.L0SstCount} -> {status.L0SstCount} at {clock.Elapsed.TotalMilliseconds:F0} ms into the pass"));
            status0 = status;
        }

        await Task.Delay(5);
    }
});
Console.WriteLine(FormattableString.Invariant($"at the pass: L0 {status0.L0SstCount}, unflushed {status0.UnflushedBytes / 1048576.0:F0} MiB"));
var ops = mode == "scan-cold" ? await Scan(db) : reads;
var found = mode == "scan-cold" ? ops : await Gets(db, 42);
var seconds = clock.Elapsed.TotalSeconds;
clock.Stop();
var threads1 = ThreadTimes();
Console.WriteLine(FormattableString.Invariant($"pass on the monotonic clock (perf record -k CLOCK_MONOTONIC): {(double)passStart / Stopwatch.Frequency:F6},{(double)Stopwatch.GetTimestamp() / Stopwatch.Frequency:F6}"));
await flushWatch;
Console.WriteLine("thread CPU in the pass (ms): " + string.Join(", ", threads1
    .Select(t => (t.Key, Ms: (t.Value.Ticks - (threads0.TryGetValue(t.Key, out var before) ? before.Ticks : 0)) * 1000.0 / 100, t.Value.Name))
    .Where(t => t.Ms >= 10).OrderByDescending(t => t.Ms).Select(t => FormattableString.Invariant($"{t.Name} {t.Ms:F0}"))));
var alloc = GC.GetTotalAllocatedBytes(precise: true) - alloc0;
process.Refresh();
var cpu = (process.TotalProcessorTime - cpu0).TotalSeconds;
var user = (process.UserProcessorTime - user0).TotalSeconds;
var jitTime = System.Runtime.JitInfo.GetCompilationTime() - jit0.Item1;
var jitCount = System.Runtime.JitInfo.GetCompiledMethodCount() - jit0.Item2;
var pause = GC.GetTotalPauseDuration() - pause0;
Console.WriteLine(FormattableString.Invariant(
    $"{mode}: ops {ops:N0} found {found:N0} | {ops / seconds:N0} ops/s | cpu {cpu * 1e6 / ops:F2} us/op (user {user * 1e6 / ops:F2}, sys {(cpu - user) * 1e6 / ops:F2}) | alloc {(double)alloc / ops:F0} B/op | gc0 {GC.CollectionCount(0) - gc0.Item1} gc1 {GC.CollectionCount(1) - gc0.Item2} gc2 {GC.CollectionCount(2) - gc0.Item3} pause {pause.TotalMilliseconds:F0} ms | jit {jitTime.TotalMilliseconds:F0} ms {jitCount} methods | {seconds:F3} s"));
Console.WriteLine(FormattableString.Invariant(
    $"cache warming: {Interlocked.Read(ref warmedBlocks):N0} blocks, the last read done at {Interlocked.Read(ref warmedLastTicks) * 1000.0 / Stopwatch.Frequency:F0} ms into the pass"));
await db.CloseAsync();
return found == ops ? 0 : 1;

// Each thread's user+system CPU in clock ticks (100 per second) and name, from /proc (Linux; empty elsewhere).
static Dictionary<int, (long Ticks, string Name)> ThreadTimes()
{
    var times = new Dictionary<int, (long, string)>();
    if (!Directory.Exists("/proc/self/task"))
    {
        return times;
    }

    foreach (var task in Directory.GetDirectories("/proc/self/task"))
    {
        try
        {
            var stat = File.ReadAllText(Path.Combine(task, "stat"));
            var close = stat.LastIndexOf(')');
            var name = stat[(stat.IndexOf('(') + 1)..close];
            var fields = stat[(close + 2)..].Split(' ');
            times[int.Parse(Path.GetFileName(task), System.Globalization.CultureInfo.InvariantCulture)] =
                (long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture) + long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture), name);
        }
        catch (IOException)
        {
            // The thread ended.
        }
    }

    return times;
}
