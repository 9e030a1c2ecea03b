using System.Diagnostics;

namespace SlateDB.WalBench;

/// <summary>
/// The raw cost of what a local-WAL durable write waits for: append a small record to a file and fsync it, one at a
/// time, in the same folder the local WAL uses. This bounds a single writer's durable-write latency from below.
/// </summary>
internal static class FsyncProbe
{
    private static void SyncDirectory(string folder)
    {
        if (!OperatingSystem.IsWindows())
        {
            using var process = System.Diagnostics.Process.Start(new ProcessStartInfo("sync", ["-f", folder]) { UseShellExecute = false })!;
            process.WaitForExit();
        }
    }

    public static (int Count, double P50Ms, double P99Ms) Run(string folder, TimeSpan duration, int recordBytes)
    {
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, "fsync-probe.bin");
        var record = new byte[recordBytes];
        var samples = new List<long>();
        if (File.Exists(path))
        {
            File.Delete(path);
        }

        // Opened and created as the local WAL opens a segment (its directory entry synced once), so the figures compare.
        using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read | FileShare.Delete, bufferSize: 0))
        {
            SyncDirectory(folder);
            var watch = Stopwatch.StartNew();
            while (watch.Elapsed < duration)
            {
                var start = Stopwatch.GetTimestamp();
                file.Write(record);
                file.Flush(flushToDisk: true);
                samples.Add(Stopwatch.GetTimestamp() - start);
            }
        }

        File.Delete(path);
        samples.Sort();
        double Percentile(double q) => samples[Math.Min(samples.Count - 1, (int)(q * samples.Count))] * 1000.0 / Stopwatch.Frequency;
        return (samples.Count, Percentile(0.50), Percentile(0.99));
    }
}
