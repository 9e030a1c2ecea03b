using SlateDB.Flush;

namespace SlateDB.Tests.Flush;

/// <summary>Under a memory budget, an L0 flush asks for a background full collection when none ran since the previous flush.</summary>
public sealed class FlushCollectionNudgeTests
{
    [Fact]
    public async Task With_a_budget_a_flush_starts_a_full_collection_unless_one_ran_since_the_last_flush()
    {
        var nudge = new FlushCollectionNudge(enabled: true);
        var before = GC.CollectionCount(2);
        nudge.AfterFlush().Should().BeTrue("the first flush asks for one");
        await WaitUntilAsync(() => GC.CollectionCount(2) > before);

        GC.Collect(2);
        nudge.AfterFlush().Should().BeFalse("a full collection ran since the previous flush");
        nudge.AfterFlush().Should().BeTrue("none ran since the previous flush");
    }

    [Fact]
    public void Without_a_budget_nothing_is_asked()
    {
        var nudge = new FlushCollectionNudge(enabled: false);
        nudge.Enabled.Should().BeFalse();
        nudge.AfterFlush().Should().BeFalse();
        nudge.AfterFlush().Should().BeFalse();
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 500 && !condition(); i++)
        {
            await Task.Delay(10);
        }

        condition().Should().BeTrue();
    }
}
