using SlateDB.Compaction;

namespace SlateDB.Tests.Compaction;

/// <summary>The size-tiered scheduler's rules, table by table as SlateDB's own tests state them.</summary>
public sealed class SizeTieredCompactionSchedulerTests
{
    private static int _nextView;

    private static SizeTieredCompactionScheduler Scheduler(int maxConcurrent = 4, IReadOnlyDictionary<string, string>? options = null) =>
        new(SizeTieredSchedulerOptions.From(options), maxConcurrent);

    private static L0ViewInfo View(ulong size = 1)
    {
        var n = Interlocked.Increment(ref _nextView);
        return new L0ViewInfo(SlateDB.Common.Ulid.FromParts((ulong)n, 0, (ulong)n).ToString(), size);
    }

    private static L0ViewInfo[] Views(int count) => [.. Enumerable.Range(0, count).Select(_ => View())];

    private static SortedRunInfo Run(uint id, ulong size) => new(id, size, 2);

    private static CompactionSchedulerState State(IReadOnlyList<L0ViewInfo> l0, IReadOnlyList<SortedRunInfo> runs, params CompactionPlan[] active) =>
        new(l0, runs, active);

    private static CompactionPlan L0Plan(IEnumerable<L0ViewInfo> views, uint destination) =>
        new([.. views.Select(view => CompactionInput.L0View(view.ViewId))], destination);

    private static CompactionPlan RunPlan(params uint[] ids) =>
        new([.. ids.Select(CompactionInput.SortedRun)], ids[^1]);

    private static SortedRunInfo[] Runs(params (uint Id, ulong Size)[] runs) => [.. runs.Select(r => Run(r.Id, r.Size))];

    [Fact]
    public void Compacts_four_L0_views_into_run_0_of_an_empty_tree()
    {
        var l0 = Views(4);
        Scheduler().Propose(State(l0, [])).Should().Equal(L0Plan(l0, 0));
    }

    [Fact]
    public void Scheduler_options_come_from_the_string_map()
    {
        var scheduler = Scheduler(options: new Dictionary<string, string> { ["min_compaction_sources"] = "2", ["max_compaction_sources"] = "2" });
        var l0 = Views(2);
        scheduler.Propose(State(l0, [])).Should().Equal(L0Plan(l0, 0));
        scheduler.Options.IncludeSizeThreshold.Should().Be(4.0f);
    }

    [Theory]
    [InlineData("min_compaction_sources", "zero")]
    [InlineData("min_compaction_sources", "0")]
    [InlineData("max_compaction_sources", "-1")]
    [InlineData("include_size_threshold", "0.5")]
    [InlineData("include_size_threshold", "NaN")]
    public void Bad_scheduler_options_are_invalid(string key, string value)
    {
        var act = () => SizeTieredSchedulerOptions.From(new Dictionary<string, string> { [key] = value });
        act.Should().Throw<SlateDbException>().Which.Kind.Should().Be(SlateDbErrorKind.Invalid);
    }

    [Fact]
    public void Max_below_min_is_invalid()
    {
        var act = () => SizeTieredSchedulerOptions.From(new Dictionary<string, string> { ["min_compaction_sources"] = "6", ["max_compaction_sources"] = "5" });
        act.Should().Throw<SlateDbException>().Which.Kind.Should().Be(SlateDbErrorKind.Invalid);
    }

    [Fact]
    public void L0_goes_to_a_new_run_above_the_highest()
    {
        var l0 = Views(4);
        var proposals = Scheduler().Propose(State(l0, Runs((10, 2), (0, 2))));
        proposals.Should().HaveCount(1);
        proposals[0].Destination.Should().Be(11);
    }

    [Fact]
    public void New_run_id_also_clears_destinations_in_flight()
    {
        var l0 = Views(4);
        var runs = Runs((3, 2), (2, 2), (1, 2), (0, 2));
        var elsewhere = new CompactionPlan([CompactionInput.SortedRun(3)], 7);
        var proposals = Scheduler().Propose(State(l0, runs, elsewhere));
        proposals.Should().ContainSingle(p => p.HasL0Inputs).Which.Destination.Should().Be(8);
    }

    [Fact]
    public void Fewer_than_the_minimum_L0_views_wait()
    {
        Scheduler().Propose(State(Views(3), [])).Should().BeEmpty();
    }

    [Fact]
    public void More_than_the_maximum_L0_views_take_the_oldest()
    {
        var l0 = Views(11);
        var proposals = Scheduler().Propose(State(l0, []));
        proposals.Should().Equal(L0Plan(l0.Skip(3), 0));
    }

    [Fact]
    public void Runs_of_similar_size_merge_into_the_lowest()
    {
        var proposals = Scheduler().Propose(State([], Runs((4, 2), (3, 2), (2, 2), (1, 2), (0, 2))));
        proposals.Should().Equal(RunPlan(4, 3, 2, 1, 0));
    }

    [Fact]
    public void A_much_larger_run_is_left_out()
    {
        var proposals = Scheduler().Propose(State([], Runs((4, 2), (3, 2), (2, 2), (1, 2), (0, 10))));
        proposals.Should().Equal(RunPlan(4, 3, 2, 1));
    }

    [Fact]
    public void The_size_threshold_compares_with_the_smallest_run_so_far()
    {
        // 8 <= 4 x 2, but after a 1 the limit is 4: the series stops before the 8.
        var proposals = Scheduler().Propose(State([], Runs((5, 2), (4, 1), (3, 8), (2, 1), (1, 1), (0, 1))));
        proposals.Should().Equal(RunPlan(3, 2, 1, 0));
    }

    [Fact]
    public void Sources_in_use_are_not_scheduled_again()
    {
        var runs = Runs((4, 2), (3, 2), (2, 2), (1, 2), (0, 2));
        Scheduler().Propose(State([], runs, RunPlan(3, 2, 1, 0))).Should().BeEmpty();
    }

    [Fact]
    public void Fewer_than_the_minimum_runs_wait()
    {
        Scheduler().Propose(State([], Runs((2, 2), (1, 2), (0, 2)))).Should().BeEmpty();
    }

    [Fact]
    public void Long_series_are_clamped_to_the_oldest_eight()
    {
        var runs = Runs([.. Enumerable.Range(0, 12).Reverse().Select(i => ((uint)i, 2UL))]);
        Scheduler().Propose(State([], runs)).Should().Equal(RunPlan(7, 6, 5, 4, 3, 2, 1, 0));
    }

    [Fact]
    public void Backpressure_holds_small_runs_while_a_full_series_waits_below()
    {
        var runs = Runs([.. Enumerable.Range(0, 12).Reverse().Select(i => ((uint)i, 2UL))]);
        Scheduler().Propose(State([], runs, RunPlan(7, 6, 5, 4, 3, 2, 1, 0))).Should().BeEmpty();
    }

    [Fact]
    public void Backpressure_holds_L0_too()
    {
        var runs = Runs([.. Enumerable.Range(0, 8).Reverse().Select(i => ((uint)i, 2UL))]);
        Scheduler().Propose(State(Views(4), runs, RunPlan(7, 6, 5, 4, 3, 2, 1, 0))).Should().BeEmpty();
    }

    [Fact]
    public void Several_compactions_are_proposed_at_once()
    {
        var l0 = Views(4);
        var runs = Runs((10, 2), (9, 2), (8, 2), (7, 2), (3, 16), (2, 16), (1, 16), (0, 16));
        Scheduler().Propose(State(l0, runs)).Should().Equal(L0Plan(l0, 11), RunPlan(10, 9, 8, 7), RunPlan(3, 2, 1, 0));
    }

    [Fact]
    public void Proposals_stop_at_the_concurrency_limit()
    {
        var l0 = Views(4);
        var runs = Runs((10, 2), (9, 2), (8, 2), (7, 2), (3, 16), (2, 16), (1, 16), (0, 16));
        Scheduler(maxConcurrent: 2).Propose(State(l0, runs)).Should().Equal(L0Plan(l0, 11), RunPlan(10, 9, 8, 7));
        Scheduler(maxConcurrent: 2).Propose(State(l0, runs, RunPlan(10, 9, 8, 7))).Should().Equal(L0Plan(l0, 11));
    }

    [Fact]
    public void Validation_rejects_inputs_out_of_order()
    {
        var l0 = Views(3);
        var reordered = new[] { l0[2], l0[0], l0[1] };
        Scheduler().Validate(State(l0, []), L0Plan(reordered, 0)).Should().NotBeNull();
    }

    [Fact]
    public void Validation_rejects_a_skipped_view()
    {
        var l0 = Views(3);
        Scheduler().Validate(State(l0, []), L0Plan([l0[0], l0[2]], 0)).Should().NotBeNull();
    }

    [Fact]
    public void Validation_rejects_an_unknown_run()
    {
        var plan = new CompactionPlan([CompactionInput.SortedRun(0), CompactionInput.SortedRun(5)], 0);
        Scheduler().Validate(State([], Runs((0, 2))), plan).Should().NotBeNull();
    }

    [Fact]
    public void Validation_wants_the_lowest_run_as_destination()
    {
        var runs = Runs((1, 2), (0, 2));
        Scheduler().Validate(State([], runs), RunPlan(1, 0)).Should().BeNull();
        Scheduler().Validate(State([], runs), new CompactionPlan([CompactionInput.SortedRun(1), CompactionInput.SortedRun(0)], 1)).Should().NotBeNull();
        Scheduler().Validate(State([], Runs((0, 2), (1, 2))), RunPlan(0, 1)).Should().NotBeNull("the destination 1 is not the lowest");
    }
}
