using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace SlateDB.Comparison;

/// <summary>
/// The parent run: every (engine, workload) pair in its own child process, repetition after repetition, engines in
/// alternating order (forward, then reversed) so that slow phases of a shared machine spread over all of them.
/// </summary>
internal sealed class Orchestrator(ComparisonOptions options, string repoRoot)
{
    private static readonly TimeSpan ChildTimeout = TimeSpan.FromMinutes(10);

    /// <summary>The ingest workload's child: 10,000,000 single puts may take tens of minutes on a loaded machine.</summary>
    private static readonly TimeSpan IngestTimeout = TimeSpan.FromMinutes(90);
    private readonly string _nodeScript = Path.Combine(repoRoot, "tools", "slatedb-node", "bench.mjs");

    public async Task<ComparisonResults> RunAsync()
    {
        var clock = Stopwatch.StartNew();
        var nodeVersion = await NodeVersionAsync().ConfigureAwait(false);
        var engines = options.Engines.Where(engine => engine != EngineNames.SlateDbNode || NodeReady(nodeVersion)).ToList();
        var results = new ComparisonResults
        {
            GeneratedAt = TimeProvider.System.GetUtcNow(),
            Machine = await MachineInfo.CollectAsync(nodeVersion).ConfigureAwait(false),
            Settings = RunSettings.From(options, engines),
            Runs = [],
        };
        var work = options.WorkDirectory ?? Path.Combine(Path.GetTempPath(), $"slatedb-comparison-{Environment.ProcessId}");
        Directory.CreateDirectory(work);
        try
        {
            var step = 0;
            var repetitions = options.SelectedWorkloads.Max(options.RepetitionsOf);
            for (var rep = 0; rep < repetitions; rep++)
            {
                foreach (var workload in options.SelectedWorkloads.Where(w => rep < options.RepetitionsOf(w)))
                {
                    var order = step++ % 2 == 0 ? engines : Enumerable.Reverse(engines).ToList();
                    foreach (var engine in order)
                    {
                        // An engine skips the workloads it does not run (Workloads.RunsOn), Node also the repetitions past its count.
                        if (!Workloads.RunsOn(engine, workload) || (engine == EngineNames.SlateDbNode && rep >= options.NodeRepetitions))
                        {
                            continue;
                        }

                        var result = await RunOneAsync(engine, workload, work, rep).ConfigureAwait(false);
                        results.Runs.Add(result);
                        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                            $"  rep {rep + 1}  {workload,-10} {engine,-15} {result.OpsPerSecond,12:N0} ops/s  {result.Seconds,7:F2} s  peak {result.PeakRssBytes / 1048576.0,7:N0} MiB  cpu {result.CpuMicrosPerOp,7:F2} µs/op"));
                        if (result.InputMegabytesPerSecond is { } inputRate)
                        {
                            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                                $"      {inputRate:F1} MB/s of input, {result.WrittenBytes / 1e6:F1} MB written; {result.CompactionDetail}"));
                        }

                        if (result.Ingest is { } ingest)
                        {
                            Console.WriteLine(Report.IngestSection.ConsoleLine(ingest));
                        }
                    }
                }
            }
        }
        finally
        {
            TryDelete(work);
        }

        if (options.DurableSeconds > 0)
        {
            var bencher = Path.Combine(repoRoot, "benchmarks", "SlateDB.Bencher", "bin", "Release", "net10.0", "SlateDB.Bencher.dll");
            Console.WriteLine($"durable-write target: SlateDB.Bencher {string.Join(' ', DurableTarget.Arguments(options.DurableSeconds))}");
            results.Durable = await DurableTarget.RunAsync(bencher, options.DurableSeconds, repoRoot).ConfigureAwait(false);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  p50 {results.Durable.P50Ms:F1} ms  p99 {results.Durable.P99Ms:F1} ms  {results.Durable.PutsPerSecond:F1} PUT/s  {results.Durable.WritesPerSecond:N0} writes/s"));
        }

        results.Machine.LoadAverageAtEnd = await MachineInfo.LoadAverageAsync().ConfigureAwait(false);
        results.TotalSeconds = clock.Elapsed.TotalSeconds;
        return results;
    }

    private async Task<RunResult> RunOneAsync(string engine, string workload, string work, int rep)
    {
        var isFill = workload is Workloads.FillRandom or Workloads.FillBatch || Workloads.FillsInChild(workload);
        var ownFolder = workload == Workloads.FillRandom || Workloads.FillsInChild(workload);
        var directory = Path.Combine(work, $"{engine}-{(ownFolder ? workload : "batch")}");
        if (!isFill && !Directory.Exists(directory))
        {
            // readrandom and scan read what fillbatch wrote; fill it (untimed) when fillbatch was not selected.
            await RunChildAsync(engine, Workloads.FillBatch, directory, rep).ConfigureAwait(false);
        }

        var result = await RunChildAsync(engine, workload, directory, rep).ConfigureAwait(false);
        if (ownFolder)
        {
            TryDelete(directory);
        }

        return result with { Repetition = rep };
    }

    private async Task<RunResult> RunChildAsync(string engine, string workload, string directory, int rep)
    {
        var inv = CultureInfo.InvariantCulture;
        string output;
        if (engine == EngineNames.SlateDbNode)
        {
            List<string> args =
            [
                _nodeScript, "--workload", workload, "--dir", directory,
                "--ops", options.NodeRowsFor(workload).ToString(inv), "--reads", options.NodeReads.ToString(inv),
                "--batch", options.BatchSize.ToString(inv), "--value-size", options.ValueSize.ToString(inv),
                "--seed", options.Seed.ToString(inv),
            ];
            output = await ChildProcess.RunAsync("node", args, repoRoot, ChildTimeout).ConfigureAwait(false);
        }
        else
        {
            var (fileName, args) = ChildProcess.Self();
            args.AddRange(
            [
                "--engine", engine, "--workload", workload, "--dir", directory, "--rep", rep.ToString(inv),
                "--ops", options.Operations.ToString(inv), "--reads", options.Reads.ToString(inv),
                "--batch", options.BatchSize.ToString(inv), "--seed", options.Seed.ToString(inv),
                "--large-ops", options.LargeOperations.ToString(inv), "--ours-budget", options.OursMemoryBudget.ToString(inv),
                "--budget-bytes", options.BudgetBytes.ToString(inv),
                "--ingest-ops", options.IngestOperations.ToString(inv),
            ]);
            output = await ChildProcess.RunAsync(fileName, args, repoRoot, workload == Workloads.Ingest ? IngestTimeout : ChildTimeout, EngineNames.Environment(engine)).ConfigureAwait(false);
        }

        return JsonSerializer.Deserialize<RunResult>(ChildProcess.LastJsonLine(output), Json.Options)
            ?? throw new InvalidOperationException($"{engine} {workload}: empty result.");
    }

    private bool NodeReady(string? nodeVersion)
    {
        var binding = Path.Combine(repoRoot, "tools", "slatedb-node", "node_modules", "@slatedb", "uniffi");
        if (nodeVersion is not null && Directory.Exists(binding))
        {
            return true;
        }

        Console.WriteLine("SlateDB 0.12.1 skipped: needs node and `npm ci` in tools/slatedb-node.");
        return false;
    }

    private async Task<string?> NodeVersionAsync()
    {
        try
        {
            return (await ChildProcess.RunAsync("node", ["--version"], repoRoot, TimeSpan.FromSeconds(30)).ConfigureAwait(false)).Trim();
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return null;
        }
    }

    private static void TryDelete(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
