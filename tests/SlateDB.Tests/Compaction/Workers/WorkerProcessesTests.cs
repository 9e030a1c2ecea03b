using System.Diagnostics;
using System.Globalization;
using System.Text;
using SlateDB.Compaction;
using SlateDB.Storage;
using Xunit.Abstractions;

namespace SlateDB.Tests.Compaction.Workers;

/// <summary>
/// The acceptance run of compaction workers: a coordinator in this process and three worker processes (the
/// samples/CompactionWorker host) over one local folder; the worker that claims the full compaction is killed
/// (SIGKILL) mid-job, another reclaims it and completes it, and every row reads back once. The default run uses
/// 200,000 rows; <c>SLATEDB_WORKERS_ROWS</c> sets another count (scripts/compaction-workers-2m.sh runs 2,000,000).
/// </summary>
public sealed class WorkerProcessesTests(ITestOutputHelper output) : IDisposable
{
    private const string DbPath = "db";
    private readonly string _root = Directory.CreateTempSubdirectory("slatedb-workers-").FullName;
    private readonly List<Process> _workers = [];

    private static int Rows => int.TryParse(Environment.GetEnvironmentVariable("SLATEDB_WORKERS_ROWS"), CultureInfo.InvariantCulture, out var rows) ? rows : 200_000;

    private static byte[] Key(int i) => Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"key{i:D9}"));

    private static byte[] Value(int i) => Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"value-{i:D9}-{(uint)(i * 2654435761u):x8}-padding-padding-padding-padding-padding"));

    [Fact]
    public async Task Three_worker_processes_run_a_full_compaction_a_killed_worker_is_reclaimed_and_nothing_is_lost_or_duplicated()
    {
        var rows = Rows;
        var store = new LocalFileSystemObjectStore(_root);
        var options = SlateDbOptions.Default with { FlushInterval = TimeSpan.FromMilliseconds(100), CompactorOptions = null, GarbageCollectorOptions = null };
        var clock = Stopwatch.StartNew();
        await using (var db = await SlateDb.OpenAsync(DbPath, store, options))
        {
            const int L0Count = 8;
            var perFlush = (rows + L0Count - 1) / L0Count;
            for (var start = 0; start < rows; start += perFlush)
            {
                // Keys interleave across flushes, so every L0 SST spans the whole key range and must be merged.
                for (var batchStart = start; batchStart < Math.Min(rows, start + perFlush); batchStart += 5000)
                {
                    var batch = new WriteBatch();
                    for (var j = batchStart; j < Math.Min(Math.Min(rows, start + perFlush), batchStart + 5000); j++)
                    {
                        var i = (int)(j * 7L % rows); // a permutation: 7 is prime to the row counts used
                        batch.Put(Key(i), Value(i));
                    }

                    await db.WriteAsync(batch, new WriteOptions { AwaitDurable = false });
                }

                await db.FlushAsync(new FlushOptions { FlushType = FlushType.MemTable });
            }
        }

        output.WriteLine($"wrote {rows} rows into L0 in {clock.Elapsed.TotalSeconds:F1} s");
        var admin = SlateDbAdmin.For(DbPath, store);
        var before = await admin.ReadManifestAsync();
        var inputBytes = before.L0.Sum(sst => (long)sst.EstimatedSize);

        var coordinatorOptions = new CompactorOptions
        {
            Worker = null,
            PollInterval = TimeSpan.FromMilliseconds(200),
            CommitCompactedInterval = TimeSpan.FromMilliseconds(100),
            WorkerHeartbeatTimeout = TimeSpan.FromSeconds(3),
        };
        var compactor = await Compactor.Builder(DbPath, store).WithOptions(coordinatorOptions).WithPollingDisabled().StartAsync();
        await using (compactor)
        {
            var workerIds = new[] { "worker-a", "worker-b", "worker-c" };
            var processes = workerIds.ToDictionary(id => id, StartWorker);
            clock.Restart();
            var full = compactor.CompactFullAsync();

            // Kill (SIGKILL) the worker that claims the compaction, as soon as it is running there.
            string? killed = null;
            var deadline = DateTime.UtcNow.AddMinutes(2);
            while (killed is null && DateTime.UtcNow < deadline && !full.IsCompleted)
            {
                var state = await admin.ReadCompactionsAsync();
                if (state?.Compactions.FirstOrDefault(c => c.Status == CompactionJobStatus.Running && c.WorkerId is not null) is { } running)
                {
                    killed = running.WorkerId!;
                    processes[killed].Kill();
                    await processes[killed].WaitForExitAsync();
                    output.WriteLine($"killed {killed} {clock.Elapsed.TotalSeconds:F1} s after the submission");
                }

                await Task.Delay(20);
            }

            killed.Should().NotBeNull(
                "a worker claims the compaction (the submission {0} after {1:F1} s: {2})",
                full.Status,
                clock.Elapsed.TotalSeconds,
                full.Exception?.GetBaseException().ToString() ?? (await admin.ReadCompactionsAsync())?.Compactions.Select(c => $"{c.Status} by {c.WorkerId}").FirstOrDefault());
            var result = await full.WaitAsync(TimeSpan.FromMinutes(20));
            result.Should().NotBeNull();
            var compactSeconds = clock.Elapsed.TotalSeconds;
            var record = (await admin.ReadCompactionAsync(result!.Id))!;
            record.Status.Should().Be(CompactionJobStatus.Completed);
            record.WorkerId.Should().NotBe(killed, "the killed worker's claim was reclaimed").And.BeOneOf(workerIds);
            output.WriteLine(
                $"full compaction of {rows} rows ({inputBytes / 1e6:F1} MB in, {result.OutputBytes / 1e6:F1} MB out, {result.OutputSsts} SSTs) " +
                $"done by {record.WorkerId} {compactSeconds:F1} s after the submission (including the {coordinatorOptions.WorkerHeartbeatTimeout.TotalSeconds} s reclaim timeout)");

            foreach (var process in processes.Values.Where(p => !p.HasExited))
            {
                process.Kill();
            }
        }

        (await admin.ReadCompactionsAsync())!.FormatVersion.Should().Be(1, "the stopped coordinator leaves version 1 for SlateDB 0.12.1");
        var after = await admin.ReadManifestAsync();
        after.L0.Should().BeEmpty();
        after.SortedRuns.Should().ContainSingle();

        // Every row once, in order, with its value.
        clock.Restart();
        await using var reader = await DbReader.OpenAsync(DbPath, store);
        var expected = 0;
        await foreach (var row in reader.ScanAsync(KeyRange.All))
        {
            row.Key.ToArray().Should().Equal(Key(expected), "keys read back once each, in order");
            if (expected % 997 == 0)
            {
                row.Value.ToArray().Should().Equal(Value(expected));
            }

            expected++;
        }

        expected.Should().Be(rows);
        output.WriteLine($"read back {rows} rows in {clock.Elapsed.TotalSeconds:F1} s");
    }

    private Process StartWorker(string id)
    {
        var program = Path.Combine(AppContext.BaseDirectory, "SlateDB.Samples.CompactionWorker.dll");
        File.Exists(program).Should().BeTrue("the worker sample is built beside the tests");
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } hostPath ? hostPath : "dotnet";
        var start = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { program, "--store", new Uri(_root).AbsoluteUri, "--db", DbPath, "--worker-id", id, "--poll-ms", "100", "--heartbeat-ms", "300", "--max", "1" })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { output.WriteLine($"[{id}] {e.Data}"); } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { output.WriteLine($"[{id}] ! {e.Data}"); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _workers.Add(process);
        return process;
    }

    public void Dispose()
    {
        foreach (var process in _workers)
        {
            try
            {
                if (!process.HasExited)
                {
                    process.Kill();
                    process.WaitForExit(10_000);
                }
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }

            process.Dispose();
        }

        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS to clean.
        }
    }
}
