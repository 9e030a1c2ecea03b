using System.Diagnostics;
using System.Globalization;
using SlateDB.Format;

namespace SlateDB.Benchmarks.Compaction;

/// <summary>
/// A probe for profiling one full compaction: writes the rows of <see cref="CompactionVsRocksDb"/> once (local folder
/// store), then runs the executor over them again and again, printing per run the time, the process's CPU time, the bytes allocated and the
/// collections, and the monotonic clock (ns) at its start and end so <c>perf report --time</c> can cut the runs out of
/// a <c>perf record -k CLOCK_MONOTONIC</c> profile. With <c>SLATEDB_ALLOCATION_SAMPLES=1</c> it also prints the
/// allocations of each run by type (sampled from the runtime's allocation tick events). Run with
/// <c>dotnet run -c Release --project benchmarks/SlateDB.Benchmarks -- compaction-profile [rows per SST] [runs] [codec]</c>.
/// </summary>
internal static class CompactionProfile
{
    public const string Command = "compaction-profile";

    public static async Task<bool> TryRunAsync(string[] args)
    {
        if (args.Length == 0 || args[0] != Command)
        {
            return false;
        }

        var rowsPerSst = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 250_000;
        var runs = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 5;
        var codec = args.Length > 3 ? Enum.Parse<CompressionCodec>(args[3], ignoreCase: true) : CompressionCodec.None;
        var groups = CompactionVsRocksDb.Groups(rowsPerSst);
        var raw = groups.Sum(group => group.Sum(row => (long)row.Key.Length + row.Value.Length));
        var folder = Path.Combine(Path.GetTempPath(), "slatedb-compaction-profile-" + Guid.NewGuid().ToString("N"));
        try
        {
            using var sampler = Environment.GetEnvironmentVariable("SLATEDB_ALLOCATION_SAMPLES") == "1" ? new AllocationSampler() : null;
            var (executor, job) = await CompactionVsRocksDb.WriteOursAsync(folder, codec, groups).ConfigureAwait(false);
            groups = null;
            GC.Collect();
            Console.WriteLine($"{"run",3} {"seconds",8} {"cpu s",6} {"raw MB/s",9} {"alloc MB",9} {"gen0",5} {"gen1",5} {"gen2",5} {"pause ms",9} {"start ns",20} {"end ns",20}");
            for (var run = 0; run < runs; run++)
            {
                var (gen0, gen1, gen2) = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
                var allocated = GC.GetTotalAllocatedBytes(precise: true);
                var pause = GC.GetTotalPauseDuration();
                sampler?.Take();
                sampler?.Enabled = true;
                var cpu = Process.GetCurrentProcess().TotalProcessorTime;
                var start = Stopwatch.GetTimestamp();
                var output = await executor.ExecuteAsync(job, CancellationToken.None).ConfigureAwait(false);
                var end = Stopwatch.GetTimestamp();
                var seconds = Stopwatch.GetElapsedTime(start, end).TotalSeconds;
                var cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
                Console.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"{run,3} {seconds,8:F2} {cpuSeconds,6:F2} {raw / 1e6 / seconds,9:F1} {(GC.GetTotalAllocatedBytes(precise: true) - allocated) / 1e6,9:F1} {GC.CollectionCount(0) - gen0,5} {GC.CollectionCount(1) - gen1,5} {GC.CollectionCount(2) - gen2,5} {(GC.GetTotalPauseDuration() - pause).TotalMilliseconds,9:F0} {Nanoseconds(start),20} {Nanoseconds(end),20}"));
                if (sampler is not null)
                {
                    sampler.Enabled = false;
                    foreach (var (type, bytes, samples) in sampler.Take().Take(12))
                    {
                        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    sampled {bytes / 1e6,8:F1} MB {samples,6} ticks  {type}"));
                    }
                }

                foreach (var view in output.Run.Views)
                {
                    File.Delete(Path.Combine(folder, "bench", "compacted", view.Sst.Id.ToString() + ".sst"));
                }
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }

        return true;
    }

    private static long Nanoseconds(long timestamp) => (long)(timestamp * (1e9 / Stopwatch.Frequency));
}
