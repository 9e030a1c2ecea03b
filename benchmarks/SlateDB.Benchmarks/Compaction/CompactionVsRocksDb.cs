using System.Diagnostics;
using System.Globalization;
using System.Text;
using RocksDbSharp;
using SlateDB.Common;
using SlateDB.Compaction;
using SlateDB.Format;
using SlateDB.Manifest;
using SlateDB.Sst;
using SlateDB.Storage;

namespace SlateDB.Benchmarks.Compaction;

/// <summary>
/// One full compaction of the same rows by our executor and by RocksDB's <c>CompactRange</c>, per codec, engines
/// alternating within each repetition. The rows: eight overlapping sorted groups (one L0 SST each; keys
/// <c>user:NNNNNNNNNN:profile</c>, JSON-ish values of about 60 bytes, about one key in three written more than once),
/// written by both engines in the same order. Both work on the local disk (ours through the local folder store, in a
/// temporary folder; the files stay in the page cache). RocksDB: auto compactions off, a memtable big enough that each
/// group is one L0 file, 4 KiB blocks, 10-bit bloom filters, the codec under test; one compaction thread (its default
/// <c>max_subcompactions</c> of 1). Reports MB/s of raw input (the keys and values written: the same for both) and of
/// encoded input (each engine's own SST bytes), and the process's CPU time during the compaction (all threads; RocksDB
/// compacts in a background thread of this process) with raw MB per CPU-second, the steadier measure on a shared machine. Run with
/// <c>dotnet run -c Release --project benchmarks/SlateDB.Benchmarks -- compaction-vs-rocksdb [rows per SST] [repetitions] [codecs, e.g. none,lz4]</c>.
/// </summary>
internal static class CompactionVsRocksDb
{
    public const string Command = "compaction-vs-rocksdb";

    public static async Task<bool> TryRunAsync(string[] args)
    {
        if (args.Length == 0 || args[0] != Command)
        {
            return false;
        }

        var rowsPerSst = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 250_000;
        var repetitions = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 3;
        var groups = Groups(rowsPerSst);
        var raw = groups.Sum(group => group.Sum(row => (long)row.Key.Length + row.Value.Length));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{groups.Sum(g => g.Count):N0} rows in 8 groups, {raw / 1e6:F1} MB raw; {Environment.ProcessorCount} cores; best of {repetitions} (after one warm-up run each)"));
        Console.WriteLine($"{"codec",-7} {"engine",-8} {"input MB",9} {"output MB",10} {"best s",7} {"raw MB/s",9} {"input MB/s",11} {"cpu s",6} {"raw MB/cpu-s",13}");
        foreach (var codec in CompactionThroughput.Codecs(args, [CompressionCodec.None, CompressionCodec.Lz4, CompressionCodec.Snappy, CompressionCodec.Zstd]))
        {
            var root = Path.Combine(Path.GetTempPath(), "slatedb-compaction-bench-" + Guid.NewGuid().ToString("N"));
            try
            {
                var ours = new Best();
                var rocks = new Best();
                for (var i = 0; i <= repetitions; i++)
                {
                    var (oursSeconds, oursCpu, oursIn, oursOut) = await RunOursAsync(Path.Combine(root, "ours" + i), codec, groups).ConfigureAwait(false);
                    var (rocksSeconds, rocksCpu, rocksIn, rocksOut) = RunRocksDb(Path.Combine(root, "rocks" + i), codec, groups);
                    if (i > 0)
                    {
                        ours.Add(oursSeconds, oursCpu, oursIn, oursOut);
                        rocks.Add(rocksSeconds, rocksCpu, rocksIn, rocksOut);
                    }

                    Directory.Delete(root, recursive: true);
                }

                Print(codec, "ours", ours, raw);
                Print(codec, "RocksDB", rocks, raw);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{codec,-7} ours/RocksDB {rocks.Seconds / ours.Seconds:F2}x (wall), {rocks.CpuSeconds / ours.CpuSeconds:F2}x (CPU time)"));
            }
            finally
            {
                if (Directory.Exists(root))
                {
                    Directory.Delete(root, recursive: true);
                }
            }
        }

        return true;
    }

    private static void Print(CompressionCodec codec, string engine, Best best, long raw) =>
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{codec,-7} {engine,-8} {best.Input / 1e6,9:F1} {best.Output / 1e6,10:F1} {best.Seconds,7:F2} {raw / 1e6 / best.Seconds,9:F1} {best.Input / 1e6 / best.Seconds,11:F1} {best.CpuSeconds,6:F2} {raw / 1e6 / best.CpuSeconds,13:F1}"));

    /// <summary>Writes the groups as L0 SSTs (newest last written, first listed) and times one executor run over them.</summary>
    internal static async Task<(double Seconds, double CpuSeconds, long Input, long Output)> RunOursAsync(string folder, CompressionCodec codec, List<List<RowEntry>> groups)
    {
        var (executor, job) = await WriteOursAsync(folder, codec, groups).ConfigureAwait(false);

        // Start from a collected heap: the garbage of writing the inputs (the builders' buffers) is the write phase's,
        // as RocksDB's flushes are done before its compaction is timed.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        var output = await executor.ExecuteAsync(job, CancellationToken.None).ConfigureAwait(false);
        watch.Stop();
        return (watch.Elapsed.TotalSeconds, (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds, output.InputBytes, output.OutputBytes);
    }

    /// <summary>Writes the groups as L0 SSTs in <paramref name="folder"/>; returns an executor and the job that merges them.</summary>
    internal static async Task<(CompactionExecutor Executor, CompactionJob Job)> WriteOursAsync(string folder, CompressionCodec codec, List<List<RowEntry>> groups)
    {
        Directory.CreateDirectory(folder);
        var options = SlateDbOptions.Default with { CompressionCodec = codec };
        var store = new LocalFileSystemObjectStore(folder);
        var paths = new DbPaths("bench");
        var tables = new TableStore(store, paths, options, cache: null);
        var ids = new IdGenerator(TimeProvider.System, 1);
        var views = new List<SsTableView>();
        foreach (var group in groups)
        {
            var builder = new SstBuilder(tables.Settings, SstKind.Compacted);
            foreach (var row in group)
            {
                builder.Add(row);
            }

            views.Insert(0, SsTableView.Identity(await tables.WriteCompactedAsync(ids.NewUlid(), builder, CancellationToken.None).ConfigureAwait(false)));
        }

        var job = new CompactionJob(ids.NewUlid(), new CompactionPlan(views.Select(v => CompactionInput.L0View(v.Id.ToString())).ToArray(), 0), views, [], new RetentionPolicy(ulong.MaxValue - 1, 0, DropTombstones: true));
        var fetchTasks = int.TryParse(Environment.GetEnvironmentVariable("SLATEDB_BENCH_FETCH_TASKS"), out var tasks) ? tasks : 4;
        var readAhead = long.TryParse(Environment.GetEnvironmentVariable("SLATEDB_BENCH_READ_AHEAD"), out var ahead) ? ahead : CompactionExecutorSettings.DefaultReadAheadBytes;
        var settings = new CompactionExecutorSettings(tables.Settings, 256L * 1024 * 1024, fetchTasks, readAhead);
        return (new CompactionExecutor(tables, ids, TimeProvider.System, settings), job);
    }

    /// <summary>Writes the groups into RocksDB, one flush (one L0 file) each, and times <c>CompactRange</c> over all keys.</summary>
    private static (double Seconds, double CpuSeconds, long Input, long Output) RunRocksDb(string folder, CompressionCodec codec, List<List<RowEntry>> groups)
    {
        Directory.CreateDirectory(folder);
        var table = new BlockBasedTableOptions()
            .SetBlockSize(4096)
            .SetFilterPolicy(BloomFilterPolicy.Create(10, false));
        var options = new DbOptions()
            .SetCreateIfMissing(true)
            .SetCompression(codec switch
            {
                CompressionCodec.Lz4 => Compression.Lz4,
                CompressionCodec.Snappy => Compression.Snappy,
                CompressionCodec.Zstd => Compression.Zstd,
                _ => Compression.No,
            })
            .SetDisableAutoCompactions(1)
            .SetWriteBufferSize(1UL << 30)
            .SetMaxWriteBufferNumber(4)
            .SetLevel0FileNumCompactionTrigger(1000)
            .SetLevel0SlowdownWritesTrigger(1000)
            .SetLevel0StopWritesTrigger(1000)
            .SetBlockBasedTableFactory(table);
        using var db = RocksDb.Open(options, folder);
        var write = new RocksDbSharp.WriteOptions().DisableWal(1);
        var flush = new RocksDbSharp.FlushOptions().SetWaitForFlush(true);
        foreach (var group in groups)
        {
            using var batch = new RocksDbSharp.WriteBatch();
            foreach (var row in group)
            {
                batch.Put(row.Key.ToArray(), row.Value.ToArray());
            }

            db.Write(batch, write);
            db.Flush(flush);
        }

        var input = SstBytes(folder);
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        db.CompactRange((byte[]?)null, null);
        watch.Stop();
        return (watch.Elapsed.TotalSeconds, (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds, input, SstBytes(folder));
    }

    private static long SstBytes(string folder) => Directory.GetFiles(folder, "*.sst").Sum(file => new FileInfo(file).Length);

    /// <summary>Eight sorted groups of rows (about one key in three appears in more than one), oldest first.</summary>
    internal static List<List<RowEntry>> Groups(int rowsPerSst)
    {
        var random = new Random(42);
        var groups = new List<List<RowEntry>>();
        ulong seq = 1;
        var keySpace = rowsPerSst * 8 * 9 / 10;
        for (var g = 0; g < 8; g++)
        {
            var keys = new SortedSet<int>();
            while (keys.Count < rowsPerSst)
            {
                keys.Add(random.Next(keySpace));
            }

            // The group's keys and values live in one array (slices of it), not in millions of small ones: the rows stay
            // in memory for the whole benchmark and would otherwise make every full collection during our runs walk them.
            var arena = new MemoryStream();
            var spans = new List<(int Key, int KeyLength, int ValueLength)>(rowsPerSst);
            foreach (var k in keys)
            {
                var key = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"user:{k:D10}:profile"));
                var value = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{{\"name\":\"user {k}\",\"score\":{random.Next(100_000)},\"city\":\"{(char)('A' + random.Next(26))}ville\",\"seq\":{seq + (ulong)spans.Count}}}"));
                spans.Add(((int)arena.Length, key.Length, value.Length));
                arena.Write(key);
                arena.Write(value);
            }

            var bytes = arena.ToArray();
            var rows = new List<RowEntry>(rowsPerSst);
            foreach (var (at, keyLength, valueLength) in spans)
            {
                rows.Add(RowEntry.Put(bytes.AsMemory(at, keyLength), bytes.AsMemory(at + keyLength, valueLength), seq++, createTs: 1_700_000_000_000));
            }

            groups.Add(rows);
        }

        return groups;
    }

    private sealed class Best
    {
        public double Seconds { get; private set; } = double.MaxValue;

        public long Input { get; private set; }

        public long Output { get; private set; }

        /// <summary>The least CPU time of any repetition (the process's, all threads: on a shared machine the steadier measure).</summary>
        public double CpuSeconds { get; private set; } = double.MaxValue;

        public void Add(double seconds, double cpuSeconds, long input, long output)
        {
            if (seconds < Seconds)
            {
                (Seconds, Input, Output) = (seconds, input, output);
            }

            CpuSeconds = Math.Min(CpuSeconds, cpuSeconds);
        }
    }
}
