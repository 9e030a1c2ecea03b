using System.Diagnostics;
using System.Globalization;
using System.Text;
using SlateDB.Common;
using SlateDB.Compaction;
using SlateDB.Format;
using SlateDB.Manifest;
using SlateDB.Sst;
using SlateDB.Storage;

namespace SlateDB.Benchmarks.Compaction;

/// <summary>
/// Compaction throughput, per codec: eight overlapping L0 SSTs (random keys, JSON-ish values, some keys in several SSTs)
/// merged into one sorted run by the executor, over an in-memory store. Reports MB/s of encoded input merged (the SST
/// bytes read) and of raw input (keys and values). Run with
/// <c>dotnet run -c Release --project benchmarks/SlateDB.Benchmarks -- compaction-throughput [rows per SST] [repeats] [codecs, e.g. none,lz4]</c>.
/// </summary>
internal static class CompactionThroughput
{
    public const string Command = "compaction-throughput";

    public static async Task<bool> TryRunAsync(string[] args)
    {
        if (args.Length == 0 || args[0] != Command)
        {
            return false;
        }

        var rowsPerSst = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 100_000;
        var repeats = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 3;
        Console.WriteLine($"{"codec",-8} {"input MB",9} {"raw MB",8} {"output MB",10} {"rows in",10} {"rows out",10} {"best s",7} {"MB/s",7} {"raw MB/s",9} {"merge s",8} {"build s",8}");
        foreach (var codec in Codecs(args, [CompressionCodec.None, CompressionCodec.Snappy, CompressionCodec.Lz4, CompressionCodec.Zstd, CompressionCodec.Zlib]))
        {
            await RunCodecAsync(codec, rowsPerSst, repeats).ConfigureAwait(false);
        }

        return true;
    }

    /// <summary>The codecs named by the fourth argument (comma-separated, e.g. <c>none,lz4</c>), or all of them.</summary>
    internal static IEnumerable<CompressionCodec> Codecs(string[] args, CompressionCodec[] all) =>
        args.Length > 3
            ? args[3].Split(',').Select(name => Enum.Parse<CompressionCodec>(name, ignoreCase: true))
            : all;

    private static async Task RunCodecAsync(CompressionCodec codec, int rowsPerSst, int repeats)
    {
        var options = SlateDbOptions.Default with { CompressionCodec = codec };
        var store = new InMemoryObjectStore();
        var paths = new DbPaths("bench");
        var tables = new TableStore(store, paths, options, cache: null);
        var ids = new IdGenerator(TimeProvider.System, 1);
        var (views, rawBytes) = await WriteInputsAsync(tables, ids, rowsPerSst).ConfigureAwait(false);
        var inputs = views.Select(view => CompactionInput.L0View(view.Id.ToString())).ToArray();
        var job = new CompactionJob(ids.NewUlid(), new CompactionPlan(inputs, 0), views, [], new RetentionPolicy(ulong.MaxValue - 1, 0, DropTombstones: true));
        var settings = new CompactionExecutorSettings(tables.Settings, 256L * 1024 * 1024, 4, CompactionExecutorSettings.DefaultReadAheadBytes);
        var executor = new CompactionExecutor(tables, ids, TimeProvider.System, settings);

        var best = TimeSpan.MaxValue;
        CompactionOutput? output = null;
        for (var i = 0; i < repeats + 1; i++)
        {
            var watch = Stopwatch.StartNew();
            output = await executor.ExecuteAsync(job, CancellationToken.None).ConfigureAwait(false);
            watch.Stop();
            foreach (var view in output.Run.Views)
            {
                await store.DeleteAsync(paths.SstPath(view.Sst.Id), CancellationToken.None).ConfigureAwait(false);
            }

            if (i > 0 && watch.Elapsed < best)
            {
                best = watch.Elapsed; // the first run warms up the JIT
            }
        }

        var seconds = best.TotalSeconds;
        var (merge, build) = await CompactionPhases.MeasureAsync(tables, job, settings, repeats).ConfigureAwait(false);
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{codec,-8} {output!.InputBytes / 1e6,9:F1} {rawBytes / 1e6,8:F1} {output.OutputBytes / 1e6,10:F1} {output.RowsRead,10} {output.RowsWritten,10} {seconds,7:F2} {output.InputBytes / 1e6 / seconds,7:F1} {rawBytes / 1e6 / seconds,9:F1} {merge,8:F2} {build,8:F2}"));
    }

    /// <summary>Eight L0 SSTs, newest first; about one key in ten appears in more than one of them.</summary>
    private static async Task<(SsTableView[] Views, long RawBytes)> WriteInputsAsync(TableStore tables, IdGenerator ids, int rowsPerSst)
    {
        var random = new Random(42);
        var views = new List<SsTableView>();
        long raw = 0;
        ulong seq = 1;
        var keySpace = rowsPerSst * 8 * 9 / 10;
        for (var sst = 0; sst < 8; sst++)
        {
            var keys = new SortedSet<int>();
            while (keys.Count < rowsPerSst)
            {
                keys.Add(random.Next(keySpace));
            }

            var builder = new SstBuilder(tables.Settings, SstKind.Compacted);
            foreach (var k in keys)
            {
                var key = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"user:{k:D10}:profile"));
                var value = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{{\"name\":\"user {k}\",\"score\":{random.Next(100_000)},\"city\":\"{(char)('A' + random.Next(26))}ville\",\"seq\":{seq}}}"));
                raw += key.Length + value.Length;
                builder.Add(RowEntry.Put(key, value, seq++, createTs: 1_700_000_000_000));
            }

            var handle = await tables.WriteCompactedAsync(ids.NewUlid(), builder, CancellationToken.None).ConfigureAwait(false);
            views.Insert(0, SsTableView.Identity(handle));
        }

        return ([.. views], raw);
    }
}
