using System.Diagnostics;
using SlateDB.Compatibility.Tests.Engines;
using SlateDB.Compatibility.Tests.Model;
using SlateDB.Manifest;

namespace SlateDB.Compatibility.Tests.Scenarios;

/// <summary>
/// Scenario 5: compaction across engines. One engine writes several L0 SSTs and closes; the compacting engine opens
/// with its compactor on and waits until the manifest lists sorted runs; then the other engine reads everything
/// (sorted runs, remaining L0s) and continues, and the first engine checks the final state. The compactor's
/// <c>.compactions</c> record must decode too.
/// </summary>
public sealed class CompactionCompatibilityTests
{
    private static readonly EngineSettings Writing = EngineSettings.Default with { L0SstSizeBytes = 64 * 1024 };

    private static readonly EngineSettings Compacting = Writing with { Compactor = true, CompactorPollMillis = 100, CompactorMaxSstSize = 64 * 1024 };

    [CompatTheory]
    [InlineData(EngineKind.Rust)]
    [InlineData(EngineKind.DotNet)]
    public Task SlateDB_compacts_L0s_written_by_either_engine_and_both_read_the_result(EngineKind l0Writer) =>
        RunAsync(l0Writer, compactor: EngineKind.Rust, seed: 51);

    [CompatTheory]
    [InlineData(EngineKind.Rust)]
    [InlineData(EngineKind.DotNet)]
    public Task DotNet_compacts_L0s_written_by_either_engine_and_both_read_the_result(EngineKind l0Writer) =>
        RunAsync(l0Writer, compactor: EngineKind.DotNet, seed: 52);

    private static async Task RunAsync(EngineKind l0Writer, EngineKind compactor, int seed)
    {
        using var database = TestDatabase.Create($"compaction-{compactor}");
        await using var engines = await EnginePair.StartAsync();
        var model = new DbModel();
        var workload = new RandomWorkload(seed, keyCount: 600);
        var context = $"L0s by {l0Writer}, compacted by {compactor}, seed {seed}";

        var writer = engines[l0Writer];
        await writer.OpenAsync(database, Writing);
        for (var round = 0; round < 6; round++)
        {
            await workload.RunAsync(new ModelWriter(writer, model), 300);
            await writer.FlushMemtableAsync();
        }

        await writer.CloseAsync();
        var before = (await OnDisk.LatestManifestAsync(database)).Manifest.Core.Tree;
        before.L0.Count.Should().BeGreaterThanOrEqualTo(6, context);
        before.Compacted.Should().BeEmpty(context);

        var compacting = engines[compactor];
        await compacting.OpenAsync(database, Compacting);
        var after = await WaitForSortedRunsAsync(database, compacting, context);
        await ModelAssert.MatchesAsync(compacting, model, $"{context}: the compacting engine after compaction");
        await workload.RunAsync(new ModelWriter(compacting, model), 200);
        await compacting.CloseAsync();

        var compactions = database.ObjectsIn("compactions");
        compactions.Should().NotBeEmpty($"{context}: the compactor keeps a .compactions record");
        var latest = compactions[^1];
        var state = Manifest.Codec.CompactionsCodec.Decode(File.ReadAllBytes(Path.Combine(database.Folder, "compactions", latest)), latest);
        state.CompactorEpoch.Should().BeGreaterThan(0, context);

        var other = engines[EnginePair.Other(compactor)];
        await other.OpenAsync(database, Writing);
        await ModelAssert.MatchesAsync(other, model, $"{context}: read by {other.Kind} ({after.Compacted.Count} sorted runs, {after.L0.Count} L0s)");
        await workload.RunAsync(new ModelWriter(other, model), 200);
        await other.CloseAsync();

        await compacting.OpenAsync(database, Writing);
        await ModelAssert.MatchesAsync(compacting, model, $"{context}: final state");
        await compacting.CloseAsync();
    }

    private static async Task<LsmTreeState> WaitForSortedRunsAsync(TestDatabase database, ICompatEngine compacting, string context)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var tree = (await OnDisk.LatestManifestAsync(database)).Manifest.Core.Tree;
            if (tree.Compacted.Count > 0)
            {
                return tree;
            }

            if (watch.Elapsed > TimeSpan.FromSeconds(60))
            {
                throw new Xunit.Sdk.XunitException($"{context}: no sorted run after {watch.Elapsed.TotalSeconds:0} s ({tree.L0.Count} L0 SSTs).");
            }

            // A read keeps the engine busy enough for its background work on any runtime.
            await compacting.GetAsync([0x00]);
            await Task.Delay(100);
        }
    }
}
