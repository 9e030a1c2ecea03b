using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using SlateDB.Common;
using SlateDB.Compaction;
using SlateDB.Format;
using SlateDB.Manifest;
using SlateDB.Sst;
using SlateDB.Storage;

namespace SlateDB.Bencher;

/// <summary>
/// SlateDB's <c>bencher compaction load/run/clear</c> (its <c>CompactionExecuteBench</c>): <c>load</c> writes N SSTs
/// of about <c>--sst-bytes</c> each, whose keys interleave (a shared random prefix, a counter, the SST's number), so
/// every SST spans the whole key space; <c>run</c> compacts them (each SST one sorted run) into one run with the
/// compactor's executor and reports MB/s of input; <c>clear</c> deletes them. <c>sweep</c> does all three in memory
/// for each codec and each subcompaction count given.
/// </summary>
/// <remarks>
/// Usage: <c>compaction load|run|clear|sweep [--store memory|file:DIR] [--num-ssts 4] [--sst-bytes 67108864]
/// [--key-bytes 32] [--val-bytes 224] [--codec none|lz4|snappy|zstd|zlib] [--subcompactions 1[,2,4]]
/// [--max-sst-bytes 268435456] [--codecs none,lz4,snappy,zstd] [--seed 1]</c>.
/// </remarks>
internal static class CompactionBench
{
    private const string Root = "compaction-bench";

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length == 0)
        {
            Console.Error.WriteLine("usage: compaction load|run|clear|sweep [options]");
            return 2;
        }

        var options = Parse(args[1..]);
        var store = Store(options.GetValueOrDefault("store", "memory"));
        var numSsts = Int("num-ssts", 4);
        var sstBytes = Long("sst-bytes", 64L * 1024 * 1024);
        var keyBytes = Int("key-bytes", 32);
        var valBytes = Int("val-bytes", 224);
        var maxSstBytes = Long("max-sst-bytes", 256L * 1024 * 1024);
        var seed = Int("seed", 1);
        var subcompactions = options.GetValueOrDefault("subcompactions", "1").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        switch (args[0])
        {
            case "load":
                await LoadAsync(store, Codec(options.GetValueOrDefault("codec", "none")), numSsts, sstBytes, keyBytes, valBytes, seed);
                return 0;
            case "run":
                foreach (var n in subcompactions)
                {
                    await RunOnceAsync(store, options.TryGetValue("codec", out var codec) ? Codec(codec) : null, numSsts, maxSstBytes, n);
                }

                return 0;
            case "clear":
                await ClearAsync(store, numSsts);
                return 0;
            case "sweep":
                foreach (var codecName in options.GetValueOrDefault("codecs", "none,lz4,snappy,zstd").Split(','))
                {
                    var memory = new InMemoryObjectStore();
                    await LoadAsync(memory, Codec(codecName), numSsts, sstBytes, keyBytes, valBytes, seed);
                    foreach (var n in subcompactions)
                    {
                        await RunOnceAsync(memory, Codec(codecName), numSsts, maxSstBytes, n);
                    }

                    await ClearAsync(memory, numSsts);
                }

                return 0;
            default:
                Console.Error.WriteLine($"unknown compaction mode '{args[0]}' (load, run, clear, sweep)");
                return 2;
        }

        int Int(string name, int fallback) => options.TryGetValue(name, out var text) ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;

        long Long(string name, long fallback) => options.TryGetValue(name, out var text) ? long.Parse(text, CultureInfo.InvariantCulture) : fallback;
    }

    private static Dictionary<string, string> Parse(string[] args)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                throw new ArgumentException($"expected --name value, found '{args[i]}'");
            }

            options[args[i][2..]] = args[++i];
        }

        return options;
    }

    private static IObjectStore Store(string spec) => spec switch
    {
        "memory" => new InMemoryObjectStore(),
        _ when spec.StartsWith("file:", StringComparison.Ordinal) => new LocalFileSystemObjectStore(spec["file:".Length..]),
        _ => throw new ArgumentException($"unknown store '{spec}'"),
    };

    private static CompressionCodec Codec(string name) => Enum.Parse<CompressionCodec>(name, ignoreCase: true);

    private static Ulid SstId(int i) => Ulid.FromParts((ulong)i + 1, 0, (ulong)i + 1);

    private static TableStore Tables(IObjectStore store, CompressionCodec codec) =>
        new(store, new DbPaths(Root), SlateDbOptions.Default with { CompressionCodec = codec }, cache: null);

    private static async Task LoadAsync(IObjectStore store, CompressionCodec codec, int numSsts, long sstBytes, int keyBytes, int valBytes, int seed)
    {
        var started = Stopwatch.StartNew();
        var tables = Tables(store, codec);
        var prefix = new byte[Math.Max(0, keyBytes - 8)];
        new Random(seed).NextBytes(prefix);
        var keysPerSst = sstBytes / (keyBytes + valBytes);
        await Parallel.ForEachAsync(Enumerable.Range(0, numSsts), new ParallelOptions { MaxDegreeOfParallelism = 2 }, async (i, token) =>
        {
            var random = new Random(seed + i + 1);
            var builder = new SstBuilder(tables.Settings, SstKind.Compacted, sstBytes + (sstBytes / 8));
            var value = new byte[valBytes];
            for (long n = 0; n < keysPerSst; n++)
            {
                var key = new byte[prefix.Length + 8];
                prefix.CopyTo(key, 0);
                BinaryPrimitives.WriteUInt32BigEndian(key.AsSpan(prefix.Length), (uint)n);
                BinaryPrimitives.WriteUInt32BigEndian(key.AsSpan(prefix.Length + 4), (uint)i);
                random.NextBytes(value);
                builder.Add(RowEntry.Put(key, value.ToArray(), seq: (ulong)(n * numSsts) + (ulong)i + 1));
            }

            await tables.WriteCompactedAsync(SstId(i), builder, token);
        });
        Console.WriteLine($"compaction load: {numSsts} SSTs of {keysPerSst:N0} rows ({keyBytes} B keys, {valBytes} B values, {codec}) in {started.Elapsed.TotalSeconds:F1} s");
    }

    private static async Task RunOnceAsync(IObjectStore store, CompressionCodec? codec, int numSsts, long maxSstBytes, int subcompactions)
    {
        var paths = new DbPaths(Root);
        var runs = new List<SortedRun>();
        for (var i = 0; i < numSsts; i++)
        {
            var path = paths.CompactedSstPath(SstId(i));
            var sst = await SstFile.OpenAsync(store, path, null, 0, CancellationToken.None);
            var handle = new SsTableHandle(SsTableId.Compacted(SstId(i)), sst.FormatVersion, sst.Info);
            runs.Add(new SortedRun((uint)(numSsts - i), [SsTableView.Identity(handle)]));
        }

        var inputs = runs.Select(run => CompactionInput.SortedRun(run.Id)).ToArray();
        var job = new CompactionJob(Ulid.FromParts(1_000, 0, 1), new CompactionPlan(inputs, 0), [], runs, new RetentionPolicy(ulong.MaxValue, 0, DropTombstones: true));
        var tables = Tables(store, CompressionCodec.None);
        var build = codec is { } chosen ? SstBuildSettings.From(SlateDbOptions.Default with { CompressionCodec = chosen }) : null;
        var executor = new CompactionExecutor(tables, new IdGenerator(TimeProvider.System, 7), TimeProvider.System, new CompactionExecutorSettings(build, maxSstBytes, 4, CompactionExecutorSettings.DefaultReadAheadBytes, subcompactions));
        var output = await executor.ExecuteAsync(job, CancellationToken.None);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"compaction run: codec={codec?.ToString() ?? "inputs'"} max-subcompactions={subcompactions} ranges={output.Subcompactions} input={output.InputBytes / 1e6:F1} MB rows={output.RowsRead:N0} -> {output.Run.Views.Count} SSTs {output.OutputBytes / 1e6:F1} MB in {output.Duration.TotalSeconds:F2} s = {output.InputBytes / 1e6 / output.Duration.TotalSeconds:F1} MB/s of input"));
        foreach (var view in output.Run.Views)
        {
            await store.DeleteAsync(paths.SstPath(view.Sst.Id), CancellationToken.None);
        }
    }

    private static async Task ClearAsync(IObjectStore store, int numSsts)
    {
        var paths = new DbPaths(Root);
        for (var i = 0; i < numSsts; i++)
        {
            await store.DeleteAsync(paths.CompactedSstPath(SstId(i)), CancellationToken.None);
        }

        Console.WriteLine($"compaction clear: deleted {numSsts} SSTs");
    }
}
