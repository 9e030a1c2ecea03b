using SlateDB.Tests.Wal;
using SlateDB.GarbageCollection;
using static SlateDB.Tests.GarbageCollection.GcTestWorld;

namespace SlateDB.Tests.GarbageCollection;

/// <summary>
/// WAL fences (risk R1): the WAL task never deletes them; their own task (SlateDB's <c>wal_fence_options</c>) only
/// logs them unless its dry run is turned off.
/// </summary>
public sealed class WalFenceGarbageTests
{
    [Fact]
    public void Fence_options_default_to_a_dry_run_with_the_usual_interval_and_minimum_age()
    {
        var fences = new GarbageCollectorOptions().WalFenceOptions!;
        fences.DryRun.Should().BeTrue();
        fences.Interval.Should().Be(TimeSpan.FromMinutes(10));
        fences.MinAge.Should().Be(TimeSpan.FromMinutes(5));
        new GarbageCollectorOptions().WalOptions!.DryRun.Should().BeFalse();
    }

    [Fact]
    public async Task With_default_fence_options_the_wal_task_deletes_wal_ssts_and_every_fence_stays()
    {
        var w = new GcTestWorld();
        await w.WriteZeroByteFenceAsync(1);
        await w.WriteWalAsync(2);
        await w.Tables.WriteWalFenceAsync(3, CancellationToken.None);
        await w.WriteWalAsync(4, rows: 40);
        await w.WriteWalAsync(5);
        await w.WriteManifestAsync(core => core with { ReplayAfterWalId = 5, NextWalSstId = 6 });
        w.Advance(TimeSpan.FromDays(1));
        var directory = new GarbageCollectorDirectoryOptions { Interval = null, MinAge = TimeSpan.FromSeconds(1) };
        await using var collector = await w.StartCollectorAsync(new GarbageCollectorOptions { WalOptions = directory });

        var summary = await collector.RunOnceAsync();

        summary.CandidatesOf(GarbageKind.Wal).Should().Equal(w.Paths.WalSstPath(2), w.Paths.WalSstPath(4));
        var fenceTask = summary.For(GarbageKind.WalFence)!;
        fenceTask.DryRun.Should().BeTrue();
        fenceTask.Candidates.Should().Equal(w.Paths.WalSstPath(1), w.Paths.WalSstPath(3));
        fenceTask.Deleted.Should().Be(0);
        (await w.ExistsAsync(w.Paths.WalSstPath(1))).Should().BeTrue("a zero-byte fence (newer SlateDB) stays");
        (await w.ExistsAsync(w.Paths.WalSstPath(3))).Should().BeTrue("an SST without rows (SlateDB 0.12.1's fence) stays");
        (await w.ExistsAsync(w.Paths.WalSstPath(2))).Should().BeFalse();
        (await w.ExistsAsync(w.Paths.WalSstPath(4))).Should().BeFalse();
        (await w.ExistsAsync(w.Paths.WalSstPath(5))).Should().BeTrue("the replay point stays");
    }

    [Fact]
    public async Task The_fence_task_deletes_fences_only_when_its_dry_run_is_off()
    {
        var w = new GcTestWorld();
        await w.WriteZeroByteFenceAsync(1);
        await w.WriteWalAsync(2);
        await w.Tables.WriteWalFenceAsync(3, CancellationToken.None);
        await w.WriteWalAsync(4);
        await w.WriteManifestAsync(core => core with { ReplayAfterWalId = 4, NextWalSstId = 5 });
        w.Advance(TimeSpan.FromDays(1));
        var directory = new GarbageCollectorDirectoryOptions { Interval = null, MinAge = TimeSpan.FromSeconds(1) };
        await using var collector = await w.StartCollectorAsync(new GarbageCollectorOptions { WalOptions = null, WalFenceOptions = directory });

        var summary = await collector.RunOnceAsync();

        summary.For(GarbageKind.Wal).Should().BeNull("the WAL task is off");
        summary.For(GarbageKind.WalFence)!.Deleted.Should().Be(2);
        (await w.ExistsAsync(w.Paths.WalSstPath(1))).Should().BeFalse();
        (await w.ExistsAsync(w.Paths.WalSstPath(3))).Should().BeFalse();
        (await w.ExistsAsync(w.Paths.WalSstPath(2))).Should().BeTrue("WAL SSTs with rows are the WAL task's");
    }

    [Fact]
    public async Task Every_fence_size_is_under_the_probe_limit()
    {
        var w = new GcTestWorld();
        await w.Tables.WriteWalFenceAsync(1, CancellationToken.None);
        var fence = await w.Store.HeadAsync(w.Paths.WalSstPath(1), CancellationToken.None);
        fence!.Size.Should().BeLessThan(WalGarbage.FenceProbeMaxSize / 2, "a fence must be recognised by its size first");
    }
}
