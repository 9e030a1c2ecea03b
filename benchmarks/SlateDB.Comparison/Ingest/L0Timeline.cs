using System.Diagnostics;

namespace SlateDB.Comparison.Ingest;

/// <summary>
/// Samples an engine's LSM shape at a fixed period on a background task while the puts run, and reduces the samples
/// to the share of the run spent above (and at) an L0 limit. Samples are evenly spaced in time, so a share of samples
/// is a share of the run.
/// </summary>
internal sealed class L0Timeline : IAsyncDisposable
{
    private readonly List<LsmShape> _shapes = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public L0Timeline(Func<LsmShape?> sample, TimeSpan period)
    {
        _loop = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(period);
            try
            {
                do
                {
                    if (sample() is { } shape)
                    {
                        shape = shape with { ManagedBytes = GC.GetTotalMemory(forceFullCollection: false) };
                        lock (_shapes)
                        {
                            _shapes.Add(shape);
                        }
                    }
                }
                while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false));
            }
            catch (OperationCanceledException)
            {
            }
        });
    }

    /// <summary>The samples so far, in order.</summary>
    public IReadOnlyList<LsmShape> Samples
    {
        get
        {
            lock (_shapes)
            {
                return [.. _shapes];
            }
        }
    }

    /// <summary>The share of <paramref name="samples"/> above <paramref name="limit"/> (0 when there are none).</summary>
    public static double FractionAbove(IReadOnlyList<int> samples, int limit) =>
        samples.Count == 0 ? 0 : (double)samples.Count(l0 => l0 > limit) / samples.Count;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
    }
}

/// <summary>
/// An engine's LSM shape: L0 SSTs (files) and sorted runs below L0; with the bytes it holds in memory not yet in L0
/// (ours), and the managed heap when sampled.
/// </summary>
internal readonly record struct LsmShape(int L0, int SortedRuns, long? UnflushedBytes = null, long ManagedBytes = 0);

/// <summary>The engine-side figures the ingest workload reads besides the puts and gets themselves.</summary>
internal interface IIngestProbe
{
    /// <summary>The L0 limit the engine holds writers at (ours: <c>L0MaxSsts</c>); null when it has none comparable.</summary>
    int? L0Limit { get; }

    /// <summary>The current shape, cheaply (called every 100 ms during the puts); null when the engine cannot say.</summary>
    LsmShape? Shape();

    /// <summary>Seconds writers have been stalled so far; null when the engine does not say.</summary>
    double? StallSeconds();

    /// <summary>Bytes written to the object store so far (ours); null for engines on files.</summary>
    long? StoreBytesWritten();

    /// <summary>Engine counters to report (bytes by kind), so far.</summary>
    IReadOnlyDictionary<string, double> Counters();
}

/// <summary>Bytes this process passed to write system calls (<c>wchar</c> in /proc/self/io; 0 where it does not exist).</summary>
internal static class ProcessIo
{
    public static long BytesWritten()
    {
        const string Io = "/proc/self/io";
        if (!File.Exists(Io))
        {
            return 0;
        }

        foreach (var line in File.ReadLines(Io))
        {
            if (line.StartsWith("wchar:", StringComparison.Ordinal))
            {
                return long.Parse(line["wchar:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }

    public static double CpuSeconds()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime.TotalSeconds;
    }
}
