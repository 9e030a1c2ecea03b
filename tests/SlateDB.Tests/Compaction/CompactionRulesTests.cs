using SlateDB.Common;
using SlateDB.Compaction;
using SlateDB.Format;
using SlateDB.Manifest;

namespace SlateDB.Tests.Compaction;

/// <summary>The structural rules every compaction keeps, and how a finished one changes the manifest.</summary>
public sealed class CompactionRulesTests
{
    private static int _next = 100;

    private static SsTableView View()
    {
        var id = Ulid.FromParts((ulong)Interlocked.Increment(ref _next), 0, 7);
        var info = new SsTableInfoModel { FirstEntry = new byte[] { 1 }, LastEntry = new byte[] { 2 }, IndexOffset = 100, IndexLen = 10 };
        return SsTableView.Identity(new SsTableHandle(SsTableId.Compacted(id), 2, info));
    }

    private static SortedRun Run(uint id) => new(id, [View()]);

    private static CompactionInput In(SsTableView view) => CompactionInput.L0View(view.Id.ToString());

    private static CompactionInput In(uint run) => CompactionInput.SortedRun(run);

    private static LsmTreeState Tree(SsTableView[] l0, params uint[] runs) => new(null, null, l0, [.. runs.Select(Run)]);

    [Fact]
    public void A_window_of_L0_ending_at_the_oldest_view_is_valid()
    {
        var l0 = new[] { View(), View(), View() };
        var tree = Tree(l0, 3, 1);
        CompactionRules.Check(tree, new([In(l0[1]), In(l0[2])], 4), []).Should().BeNull();
        CompactionRules.Check(tree, new([In(l0[0]), In(l0[1]), In(l0[2]), In(3)], 3), []).Should().BeNull();
        CompactionRules.Check(tree, new([In(3), In(1)], 1), []).Should().BeNull();
    }

    [Fact]
    public void Newer_L0_views_cannot_skip_the_oldest()
    {
        var l0 = new[] { View(), View(), View() };
        CompactionRules.Check(Tree(l0), new([In(l0[0]), In(l0[1])], 0), []).Should().Contain("oldest");
    }

    [Fact]
    public void Gaps_unknown_inputs_and_duplicates_are_refused()
    {
        var l0 = new[] { View(), View() };
        var tree = Tree(l0, 5, 4, 3);
        CompactionRules.Check(tree, new([In(5), In(3)], 3), []).Should().Contain("contiguous");
        CompactionRules.Check(tree, new([In(6), In(5)], 5), []).Should().Contain("not in the tree");
        CompactionRules.Check(tree, new([In(5), In(5)], 5), []).Should().Contain("twice");
        CompactionRules.Check(tree, new([], 5), []).Should().Contain("no inputs");
        CompactionRules.Check(tree, new([In(View())], 6), []).Should().Contain("not in the tree");
    }

    [Fact]
    public void Destinations_follow_the_rules()
    {
        var l0 = new[] { View() };
        var tree = Tree(l0, 5, 4);
        CompactionRules.Check(tree, new([In(5), In(4)], 5), []).Should().Contain("lowest");
        CompactionRules.Check(tree, new([In(l0[0])], 5), []).Should().Contain("above every existing");
        CompactionRules.Check(tree, new([In(l0[0])], 9), []).Should().BeNull();
    }

    [Fact]
    public void Nothing_may_overlap_a_running_compaction()
    {
        var l0 = new[] { View(), View() };
        var tree = Tree(l0, 5, 4, 3, 2);
        CompactionPlan running = new([In(3), In(2)], 2);
        CompactionRules.Check(tree, new([In(4), In(3)], 3), [running]).Should().Contain("overlaps");
        CompactionRules.Check(tree, new([In(5), In(4)], 4), [running]).Should().BeNull();
        CompactionRules.Check(tree, new([In(l0[0]), In(l0[1])], 6), [new([In(l0[1])], 6)]).Should().Contain("overlaps");
        CompactionRules.Check(tree, new([In(l0[0]), In(l0[1])], 7), [new([In(9)], 6)]).Should().BeNull();
    }

    [Fact]
    public void A_finished_compaction_replaces_its_inputs_and_keeps_the_writers_fields()
    {
        var l0 = new[] { View(), View(), View(), View() };
        var core = new ManifestCore
        {
            Tree = Tree(l0, 7, 3, 1),
            NextWalSstId = 42,
            ReplayAfterWalId = 40,
            LastL0Seq = 1000,
            LastL0ClockTick = 123_456,
            RecentSnapshotMinSeq = 900,
            Checkpoints = [new Checkpoint(Guid.Empty, 3, null, DateTimeOffset.FromUnixTimeSeconds(10), "keep")],
        };
        var plan = new CompactionPlan([In(l0[2]), In(l0[3])], 8);
        var output = Run(8);

        var after = CompactionRules.ApplyFinished(core, plan, output);

        after.Tree.L0.Should().Equal(l0[0], l0[1]);
        after.Tree.Compacted.Select(run => run.Id).Should().Equal(8u, 7u, 3u, 1u);
        after.Tree.Compacted[0].Should().Be(output);
        after.Tree.LastCompactedL0SstViewId.Should().Be(l0[2].Id);
        after.Tree.LastCompactedL0SstId.Should().Be(l0[2].Sst.Id.CompactedId);
        (after with { Tree = core.Tree }).Should().Be(core, "only the tree changes");
    }

    [Fact]
    public void Sorted_run_compactions_take_the_destination_slot()
    {
        var core = new ManifestCore { Tree = Tree([View()], 9, 7, 3, 1, 0) };
        var plan = new CompactionPlan([In(3), In(1), In(0)], 0);
        var output = Run(0);
        var after = CompactionRules.ApplyFinished(core, plan, output);
        after.Tree.Compacted.Select(run => run.Id).Should().Equal(9u, 7u, 0u);
        after.Tree.Compacted[2].Should().Be(output);
        after.Tree.L0.Should().Equal(core.Tree.L0);
        after.Tree.LastCompactedL0SstViewId.Should().BeNull("no L0 view was compacted");
    }

    [Fact]
    public void An_empty_output_run_is_left_out()
    {
        var core = new ManifestCore { Tree = Tree([], 3, 1, 0) };
        var after = CompactionRules.ApplyFinished(core, new([In(1), In(0)], 0), new SortedRun(0, []));
        after.Tree.Compacted.Select(run => run.Id).Should().Equal(3u);
    }

    [Fact]
    public void Committing_inputs_that_are_gone_fails()
    {
        var l0 = new[] { View() };
        var core = new ManifestCore { Tree = Tree(l0, 1) };
        var act = () => CompactionRules.ApplyFinished(core, new([In(View())], 2), Run(2));
        act.Should().Throw<InvalidOperationException>();
        var clash = () => CompactionRules.ApplyFinished(core, new([In(l0[0])], 1), Run(1));
        clash.Should().Throw<InvalidOperationException>();
    }

    [Fact]
    public void The_last_run_is_the_lowest_with_nothing_below()
    {
        var l0 = new[] { View(), View() };
        var core = new ManifestCore { Tree = Tree(l0, 4, 2), RecentSnapshotMinSeq = 77, LastL0ClockTick = 5 };
        var toLowest = CompactionRules.Resolve(Ulid.FromParts(1, 0, 0), core, new([In(4), In(2)], 2));
        toLowest.Retention.Should().Be(new RetentionPolicy(77, 5, DropTombstones: true));
        toLowest.SortedRuns.Select(run => run.Id).Should().Equal(4u, 2u);
        CompactionRules.Resolve(Ulid.FromParts(1, 0, 0), core, new([In(4)], 4)).Retention.DropTombstones.Should().BeFalse();
        CompactionRules.Resolve(Ulid.FromParts(1, 0, 0), core, new([In(l0[0]), In(l0[1])], 5)).Retention.DropTombstones.Should().BeFalse();
        var empty = core with { Tree = Tree(l0) };
        var l0Only = CompactionRules.Resolve(Ulid.FromParts(1, 0, 0), empty, new([In(l0[0]), In(l0[1])], 0));
        l0Only.Retention.DropTombstones.Should().BeTrue();
        l0Only.L0Views.Should().Equal(l0);
    }

    [Fact]
    public void Full_plans_take_everything_into_the_lowest_run()
    {
        var l0 = new[] { View(), View() };
        CompactorRuntime.FullPlan(Tree(l0, 6, 2), includeL0: true, []).Should().Be(new CompactionPlan([In(l0[0]), In(l0[1]), In(6), In(2)], 2));
        CompactorRuntime.FullPlan(Tree(l0, 6, 2), includeL0: false, []).Should().Be(new CompactionPlan([In(6), In(2)], 2));
        CompactorRuntime.FullPlan(Tree(l0), includeL0: true, []).Should().Be(new CompactionPlan([In(l0[0]), In(l0[1])], 0));
        CompactorRuntime.FullPlan(Tree(l0), includeL0: false, []).Should().BeNull();
        CompactorRuntime.FullPlan(Tree([]), includeL0: true, []).Should().BeNull();
    }

    [Fact]
    public void Specs_round_trip_through_the_version_1_form()
    {
        var l0 = new[] { View(), View() };
        var l0Plan = new CompactionPlan([In(l0[0]), In(l0[1])], 12);
        CompactionRules.FromSpec(CompactionRules.ToSpec(l0Plan), freshRunId: 12).Should().Be(l0Plan);
        var runPlan = new CompactionPlan([In(l0[0]), In(4), In(3)], 3);
        CompactionRules.FromSpec(CompactionRules.ToSpec(runPlan), freshRunId: 99).Should().Be(runPlan);
    }

    [Fact]
    public void A_new_compactor_resumes_unfinished_records_and_keeps_the_newest_finished()
    {
        var spec = CompactionRules.ToSpec(new CompactionPlan([In(2), In(1)], 1));
        CompactionRecord Record(ulong ms, CompactionStatus status, CompactionSpec? s = null) =>
            new(Ulid.FromParts(ms, 0, 0), s ?? spec, status, [], new WorkerSpec("w", 1), null);
        var drain = new DrainSegmentSpec(new byte[] { 1 }, []);

        var recovered = CompactorRuntime.Recover(
        [
            Record(1, CompactionStatus.Completed), Record(2, CompactionStatus.Failed), Record(3, CompactionStatus.Running),
            Record(4, CompactionStatus.Submitted), Record(5, CompactionStatus.Scheduled), Record(6, CompactionStatus.Compacted),
            Record(7, CompactionStatus.Running, drain),
        ]);

        recovered.Select(r => (r.Id.TimestampMs, r.Status)).Should().Equal(
            (3UL, CompactionStatus.Submitted), (4UL, CompactionStatus.Submitted), (5UL, CompactionStatus.Submitted),
            (6UL, CompactionStatus.Submitted), (7UL, CompactionStatus.Failed));
        recovered.Should().OnlyContain(r => r.Worker == null && r.Spec is TieredCompactionSpec);
    }
}
