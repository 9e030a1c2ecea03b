using SlateDB.GarbageCollection;
using SlateDB.Manifest;
using SlateDB.Storage;
using SlateDB.Testing;
using static SlateDB.Tests.GarbageCollection.GcTestWorld;

namespace SlateDB.Tests.GarbageCollection;

public sealed class GarbageCollectorTests
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task Deletes_everything_obsolete_and_old_enough_and_keeps_what_is_live()
    {
        var world = await StandardWorld.BuildAsync();
        var w = world.World;
        w.Advance(TimeSpan.FromMinutes(10));
        await using var collector = await w.StartCollectorAsync(GcOptions(Minute));

        var summary = await collector.RunOnceAsync();

        foreach (var (kind, expected) in world.Obsolete)
        {
            var result = summary.For(kind)!;
            result.Candidates.Should().BeEquivalentTo(expected, $"{kind} candidates");
            result.Deleted.Should().Be(expected.Length);
            result.Succeeded.Should().BeTrue();
        }

        var remaining = await w.AllPathsAsync();
        remaining.Should().BeEquivalentTo(world.Live.Append(w.Paths.GcBoundaryPath("manifest")).Append(w.Paths.GcBoundaryPath("compactions")));
        (await GcBoundary.ReadAsync(w.Store, w.Paths.GcBoundaryPath("manifest"), default)).Should().Be(2);
        (await GcBoundary.ReadAsync(w.Store, w.Paths.GcBoundaryPath("compactions"), default)).Should().Be(1);

        // A second run finds nothing more.
        (await collector.RunOnceAsync()).TotalDeleted.Should().Be(0);
    }

    [Fact]
    public async Task Nothing_younger_than_the_minimum_age_is_deleted()
    {
        var world = await StandardWorld.BuildAsync();
        var w = world.World;
        var before = await w.AllPathsAsync();
        await using var collector = await w.StartCollectorAsync(GcOptions(TimeSpan.FromMinutes(5)));

        // The newest object is 0 s old, the oldest 5 s: nothing may go until they are all past five minutes.
        foreach (var step in new[] { TimeSpan.Zero, TimeSpan.FromMinutes(2), TimeSpan.FromSeconds(174) })
        {
            w.Advance(step);
            var summary = await collector.RunOnceAsync();
            summary.Tasks.SelectMany(task => task.Candidates).Should().BeEmpty($"nothing is five minutes old after {step}");
            (await w.AllPathsAsync()).Should().BeEquivalentTo(before);
        }

        w.Advance(TimeSpan.FromSeconds(10));
        var late = await collector.RunOnceAsync();
        late.Tasks.SelectMany(task => task.Candidates).Should().BeEquivalentTo(world.AllObsolete);
    }

    [Fact]
    public async Task Dry_run_reports_the_same_candidates_and_deletes_nothing()
    {
        var world = await StandardWorld.BuildAsync();
        var w = world.World;

        // An expired checkpoint pinned manifest 2 (and with it a and b): a dry run must judge as if it were gone.
        await w.WriteManifestAsync(core => core with { Checkpoints = [w.CheckpointOn(2, w.Time.GetUtcNow().AddMinutes(1))] });
        w.Advance(TimeSpan.FromMinutes(10));
        var before = await w.AllPathsAsync();

        await using var dry = await w.StartCollectorAsync(GcOptions(Minute, dryRun: true));
        var dryRun = await dry.RunOnceAsync();
        (await w.AllPathsAsync()).Should().BeEquivalentTo(before, "a dry run writes and deletes nothing");
        dryRun.ExpiredCheckpoints.Should().Be(0);
        dryRun.Tasks.Should().OnlyContain(task => task.DryRun && task.Deleted == 0);

        await using var real = await w.StartCollectorAsync(GcOptions(Minute));
        var realRun = await real.RunOnceAsync();
        realRun.ExpiredCheckpoints.Should().Be(1);
        foreach (var kind in Enum.GetValues<GarbageKind>())
        {
            dryRun.CandidatesOf(kind).Should().Equal(realRun.CandidatesOf(kind), $"{kind} candidates");
            realRun.For(kind)!.Deleted.Should().Be(realRun.CandidatesOf(kind).Count);
        }

        // Manifest 4 stopped being the newest just now (the expiry wrote 5), so it stays for now, as in the dry run.
        realRun.CandidatesOf(GarbageKind.Manifest).Should().Equal(w.Paths.ManifestPath(1), w.Paths.ManifestPath(2), w.Paths.ManifestPath(3));
        realRun.CandidatesOf(GarbageKind.Compacted).Should().BeEquivalentTo(world.Obsolete[GarbageKind.Compacted]);
    }

    [Fact]
    public async Task Checkpoint_keeps_its_manifest_ssts_and_wal_range_until_it_expires()
    {
        var w = new GcTestWorld();
        for (ulong id = 1; id <= 8; id++)
        {
            await w.WriteWalAsync(id);
        }

        var a = await w.WriteSstAsync("a");
        w.Advance(TimeSpan.FromSeconds(1));
        await w.WriteManifestAsync(core => core with { Tree = Tree([a]), ReplayAfterWalId = 2, NextWalSstId = 5 });
        var b = await w.WriteSstAsync("b");
        var expires = w.Time.GetUtcNow().AddHours(1);
        await w.WriteManifestAsync(core => core with { Tree = Tree([b]), ReplayAfterWalId = 7, NextWalSstId = 9, Checkpoints = [w.CheckpointOn(1, expires)] });
        w.Advance(TimeSpan.FromMinutes(10));
        await using var collector = await w.StartCollectorAsync(GcOptions(Minute));

        var pinned = await collector.RunOnceAsync();
        pinned.CandidatesOf(GarbageKind.Manifest).Should().BeEmpty("manifest 1 is checkpointed and 2 is the newest");
        pinned.CandidatesOf(GarbageKind.Compacted).Should().BeEmpty("a belongs to the checkpoint");
        pinned.CandidatesOf(GarbageKind.Wal).Should().Equal([w.Paths.WalSstPath(1), w.Paths.WalSstPath(2), w.Paths.WalSstPath(6)],
            "the checkpoint replays WAL 3..5; 7 is the replay point");

        w.Advance(TimeSpan.FromHours(1));
        var expired = await collector.RunOnceAsync();
        expired.ExpiredCheckpoints.Should().Be(1);
        expired.CandidatesOf(GarbageKind.Manifest).Should().Equal(w.Paths.ManifestPath(1));
        expired.CandidatesOf(GarbageKind.Compacted).Should().Equal(w.Sst(a));
        expired.CandidatesOf(GarbageKind.Wal).Should().Equal(w.Paths.WalSstPath(3), w.Paths.WalSstPath(4), w.Paths.WalSstPath(5));
        await w.RefreshAsync();
        w.LatestManifestId.Should().Be(3);
        w.Latest.Core.Checkpoints.Should().BeEmpty();
        w.Latest.Core.Tree.Should().Be(Tree([b]), "the expiry changes nothing but the checkpoints");
    }

    [Fact]
    public async Task A_manifest_superseded_less_than_the_minimum_age_ago_keeps_what_it_references()
    {
        var w = new GcTestWorld();
        var a = await w.WriteSstAsync("a");
        await w.WriteManifestAsync(core => core with { Tree = Tree([a]) });
        w.Advance(TimeSpan.FromMinutes(30));
        var b = await w.WriteSstAsync("b");
        await w.WriteManifestAsync(core => core with { Tree = Tree([b]) });
        w.Advance(TimeSpan.FromSeconds(30));
        await using var collector = await w.StartCollectorAsync(GcOptions(Minute));

        // a is 30 minutes old and no longer in the newest manifest, but a reader may still be using manifest 1.
        var early = await collector.RunOnceAsync();
        early.CandidatesOf(GarbageKind.Compacted).Should().BeEmpty();
        early.CandidatesOf(GarbageKind.Manifest).Should().BeEmpty();

        w.Advance(Minute);
        var late = await collector.RunOnceAsync();
        late.CandidatesOf(GarbageKind.Manifest).Should().Equal(w.Paths.ManifestPath(1));
        late.CandidatesOf(GarbageKind.Compacted).Should().Equal(w.Sst(a));
        (await w.ExistsAsync(w.Sst(b))).Should().BeTrue();
    }

    [Fact]
    public async Task An_unfinished_compaction_keeps_outputs_written_after_it_started()
    {
        var w = new GcTestWorld();
        var old = await w.WriteSstAsync("old");
        var l0 = await w.WriteSstAsync("l0");
        await w.WriteManifestAsync(core => core with { Tree = Tree([l0]) });
        w.Advance(TimeSpan.FromSeconds(1));
        var running = w.Compaction(CompactionStatus.Running);
        w.Advance(TimeSpan.FromSeconds(1));
        var output = await w.WriteSstAsync("output");
        w.Advance(TimeSpan.FromSeconds(1));
        var newerL0 = await w.WriteSstAsync("l0-2");
        await w.WriteManifestAsync(core => core with { Tree = Tree([newerL0, l0]) });
        await w.WriteCompactionsAsync(1, running);
        w.Advance(TimeSpan.FromMinutes(10));
        await using var collector = await w.StartCollectorAsync(GcOptions(Minute));

        var during = await collector.RunOnceAsync();
        during.CandidatesOf(GarbageKind.Compacted).Should().Equal([w.Sst(old)], "the output is newer than the running compaction");

        // Once the compaction is done (committed to the manifest first), its output is referenced instead.
        await w.WriteManifestAsync(core => core with { Tree = Tree([], [output], newerL0.Id.CompactedId) });
        await w.WriteCompactionsAsync(2, running with { Status = CompactionStatus.Completed, OutputSsts = [output] });
        w.Advance(TimeSpan.FromMinutes(10));
        var after = await collector.RunOnceAsync();
        after.CandidatesOf(GarbageKind.Compacted).Should().Equal(w.Sst(l0));
        (await w.ExistsAsync(w.Sst(output))).Should().BeTrue();
        (await w.ExistsAsync(w.Sst(newerL0))).Should().BeTrue("it is the last compacted L0, the cutoff itself");
    }

    [Fact]
    public async Task Fences_below_the_replay_point_go_and_the_newest_wal_objects_stay()
    {
        var w = new GcTestWorld();
        await w.WriteZeroByteFenceAsync(1);
        await w.WriteWalAsync(2);
        await w.WriteWalAsync(3, rows: 0);
        await w.WriteWalAsync(4);
        await w.WriteZeroByteFenceAsync(5);
        await w.WriteZeroByteFenceAsync(6);
        await w.WriteManifestAsync(core => core with { ReplayAfterWalId = 4, NextWalSstId = 5 });
        w.Advance(TimeSpan.FromDays(1));
        await using var collector = await w.StartCollectorAsync(GcOptions(TimeSpan.Zero));

        var summary = await collector.RunOnceAsync();

        summary.CandidatesOf(GarbageKind.Wal).Should().Equal(w.Paths.WalSstPath(2));
        summary.CandidatesOf(GarbageKind.WalFence).Should().Equal([w.Paths.WalSstPath(1), w.Paths.WalSstPath(3)], "zero bytes and an SST without rows are fences, collected by the fence task (not a dry run here)");
        foreach (var id in new ulong[] { 4, 5, 6 })
        {
            (await w.ExistsAsync(w.Paths.WalSstPath(id))).Should().BeTrue($"WAL {id} is at or after the replay point");
        }

        (await w.ExistsAsync(w.Paths.ManifestPath(1))).Should().BeTrue("the newest manifest always stays");
    }

    [Fact]
    public async Task Failed_deletes_are_reported_and_retried_by_the_next_run()
    {
        FaultInjectingObjectStore? faulty = null;
        var world = await StandardWorld.BuildAsync(new GcTestWorld(time => faulty = new FaultInjectingObjectStore(new InMemoryObjectStore(time))));
        var w = world.World;
        w.Advance(TimeSpan.FromMinutes(10));
        await using var collector = await w.StartCollectorAsync(GcOptions(Minute));

        faulty!.Options = new FaultInjectionOptions { Operations = FaultOperations.Delete, PermanentFailureProbability = 1 };
        var failing = await collector.RunOnceAsync();
        failing.Tasks.Should().OnlyContain(task => task.Deleted == 0 && task.Failed == task.Candidates.Count && !task.Succeeded);
        (await w.AllPathsAsync()).Should().Contain(world.AllObsolete);

        faulty.Options = FaultInjectionOptions.None;
        var retried = await collector.RunOnceAsync();
        retried.Tasks.Should().OnlyContain(task => task.Succeeded);
        (await w.AllPathsAsync()).Should().NotContain(world.AllObsolete);
    }

    [Fact]
    public async Task A_task_that_cannot_read_reports_the_error_and_the_others_still_run()
    {
        var world = await StandardWorld.BuildAsync();
        var w = world.World;
        await w.Store.PutAsync(w.Paths.CompactionsPath(3), "not compactions"u8.ToArray(), PutMode.Create, default);
        w.Advance(TimeSpan.FromMinutes(10));
        await using var collector = await w.StartCollectorAsync(GcOptions(Minute));

        var summary = await collector.RunOnceAsync();

        summary.For(GarbageKind.Compacted)!.Error.Should().BeOfType<SlateDbException>().Which.Kind.Should().Be(SlateDbErrorKind.Data);
        summary.CandidatesOf(GarbageKind.Compacted).Should().BeEmpty();
        summary.For(GarbageKind.Wal)!.Deleted.Should().Be(3);
        summary.For(GarbageKind.WalFence)!.Deleted.Should().Be(1);
        (await w.ExistsAsync(w.Paths.CompactionsPath(3))).Should().BeTrue();
    }

    [Fact]
    public async Task Starting_without_a_database_or_with_bad_options_fails()
    {
        var store = new InMemoryObjectStore();
        var missing = () => GarbageCollector.StartAsync("nothing-here", store);
        (await missing.Should().ThrowAsync<SlateDbException>()).Which.Kind.Should().Be(SlateDbErrorKind.Invalid);

        var w = new GcTestWorld();
        await w.WriteManifestAsync(core => core);
        var badInterval = () => w.StartCollectorAsync(new GarbageCollectorOptions { WalOptions = new GarbageCollectorDirectoryOptions { Interval = TimeSpan.Zero } });
        await badInterval.Should().ThrowAsync<ArgumentException>();

        var collector = await w.StartCollectorAsync(new GarbageCollectorOptions());
        await collector.StopAsync();
        await collector.StopAsync();
        var afterStop = () => collector.RunOnceAsync();
        await afterStop.Should().ThrowAsync<ObjectDisposedException>();
    }
}
