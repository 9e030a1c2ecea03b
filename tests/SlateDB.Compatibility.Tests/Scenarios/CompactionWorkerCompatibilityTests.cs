using System.Buffers.Binary;
using System.Diagnostics;
using SlateDB.Compaction;
using SlateDB.Compatibility.Tests.Engines;
using SlateDB.Compatibility.Tests.Model;
using SlateDB.Storage;

namespace SlateDB.Compatibility.Tests.Scenarios;

/// <summary>
/// Compaction workers (RFC-0025) and SlateDB 0.12.1: our engine writes L0s, a coordinator (a compactor with no embedded
/// worker) hands a full compaction to a <see cref="CompactionWorker"/>, which runs it through <c>.compactions</c>
/// version 2; once the coordinator stops, the file is version 1 again. SlateDB 0.12.1 then opens the database with its
/// compactor on, reads the worker-made sorted run, writes more and compacts it itself; our engine reads the end state.
/// </summary>
public sealed class CompactionWorkerCompatibilityTests
{
    private static readonly EngineSettings Writing = EngineSettings.Default with { L0SstSizeBytes = 64 * 1024 };

    private static readonly EngineSettings Compacting = Writing with { Compactor = true, CompactorPollMillis = 100, CompactorMaxSstSize = 64 * 1024 };

    [CompatFact]
    public async Task SlateDB_0_12_1_reads_a_worker_run_compaction_and_compacts_the_database_afterwards()
    {
        using var database = TestDatabase.Create("compaction-workers");
        await using var engines = await EnginePair.StartAsync();
        var model = new DbModel();
        var workload = new RandomWorkload(61, keyCount: 600);
        var dotnet = engines[EngineKind.DotNet];
        await dotnet.OpenAsync(database, Writing);
        for (var round = 0; round < 5; round++)
        {
            await workload.RunAsync(new ModelWriter(dotnet, model), 300);
            await dotnet.FlushMemtableAsync();
        }

        await dotnet.CloseAsync();

        var store = new LocalFileSystemObjectStore(database.Root);
        var coordinator = new CompactorOptions { Worker = null, PollInterval = TimeSpan.FromMilliseconds(100), CommitCompactedInterval = TimeSpan.FromMilliseconds(50) };
        await using (var worker = await CompactionWorker.Builder(database.Path, store)
            .WithOptions(new CompactionWorkerOptions { CompactionsPollInterval = TimeSpan.FromMilliseconds(50), HeartbeatInterval = TimeSpan.FromMilliseconds(200) })
            .WithWorkerId(() => "compat-worker")
            .StartAsync())
        {
            await using var compactor = await Compactor.Builder(database.Path, store).WithOptions(coordinator).WithPollingDisabled().StartAsync();
            FormatOfLatest(database).Should().Be(2, "a coordinator with workers writes version 2");
            var result = await compactor.CompactFullAsync().WaitAsync(TimeSpan.FromMinutes(2));
            result.Should().NotBeNull();
            var record = await SlateDbAdmin.For(database.Path, store).ReadCompactionAsync(result!.Id);
            record!.WorkerId.Should().Be("compat-worker");
        }

        FormatOfLatest(database).Should().Be(1, "the stopped coordinator leaves version 1, which SlateDB 0.12.1 reads");
        var ourEpoch = (await OnDisk.LatestManifestAsync(database)).Manifest.CompactorEpoch;
        var afterWorkers = (await OnDisk.LatestManifestAsync(database)).Manifest.Core.Tree;
        afterWorkers.L0.Should().BeEmpty();
        afterWorkers.Compacted.Should().ContainSingle();
        var workerSsts = afterWorkers.Compacted.SelectMany(r => r.Views).Select(v => v.Sst.Id).ToHashSet();

        // SlateDB 0.12.1 with its compactor on: reads the worker's run, writes L0s and compacts them.
        var rust = engines[EngineKind.Rust];
        await rust.OpenAsync(database, Compacting);
        await ModelAssert.MatchesAsync(rust, model, "SlateDB 0.12.1 reads the worker-made sorted run");
        for (var round = 0; round < 5; round++)
        {
            await workload.RunAsync(new ModelWriter(rust, model), 300);
            await rust.FlushMemtableAsync();
        }

        var watch = Stopwatch.StartNew();
        while (true)
        {
            var manifest = (await OnDisk.LatestManifestAsync(database)).Manifest;
            var core = manifest.Core;
            // SlateDB's compactor ran once its epoch is there and the sorted runs hold an SST the worker did not write
            // (it may add a run or merge its L0s into the worker's run: either counts).
            if (manifest.CompactorEpoch > ourEpoch && !core.Tree.Compacted.SelectMany(r => r.Views).Select(v => v.Sst.Id).ToHashSet().SetEquals(workerSsts))
            {
                break;
            }

            watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(180), $"SlateDB 0.12.1 compacts the database (epoch {manifest.CompactorEpoch}, {core.Tree.L0.Count} L0s, {core.Tree.Compacted.Count} runs)");
            await rust.GetAsync([0x00]);
            await Task.Delay(100);
        }

        await ModelAssert.MatchesAsync(rust, model, "SlateDB 0.12.1 after its own compaction");
        await rust.CloseAsync();

        await dotnet.OpenAsync(database, Writing);
        await ModelAssert.MatchesAsync(dotnet, model, "our engine reads the end state");
        await dotnet.CloseAsync();
    }

    private static ushort FormatOfLatest(TestDatabase database)
    {
        var latest = database.ObjectsIn("compactions")[^1];
        return BinaryPrimitives.ReadUInt16BigEndian(File.ReadAllBytes(Path.Combine(database.Folder, "compactions", latest)));
    }
}
