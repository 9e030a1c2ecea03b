using SlateDB.Wal;

namespace SlateDB.Tests.Wal;

/// <summary>The replay range recovery works out from one listing of the WAL.</summary>
public sealed class WalReplayRangeTests
{
    [Fact]
    public void The_last_used_id_is_the_last_listed_after_the_replay_point()
    {
        WalReplayRange.LastUsedId(Listed(1, 2, 3, 4), replayAfter: 2, nextWalSstId: 5).Should().Be(4);
        WalReplayRange.LastUsedId(Listed(1, 2), replayAfter: 2, nextWalSstId: 3).Should().Be(2, "nothing after the replay point");
        WalReplayRange.LastUsedId(Listed(), replayAfter: 0, nextWalSstId: 1).Should().Be(0, "a new database");
        WalReplayRange.LastUsedId(Listed(), replayAfter: 57, nextWalSstId: 58).Should().Be(57, "every object up to the replay point may be collected");
    }

    [Fact]
    public void Objects_at_or_below_the_replay_point_may_have_gaps()
        => WalReplayRange.LastUsedId(Listed(1, 5, 6, 7), replayAfter: 6, nextWalSstId: 8).Should().Be(7);

    [Fact]
    public void One_unwritten_id_counted_by_the_manifest_is_the_write_a_crash_left_in_flight()
        => WalReplayRange.LastUsedId(Listed(3, 4), replayAfter: 2, nextWalSstId: 6).Should().Be(4, "the fence takes id 5");

    [Theory]
    [InlineData(1UL << 56)]
    [InlineData(7UL)]
    public void A_next_wal_id_further_above_the_listing_is_a_data_error(ulong nextWalSstId)
    {
        var act = () => WalReplayRange.LastUsedId(Listed(3, 4), replayAfter: 2, nextWalSstId);

        act.Should().Throw<SlateDbException>().Where(e => e.Kind == SlateDbErrorKind.Data && e.Message.Contains($"up to {nextWalSstId - 1}"));
    }

    [Fact]
    public void A_replay_point_far_above_every_listed_object_is_a_data_error()
    {
        var act = () => WalReplayRange.LastUsedId(Listed(1, 2, 3), replayAfter: 1UL << 56, nextWalSstId: (1UL << 56) + 1);

        act.Should().Throw<SlateDbException>().Where(e => e.Kind == SlateDbErrorKind.Data && e.Message.Contains("replay point"));
    }

    [Fact]
    public void A_gap_after_the_replay_point_is_a_data_error_naming_the_missing_id()
    {
        var act = () => WalReplayRange.LastUsedId(Listed(3, 4, 6, 7), replayAfter: 2, nextWalSstId: 8);

        act.Should().Throw<SlateDbException>().Where(e => e.Kind == SlateDbErrorKind.Data && e.Message.Contains("WAL object 5 is missing"));
    }

    [Fact]
    public void A_first_id_missing_right_after_the_replay_point_is_a_data_error()
    {
        var act = () => WalReplayRange.LastUsedId(Listed(1, 2, 4), replayAfter: 2, nextWalSstId: 5);

        act.Should().Throw<SlateDbException>().Where(e => e.Kind == SlateDbErrorKind.Data && e.Message.Contains("WAL object 3 is missing"));
    }

    [Fact]
    public void Zero_byte_fences_are_objects_like_any_other()
        => WalReplayRange.LastUsedId([new(3, 100, default), new(4, 0, default), new(5, 100, default)], replayAfter: 2, nextWalSstId: 6).Should().Be(5);

    private static List<WalObjectInfo> Listed(params ulong[] ids) => [.. ids.Select(id => new WalObjectInfo(id, 100, default))];
}
