using System.Diagnostics;
using SlateDB.Bencher;
using SlateDB.Comparison.Engines;

namespace SlateDB.Comparison.Ingest;

/// <summary>
/// The <c>ingest</c> workload in a child process: N single puts by one writer without a durable wait, sampling the
/// engine's L0 every 100 ms, ending with one WAL flush; then, with nothing settled beyond what the engine did on its
/// own, one cold pass of gets over the rows.
/// </summary>
internal sealed class IngestRun(ComparisonOptions options, IKvEngine engine, IIngestProbe probe)
{
    public const int Slices = 10;
    public static readonly TimeSpan SamplePeriod = TimeSpan.FromMilliseconds(100);

    private readonly ValuePool _values = new(options.ValueSize, options.Seed);
    private readonly KeyGenerator _keys = new(options.IngestOperations, options.KeySize, "uniform");

    public async Task<(IngestResult Result, double Seconds, double CpuSeconds)> RunAsync()
    {
        var total = options.IngestOperations;
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var bytesBefore = ProcessIo.BytesWritten();
        var storeBefore = probe.StoreBytesWritten();
        var stallBefore = probe.StallSeconds();
        var countersBefore = probe.Counters();
        var cpuBefore = ProcessIo.CpuSeconds();
        var slices = new double[Slices];
        IReadOnlyList<LsmShape> shapes;
        var clock = Stopwatch.StartNew();
        await using (var timeline = new L0Timeline(probe.Shape, SamplePeriod))
        {
            long next = 0;
            var sliceStart = 0.0;
            for (var slice = 0; slice < Slices; slice++)
            {
                var end = total * (slice + 1) / Slices;
                for (; next < end; next++)
                {
                    await engine.PutAsync(_keys.KeyOf(next), _values.ValueOf(next)).ConfigureAwait(false);
                }

                if (slice == Slices - 1)
                {
                    await engine.PersistAsync().ConfigureAwait(false);
                }

                var now = clock.Elapsed.TotalSeconds;
                slices[slice] = (end - (total * slice / Slices)) / Math.Max(now - sliceStart, 1e-9);
                sliceStart = now;
            }

            shapes = timeline.Samples;
        }

        var writeSeconds = clock.Elapsed.TotalSeconds;
        var writeCpu = ProcessIo.CpuSeconds() - cpuBefore;
        var fileBytes = ProcessIo.BytesWritten() - bytesBefore;
        var storeBytes = probe.StoreBytesWritten() - storeBefore;
        var stall = probe.StallSeconds() - stallBefore;
        var counters = probe.Counters().ToDictionary(c => c.Key, c => c.Value - countersBefore.GetValueOrDefault(c.Key));
        var final = probe.Shape();
        var limit = probe.L0Limit;
        var samples = shapes.Select(s => s.L0).ToList();
        var perSecond = (int)Math.Round(1 / SamplePeriod.TotalSeconds);

        // The read pass: cold (the first gets of this process), on whatever the engine left.
        var readShape = probe.Shape();
        var random = new Random(options.Seed);
        long found = 0;
        var readCpuBefore = ProcessIo.CpuSeconds();
        var readClock = Stopwatch.StartNew();
        for (long i = 0; i < options.Reads; i++)
        {
            if (await engine.GetAsync(_keys.KeyOf(random.NextInt64(total))).ConfigureAwait(false) == options.ValueSize)
            {
                found++;
            }
        }

        var readSeconds = readClock.Elapsed.TotalSeconds;
        var readCpu = ProcessIo.CpuSeconds() - readCpuBefore;
        if (found != options.Reads)
        {
            throw new InvalidOperationException($"{options.Engine}: ingest's read pass found {found:N0} of {options.Reads:N0} present keys.");
        }

        var result = new IngestResult
        {
            PutsPerSecond = total / writeSeconds,
            WriteSeconds = writeSeconds,
            SlicePutsPerSecond = slices,
            CpuMicrosPerPut = writeCpu * 1e6 / total,
            UserBytes = total * (options.KeySize + options.ValueSize),
            FileBytesWritten = fileBytes,
            StoreBytesWritten = storeBytes,
            Counters = counters.Count > 0 ? counters : null,
            StallSeconds = stall,
            L0Limit = limit,
            L0OverLimitFraction = limit is { } l ? L0Timeline.FractionAbove(samples, l) : null,
            L0AtLimitFraction = limit is { } m ? L0Timeline.FractionAbove(samples, m - 1) : null,
            MaxL0 = samples.Count > 0 ? samples.Max() : null,
            Samples = samples.Count,
            L0EverySecond = shapes.Where((_, i) => i % perSecond == 0).Select(s => s.L0).ToList(),
            SortedRunsEverySecond = shapes.Where((_, i) => i % perSecond == 0).Select(s => s.SortedRuns).ToList(),
            ManagedMiBEverySecond = shapes.Where((_, i) => i % perSecond == 0).Select(s => (int)(s.ManagedBytes >> 20)).ToList(),
            MaxUnflushedBytes = shapes.Max(s => s.UnflushedBytes),
            MaxManagedBytes = shapes.Count > 0 ? shapes.Max(s => s.ManagedBytes) : null,
            FinalL0 = final?.L0,
            FinalSortedRuns = final?.SortedRuns,
            ReadOpsPerSecond = options.Reads / readSeconds,
            ReadCpuMicrosPerOp = readCpu * 1e6 / options.Reads,
            Reads = options.Reads,
            ReadsFound = found,
            ReadL0 = readShape?.L0,
            ReadSortedRuns = readShape?.SortedRuns,
        };
        return (result, writeSeconds, writeCpu);
    }
}
