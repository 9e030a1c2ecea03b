using System.Globalization;
using System.Reflection;
using System.Text;

namespace SlateDB.Comparison;

/// <summary>
/// A diagnostic for where a child's resident memory goes (set <c>SLATEDB_MEMPROBE=1</c>): samples the resident set
/// every 5 ms and, each time it reaches a new high, records what the runtime and the engine hold at that moment — the
/// managed heap as of the last collection by generation (size and fragmentation, committed), the bytes allocated since
/// (<see cref="GC.GetTotalMemory(bool)"/>), and for ours the block cache's resident bytes and the unflushed bytes.
/// Prints the sample taken at the peak to stderr when disposed (with the last background collection's large-object
/// heap, live and free); <c>SLATEDB_MEMPROBE_TRACE=1</c> also prints a line every ~50 ms. Costs one small read of
/// /proc per sample.
/// </summary>
internal sealed class MemoryProbe : IDisposable
{
    private const long Step = 2L * 1024 * 1024;
    private readonly Thread _thread;
    private readonly Func<object?>? _engine;
    private volatile bool _stop;
    private long _peakRss;
    private string _peakReport = "";
    private long _maxTotalMemory;
    private long _maxUnflushed;
    private long _maxCache;
    private long _tick;
    private readonly bool _trace = Environment.GetEnvironmentVariable("SLATEDB_MEMPROBE_TRACE") is { Length: > 0 };
    private readonly LohAllocationListener _loh = new();

    private readonly System.Diagnostics.Metrics.MeterListener _meters = new();
    private long _backpressureWaits;
    private double _stallSeconds;

    private MemoryProbe(Func<object?>? engine)
    {
        _engine = engine;
        _meters.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Name.StartsWith("slatedb.db.backpressure", StringComparison.Ordinal))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _meters.SetMeasurementEventCallback<long>((instrument, value, _, _) => Interlocked.Add(ref _backpressureWaits, value));
        _meters.SetMeasurementEventCallback<double>((instrument, value, _, _) => _stallSeconds += value);
        _meters.Start();
        _thread = new Thread(Run) { IsBackground = true, Name = "memprobe" };
        _thread.Start();
    }

    /// <summary>A probe when <c>SLATEDB_MEMPROBE</c> is set, otherwise null.</summary>
    public static MemoryProbe? StartIfEnabled(Func<object?>? engine) =>
        Environment.GetEnvironmentVariable("SLATEDB_MEMPROBE") is { Length: > 0 } ? new MemoryProbe(engine) : null;

    public void Dispose()
    {
        _stop = true;
        _thread.Join();
        var info = GC.GetGCMemoryInfo(GCKind.Any);
        Console.Error.WriteLine(
            $"memprobe: peak RSS {Mi(_peakRss)} MiB; max GetTotalMemory {Mi(_maxTotalMemory)} MiB; max unflushed {Mi(_maxUnflushed)} MiB; " +
            $"max block cache {Mi(_maxCache)} MiB; GCs gen0/1/2 {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)}; " +
            $"total paused {GC.GetTotalPauseDuration().TotalMilliseconds:F0} ms; last GC promoted {Mi(info.PromotedBytes)} MiB");
        Console.Error.WriteLine("memprobe: at peak: " + _peakReport);
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"memprobe: backpressure waits {Interlocked.Read(ref _backpressureWaits)}, stalled {_stallSeconds:F2} s"));
        _meters.Dispose();
        Console.Error.WriteLine("memprobe: LOH allocations: " + _loh.Report());
        _loh.Dispose();
    }

    private void Run()
    {
        while (!_stop)
        {
            var rss = ResidentBytes();
            var total = GC.GetTotalMemory(false);
            _maxTotalMemory = Math.Max(_maxTotalMemory, total);
            var (unflushed, cache) = EngineFigures();
            _maxUnflushed = Math.Max(_maxUnflushed, unflushed);
            _maxCache = Math.Max(_maxCache, cache);
            if (_trace && ++_tick % 10 == 0)
            {
                var gi = GC.GetGCMemoryInfo(GCKind.Any);
                Console.Error.WriteLine($"trace {Environment.TickCount64 % 100000} rss {Mi(rss)} total {Mi(total)} committed {Mi(gi.TotalCommittedBytes)} loh {Mi(gi.GenerationInfo[3].SizeAfterBytes)}/{Mi(gi.GenerationInfo[3].FragmentationAfterBytes)} frag {Mi(gi.FragmentedBytes)} unflushed {Mi(unflushed)} cache {Mi(cache)} gcs {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)}");
            }

            if (rss >= _peakRss + Step)
            {
                _peakRss = rss;
                _peakReport = Describe(rss, total, unflushed, cache);
            }
            else if (rss > _peakRss)
            {
                _peakRss = rss;
            }

            Thread.Sleep(5);
        }
    }

    private static string Describe(long rss, long total, long unflushed, long cache)
    {
        var info = GC.GetGCMemoryInfo(GCKind.Any);
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"RSS {Mi(rss)}; GetTotalMemory {Mi(total)}; last GC #{info.Index} gen{info.Generation}: heap {Mi(info.HeapSizeBytes)} ");
        text.Append(CultureInfo.InvariantCulture, $"fragmented {Mi(info.FragmentedBytes)} committed {Mi(info.TotalCommittedBytes)} promoted {Mi(info.PromotedBytes)}; by gen (after, frag) ");
        string[] names = ["g0", "g1", "g2", "loh", "poh"];
        for (var g = 0; g < info.GenerationInfo.Length && g < names.Length; g++)
        {
            var gen = info.GenerationInfo[g];
            text.Append(CultureInfo.InvariantCulture, $"{names[g]} {Mi(gen.SizeAfterBytes)}/{Mi(gen.FragmentationAfterBytes)} ");
        }

        var bg = GC.GetGCMemoryInfo(GCKind.Background);
        if (bg.Index > 0 && bg.GenerationInfo.Length > 3)
        {
            text.Append(CultureInfo.InvariantCulture, $"; last background GC #{bg.Index}: loh after {Mi(bg.GenerationInfo[3].SizeAfterBytes)}/{Mi(bg.GenerationInfo[3].FragmentationAfterBytes)} g2 after {Mi(bg.GenerationInfo[2].SizeAfterBytes)}/{Mi(bg.GenerationInfo[2].FragmentationAfterBytes)} heap {Mi(bg.HeapSizeBytes)}");
        }

        text.Append(CultureInfo.InvariantCulture, $"; unflushed {Mi(unflushed)}; block cache {Mi(cache)}; GCs {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)} (MiB)");
        return text.ToString();
    }

    private (long Unflushed, long Cache) EngineFigures()
    {
        try
        {
            if (_engine?.Invoke() is not SlateDb db)
            {
                return (0, 0);
            }

            var unflushed = db.Status.UnflushedBytes;
            var components = typeof(SlateDb).GetField("_c", BindingFlags.NonPublic | BindingFlags.Instance)?.GetValue(db);
            var cache = components?.GetType().GetProperty("OwnedBlockCache")?.GetValue(components) as Caching.MemoryBlockCache;
            return (unflushed, cache is null ? 0 : cache.DataSizeBytes + cache.MetadataSizeBytes);
        }
        catch (Exception)
        {
            return (0, 0);
        }
    }

    private static long ResidentBytes()
    {
        var statm = File.ReadAllText("/proc/self/statm").Split(' ');
        return long.Parse(statm[1], CultureInfo.InvariantCulture) * Environment.SystemPageSize;
    }

    private static long Mi(long bytes) => bytes / (1024 * 1024);
}

/// <summary>Large-object-heap allocations by type and size (from the runtime's allocation ticks), for <see cref="MemoryProbe"/>.</summary>
internal sealed class LohAllocationListener : System.Diagnostics.Tracing.EventListener
{
    private readonly Dictionary<string, (long Count, long Bytes)> _bySize = [];

    public string Report()
    {
        lock (_bySize)
        {
            return string.Join("; ", _bySize.OrderByDescending(p => p.Value.Bytes).Take(25)
                .Select(p => $"{p.Key}: {p.Value.Count} x = {p.Value.Bytes / (1024 * 1024)} MiB"));
        }
    }

    protected override void OnEventSourceCreated(System.Diagnostics.Tracing.EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(source, System.Diagnostics.Tracing.EventLevel.Verbose, (System.Diagnostics.Tracing.EventKeywords)0x1);
        }
    }

    protected override void OnEventWritten(System.Diagnostics.Tracing.EventWrittenEventArgs e)
    {
        if (e.EventName is not { } name || !name.StartsWith("GCAllocationTick", StringComparison.Ordinal) || e.Payload is null)
        {
            return;
        }

        var kind = Convert.ToInt32(e.Payload[e.PayloadNames!.IndexOf("AllocationKind")], CultureInfo.InvariantCulture);
        if (kind == 0)
        {
            return;
        }

        var type = e.Payload[e.PayloadNames.IndexOf("TypeName")] as string ?? "?";
        var sizeIndex = e.PayloadNames.IndexOf("ObjectSize");
        var size = sizeIndex >= 0 ? Convert.ToInt64(e.Payload[sizeIndex], CultureInfo.InvariantCulture) : 0;
        var bucket = size switch { < 1 << 20 => $"{type} <1M", < 4 << 20 => $"{type} 1-4M", < 16 << 20 => $"{type} 4-16M", _ => $"{type} {size >> 20}M" };
        lock (_bySize)
        {
            var (count, bytes) = _bySize.GetValueOrDefault(bucket);
            _bySize[bucket] = (count + 1, bytes + size);
        }
    }
}
