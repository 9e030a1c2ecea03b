using System.Diagnostics;
using SlateDB.Bencher;
using SlateDB.Comparison.Engines;
using SlateDB.Comparison.Ingest;

namespace SlateDB.Comparison;

/// <summary>
/// One engine and one workload, in this (child) process: opens the engine on the folder, runs the untimed
/// preparation, times the workload, closes the engine and reports peak memory.
/// </summary>
internal sealed class ChildRun(ComparisonOptions options)
{
    /// <summary>
    /// Untimed passes before the timed read pass, the same for every .NET engine: the runtime compiles hot methods
    /// again with full optimization only after they have run for a while (tiered compilation), and one pass of a
    /// workload that lasts a second or less ends before that settles, so a single warm-up would time partly
    /// unoptimized code. Timing a later pass measures the steady state a long-running service sees.
    /// </summary>
    public const int WarmUpPasses = 3;

    /// <summary>Rows of the database this run reads (readrandom-large fills more).</summary>
    private readonly long _rows = options.Workload == Workloads.ReadLarge ? options.LargeOperations : options.Operations;
    private KeyGenerator? _keyGenerator;

    /// <summary>The rate of each tenth of the last pass of gets (<see cref="RunResult.TenthOpsPerSecond"/>).</summary>
    private IReadOnlyList<double>? _tenths;

    private KeyGenerator Keys => _keyGenerator ??= new(_rows, options.KeySize, "uniform");
    private readonly ValuePool _values = new(options.ValueSize, options.Seed);

    public async Task<RunResult> RunAsync()
    {
        var directory = options.Directory!;
        var workload = options.Workload!;
        var isFill = workload is Workloads.FillRandom or Workloads.FillBatch || Workloads.FillsInChild(workload);
        if (isFill && Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }

        Directory.CreateDirectory(directory);
        if (workload == Workloads.Ingest)
        {
            return await IngestAsync(directory).ConfigureAwait(false);
        }

        var engine = await OpenAsync(options.Engine!, directory).ConfigureAwait(false);
        using var probe = MemoryProbe.StartIfEnabled(() => (engine as OursEngine)?.Db);
        Measured measured;
        Compacted? compacted = null;
        try
        {
            switch (workload)
            {
                case Workloads.FillRandom:
                    measured = await TimeAsync(() => FillAsync(engine, batched: false)).ConfigureAwait(false);
                    break;
                case Workloads.FillBatch:
                    measured = await TimeAsync(() => FillAsync(engine, batched: true)).ConfigureAwait(false);
                    break;
                case Workloads.ReadAfterFill:
                    await FillAsync(engine, batched: true).ConfigureAwait(false);
                    measured = await TimedGetsAsync(engine).ConfigureAwait(false);
                    break;
                case Workloads.ReadFlushed:
                    await FillAsync(engine, batched: true).ConfigureAwait(false);
                    await engine.PrepareForReadsAsync().ConfigureAwait(false);
                    measured = await TimedGetsAsync(engine).ConfigureAwait(false);
                    break;
                case Workloads.ReadLarge:
                    await FillAsync(engine, batched: true).ConfigureAwait(false);
                    await engine.PrepareForReadsAsync().ConfigureAwait(false);
                    engine = await ReopenAsync(engine, directory).ConfigureAwait(false);
                    measured = await TimedGetsAsync(engine).ConfigureAwait(false);
                    break;
                case Workloads.ReadReopen:
                    await engine.PrepareForReadsAsync().ConfigureAwait(false);
                    engine = await ReopenAsync(engine, directory).ConfigureAwait(false);
                    measured = await TimedGetsAsync(engine).ConfigureAwait(false);
                    break;
                case Workloads.Compaction:
                    await engine.PrepareForReadsAsync().ConfigureAwait(false);
                    (measured, compacted) = await TimedCompactionAsync(engine).ConfigureAwait(false);
                    break;
                case Workloads.ReadCompacted:
                    await engine.PrepareForReadsAsync().ConfigureAwait(false);
                    await engine.CompactAllAsync().ConfigureAwait(false);
                    engine = await ReopenAsync(engine, directory).ConfigureAwait(false);
                    measured = await TimedGetsAsync(engine).ConfigureAwait(false);
                    break;
                case Workloads.ScanCold:
                    await engine.PrepareForReadsAsync().ConfigureAwait(false);
                    engine = await ReopenAsync(engine, directory).ConfigureAwait(false);
                    measured = await TimedScanAsync(engine).ConfigureAwait(false);
                    break;
                case Workloads.ReadRandom:
                    measured = await ReadRandomAsync(engine).ConfigureAwait(false);
                    break;
                default:
                    measured = await ScanAsync(engine).ConfigureAwait(false);
                    break;
            }
        }
        finally
        {
            await engine.DisposeAsync().ConfigureAwait(false);
        }

        return new RunResult
        {
            Engine = options.Engine!,
            Workload = workload,
            Repetition = options.Repetition,
            Operations = measured.Operations,
            Seconds = measured.Seconds,
            OpsPerSecond = measured.Operations / measured.Seconds,
            PeakRssBytes = ProcessMemory.PeakRssBytes(),
            CpuMicrosPerOp = measured.CpuSeconds * 1e6 / measured.Operations,
            AllocatedBytesPerOp = (double)measured.AllocatedBytes / measured.Operations,
            JitMicrosPerOp = measured.JitSeconds * 1e6 / measured.Operations,
            TenthOpsPerSecond = _tenths,
            SlateDbImage = EngineNames.IsOurs(options.Engine!) ? SlateDbImage.Describe() : null,
            Found = measured.Found,
            InputMegabytesPerSecond = compacted?.InputMegabytesPerSecond,
            WrittenBytes = compacted?.WrittenBytes,
            CompactionDetail = compacted?.Detail,
            MemoryBudgetBytes = MemoryBudget(options.Engine!) is > 0 and var budget ? budget : null,
        };
    }

    /// <summary>The <c>MemoryBudgetBytes</c> an engine of ours opens with (0: stock settings).</summary>
    private long MemoryBudget(string engine) => engine switch
    {
        EngineNames.OursBudget => options.BudgetBytes,
        var ours when EngineNames.IsOurs(ours) => options.OursMemoryBudget,
        _ => 0,
    };

    private async Task<IKvEngine> OpenAsync(string engine, string directory) => engine switch
    {
        var ours when EngineNames.IsOurs(ours) => await OursEngine.OpenAsync(directory, MemoryBudget(engine)).ConfigureAwait(false),
        EngineNames.RocksDb => RocksDbEngine.Open(directory),
        EngineNames.ZoneTree => ZoneTreeEngine.Open(directory),
        _ => throw new ArgumentException($"Engine '{engine}' does not run in a .NET child."),
    };

    /// <summary>The ingest workload (<see cref="IngestRun"/>): the engine opened with a probe of its shape and counters.</summary>
    private async Task<RunResult> IngestAsync(string directory)
    {
        IKvEngine engine;
        IIngestProbe probe;
        switch (options.Engine)
        {
            case EngineNames.Ours or EngineNames.OursJit or EngineNames.OursNoPgo:
                (var ours, var oursProbe) = await OursEngine.OpenForIngestAsync(directory, options.OursMemoryBudget).ConfigureAwait(false);
                (engine, probe) = (ours, oursProbe);
                break;
            case EngineNames.RocksDb:
                var rocks = RocksDbEngine.Open(directory);
                (engine, probe) = (rocks, new RocksDbIngestProbe(() => rocks.Db));
                break;
            default:
                (engine, probe) = (await OpenAsync(options.Engine!, directory).ConfigureAwait(false), new NoIngestProbe());
                break;
        }

        IngestResult ingest;
        double seconds;
        double cpu;
        try
        {
            (ingest, seconds, cpu) = await new IngestRun(options, engine, probe).RunAsync().ConfigureAwait(false);
        }
        finally
        {
            await engine.DisposeAsync().ConfigureAwait(false);
            (probe as IDisposable)?.Dispose();
        }

        return new RunResult
        {
            Engine = options.Engine!,
            Workload = Workloads.Ingest,
            Repetition = options.Repetition,
            Operations = options.IngestOperations,
            Seconds = seconds,
            OpsPerSecond = ingest.PutsPerSecond,
            PeakRssBytes = ProcessMemory.PeakRssBytes(),
            CpuMicrosPerOp = cpu * 1e6 / options.IngestOperations,
            Found = options.IngestOperations,
            Ingest = ingest,
        };
    }

    private async Task<IKvEngine> ReopenAsync(IKvEngine engine, string directory)
    {
        await engine.DisposeAsync().ConfigureAwait(false);
        return await OpenAsync(options.Engine!, directory).ConfigureAwait(false);
    }

    private async Task<(long Operations, long Found)> FillAsync(IKvEngine engine, bool batched)
    {
        var total = _rows;
        if (!batched)
        {
            for (long i = 0; i < total; i++)
            {
                await engine.PutAsync(Keys.KeyOf(i), ValueOf(i)).ConfigureAwait(false);
            }
        }
        else
        {
            var rows = new List<KeyValuePair<byte[], byte[]>>(options.BatchSize);
            for (long i = 0; i < total; i += options.BatchSize)
            {
                rows.Clear();
                for (var j = i; j < Math.Min(total, i + options.BatchSize); j++)
                {
                    rows.Add(new(Keys.KeyOf(j), ValueOf(j)));
                }

                await engine.WriteBatchAsync(rows).ConfigureAwait(false);
            }
        }

        await engine.PersistAsync().ConfigureAwait(false);
        return (total, total);
    }

    private async Task<Measured> ReadRandomAsync(IKvEngine engine)
    {
        await engine.PrepareForReadsAsync().ConfigureAwait(false);
        for (var pass = 0; pass < WarmUpPasses; pass++)
        {
            await GetPassAsync(engine, options.Seed + 1000 + pass).ConfigureAwait(false);
        }

        return await TimedGetsAsync(engine).ConfigureAwait(false);
    }

    /// <summary>Times one pass of gets (the seed's keys) and checks every key was found.</summary>
    private async Task<Measured> TimedGetsAsync(IKvEngine engine)
    {
        var measured = await TimeAsync(() => GetPassAsync(engine, options.Seed)).ConfigureAwait(false);
        return measured.Found == measured.Operations
            ? measured
            : throw new InvalidOperationException($"{options.Engine}: readrandom found {measured.Found:N0} of {measured.Operations:N0} present keys (seed {options.Seed}).");
    }

    private async Task<(long Operations, long Found)> GetPassAsync(IKvEngine engine, int seed)
    {
        var random = new Random(seed);
        long found = 0;
        var reads = options.Reads;
        var tenth = Math.Max(1, reads / 10);
        var tenths = new List<double>(10);
        var start = Stopwatch.GetTimestamp();
        for (long i = 0; i < reads; i++)
        {
            if (await engine.GetAsync(Keys.KeyOf(random.NextInt64(_rows))).ConfigureAwait(false) == options.ValueSize)
            {
                found++;
            }

            if ((i + 1) % tenth == 0 && tenths.Count < 10)
            {
                var now = Stopwatch.GetTimestamp();
                tenths.Add(tenth / Stopwatch.GetElapsedTime(start, now).TotalSeconds);
                start = now;
            }
        }

        _tenths = tenths; // The last pass's: the timed one, after any warm-up passes.
        return (reads, found);
    }

    private async Task<Measured> ScanAsync(IKvEngine engine)
    {
        await engine.PrepareForReadsAsync().ConfigureAwait(false);
        for (var pass = 0; pass < WarmUpPasses; pass++)
        {
            await engine.ScanAllAsync().ConfigureAwait(false);
        }

        return await TimedScanAsync(engine).ConfigureAwait(false);
    }

    /// <summary>
    /// Times the engine's full compaction of the database (its memtable already flushed): operations are the rows it
    /// rewrites, and the bytes written during it show whether it really rewrote them.
    /// </summary>
    private async Task<(Measured Measured, Compacted Compacted)> TimedCompactionAsync(IKvEngine engine)
    {
        string? detail = null;
        var writtenBefore = ProcessIo.BytesWritten();
        var measured = await TimeAsync(async () =>
        {
            detail = await engine.CompactAllAsync().ConfigureAwait(false);
            return (_rows, _rows);
        }).ConfigureAwait(false);
        var written = ProcessIo.BytesWritten() - writtenBefore;
        var inputMegabytes = _rows * (double)(options.KeySize + options.ValueSize) / 1e6;
        return (measured, new Compacted(inputMegabytes / measured.Seconds, written, detail));
    }

    private async Task<Measured> TimedScanAsync(IKvEngine engine)
    {
        var measured = await TimeAsync(async () =>
        {
            var rows = await engine.ScanAllAsync().ConfigureAwait(false);
            return (rows, rows);
        }).ConfigureAwait(false);
        return measured.Found == options.Operations
            ? measured
            : throw new InvalidOperationException($"{options.Engine}: the scan saw {measured.Found:N0} rows, expected {options.Operations:N0}.");
    }

    private static async Task<Measured> TimeAsync(Func<Task<(long Operations, long Found)>> body)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        using var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var jitBefore = System.Runtime.JitInfo.GetCompilationTime(currentThread: false);
        var clock = Stopwatch.StartNew();
        var (operations, found) = await body().ConfigureAwait(false);
        var seconds = clock.Elapsed.TotalSeconds;
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        var jit = (System.Runtime.JitInfo.GetCompilationTime(currentThread: false) - jitBefore).TotalSeconds;
        process.Refresh();
        var cpu = (process.TotalProcessorTime - cpuBefore).TotalSeconds;
        return new Measured(operations, found, seconds, cpu, allocated, jit);
    }

    private byte[] ValueOf(long index) => _values.ValueOf(index);

    /// <summary>The compaction workload's figures beyond <see cref="Measured"/>.</summary>
    private sealed record Compacted(double InputMegabytesPerSecond, long WrittenBytes, string? Detail);

    private readonly record struct Measured(long Operations, long Found, double Seconds, double CpuSeconds, long AllocatedBytes, double JitSeconds);
}
