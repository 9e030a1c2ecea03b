using SlateDB.Manifest;

namespace SlateDB.Tests.Manifest;

public sealed class SequenceTrackerTests
{
    private static DateTimeOffset At(long seconds) => DateTimeOffset.FromUnixTimeSeconds(seconds);

    [Fact]
    public void Records_pairs_and_finds_them_both_ways()
    {
        var tracker = SequenceTracker.Create(10, 1).Record(100, At(1000)).Record(200, At(2000)).Record(300, At(3000));
        tracker.SequenceNumbers.Should().Equal(100UL, 200UL, 300UL);
        tracker.FindSequenceNumber(At(2000), SequenceLookup.RoundDown).Should().Be(200);
        tracker.FindTimestamp(200, SequenceLookup.RoundDown).Should().Be(At(2000));
    }

    [Theory]
    [InlineData(150UL, true, 2000L)]
    [InlineData(150UL, false, 1000L)]
    [InlineData(50UL, true, 1000L)]
    [InlineData(50UL, false, null)]
    [InlineData(350UL, true, null)]
    [InlineData(350UL, false, 3000L)]
    [InlineData(300UL, true, 3000L)]
    public void Finds_times_with_rounding(ulong seq, bool roundUp, long? expectedSeconds)
    {
        var tracker = SequenceTracker.Create(10, 1).Record(100, At(1000)).Record(200, At(2000)).Record(300, At(3000));
        tracker.FindTimestamp(seq, roundUp ? SequenceLookup.RoundUp : SequenceLookup.RoundDown).Should().Be(expectedSeconds is { } s ? At(s) : null);
    }

    [Theory]
    [InlineData(1500L, true, 200UL)]
    [InlineData(1500L, false, 100UL)]
    [InlineData(500L, false, null)]
    [InlineData(3500L, true, null)]
    [InlineData(3500L, false, 300UL)]
    public void Finds_sequence_numbers_with_rounding(long seconds, bool roundUp, ulong? expected)
    {
        var tracker = SequenceTracker.Create(10, 1).Record(100, At(1000)).Record(200, At(2000)).Record(300, At(3000));
        tracker.FindSequenceNumber(At(seconds), roundUp ? SequenceLookup.RoundUp : SequenceLookup.RoundDown).Should().Be(expected);
    }

    [Fact]
    public void An_empty_tracker_finds_nothing()
    {
        SequenceTracker.Empty.FindTimestamp(1, SequenceLookup.RoundUp).Should().BeNull();
        SequenceTracker.Empty.FindSequenceNumber(At(1), SequenceLookup.RoundDown).Should().BeNull();
    }

    [Fact]
    public void Records_at_most_one_pair_per_interval()
    {
        var start = SequenceTracker.Empty;
        var tracker = start.Record(100, At(1000));
        tracker.Record(200, At(1030)).Should().BeSameAs(tracker, "30 s is inside the 60 s interval");
        tracker = tracker.Record(200, At(1030)).Record(300, At(1060));
        tracker.SequenceNumbers.Should().Equal(100UL, 300UL);
        start.Count.Should().Be(0, "recording never changes a tracker in place");
    }

    [Fact]
    public void Keeps_every_other_pair_when_over_capacity()
    {
        var tracker = SequenceTracker.Create(4, 1);
        for (var i = 0; i < 5; i++)
        {
            tracker = tracker.Record((ulong)(i * 100), At(i * 1000));
        }

        tracker.SequenceNumbers.Should().Equal(0UL, 200UL, 400UL);
        tracker.Timestamps.Should().Equal(0L, 2000L, 4000L);
        tracker = tracker.Record(500, At(5000));
        tracker.SequenceNumbers.Should().Equal(0UL, 200UL, 400UL, 500UL);
    }

    [Fact]
    public void The_default_capacity_holds_8192_pairs()
    {
        var sequences = Enumerable.Range(0, 8192).Select(i => (ulong)i).ToArray();
        var times = Enumerable.Range(0, 8192).Select(i => i * 60L).ToArray();
        var tracker = SequenceTracker.Empty.ExtendFrom(SequenceTracker.FromBytes(SequenceTrackerCodec.Encode(sequences, times)));

        tracker.Count.Should().Be(8192);
        tracker.Record(9000, At(8192 * 60L)).Count.Should().Be(4097);
    }

    [Fact]
    public void Rejects_pairs_that_go_back()
    {
        var tracker = SequenceTracker.Create(10, 1).Record(100, At(1000));
        FluentActions.Invoking(() => tracker.Record(99, At(2000))).Should().Throw<ArgumentException>();
        tracker.Record(200, At(999)).Should().BeSameAs(tracker, "an earlier time is inside the interval, so it is skipped");

        // A decoded tracker has no last recording time, so only the ordering check stands in the way.
        var decoded = SequenceTracker.FromBytes(tracker.ToBytes());
        FluentActions.Invoking(() => decoded.Record(200, At(999))).Should().Throw<ArgumentException>();
        decoded.Record(101, At(1001)).SequenceNumbers.Should().Equal(100UL, 101UL);
    }

    [Fact]
    public void Deltas_of_deltas_beyond_32_bits_wrap_as_in_slatedb()
    {
        var (sequences, timestamps) = SequenceTrackerCodec.Decode(SequenceTrackerCodec.Encode([0, 1UL << 33, (1UL << 33) + 5], [0, 1, 2]));
        sequences.Should().Equal(0UL, 0UL, 5UL);
        timestamps.Should().Equal(0L, 1L, 2L);
    }

    [Fact]
    public void Extends_from_another_tracker_with_the_same_rules()
    {
        var first = SequenceTracker.Create(10, 1).Record(100, At(1000)).Record(200, At(2000));
        var second = SequenceTracker.Create(10, 1).Record(300, At(3000)).Record(400, At(4000));
        var merged = first.ExtendFrom(second);
        merged.SequenceNumbers.Should().Equal(100UL, 200UL, 300UL, 400UL);
        merged.FindTimestamp(300, SequenceLookup.RoundDown).Should().Be(At(3000));
        first.ExtendFrom(SequenceTracker.Empty).Should().BeSameAs(first);
        SequenceTracker.Empty.ExtendFrom(first).SequenceNumbers.Should().Equal(100UL, 200UL);

        var sparse = SequenceTracker.Create(10, 60).Record(100, At(1000));
        var dense = SequenceTracker.Create(10, 1).Record(200, At(1030)).Record(300, At(1070)).Record(400, At(1100)).Record(500, At(1200));
        sparse.ExtendFrom(dense).SequenceNumbers.Should().Equal(100UL, 300UL, 500UL);
    }

    [Fact]
    public void Encodes_the_rfc_0012_layout()
    {
        SequenceTracker.Empty.ToBytes().Should().Equal(1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

        // Sequence numbers 100, 200, 300, 5000, 5000 and times 1000, 1060, 1121, 1300, 100000 exercise every prefix
        // code; the expected bytes come from an independent implementation of the layout.
        var tracker = SequenceTracker.Create(10, 1).Record(100, At(1000)).Record(200, At(1060)).Record(300, At(1121)).Record(5000, At(1300)).Record(5000, At(100000));
        var expected = Convert.FromHexString("0105000000000000050000000000000064c647800008fc7fffff6d200000000500000000000003e89e4071dbc000603640");
        tracker.ToBytes().Should().Equal(expected);
        SequenceTracker.FromBytes(expected).ToBytes().Should().Equal(expected);
        SequenceTracker.FromBytes(expected).SequenceNumbers.Should().Equal(100UL, 200UL, 300UL, 5000UL, 5000UL);
        SequenceTracker.FromBytes(expected).Timestamps.Should().Equal(1000L, 1060L, 1121L, 1300L, 100000L);
    }

    public static TheoryData<ulong[]> SequenceCases() => new()
    {
        Array.Empty<ulong>(),
        new ulong[] { 1000 },
        new ulong[] { 100, 200, 300, 400, 500 },
        new ulong[] { 100, 10000, 20000, 30000 },
        new ulong[] { 100, 101, 102, 103, 104 },
        new[] { ulong.MaxValue },
        new[] { (ulong)long.MaxValue + 1 },
        new[] { ulong.MaxValue - 100, ulong.MaxValue - 50, ulong.MaxValue },
        new[] { ulong.MaxValue - 10, ulong.MaxValue - 9, ulong.MaxValue - 8, ulong.MaxValue - 7 },
        new[] { ulong.MaxValue - 1, ulong.MaxValue, 0UL, 1UL, 2UL },
    };

    [Theory]
    [MemberData(nameof(SequenceCases))]
    public void Sequence_streams_round_trip(ulong[] sequences)
    {
        var timestamps = new long[sequences.Length];
        var (decoded, _) = SequenceTrackerCodec.Decode(SequenceTrackerCodec.Encode(sequences, timestamps));
        decoded.Should().Equal(sequences);
    }

    public static TheoryData<long[]> TimestampCases() => new()
    {
        Array.Empty<long>(),
        new long[] { 1234567890 },
        new long[] { 1000, 1000, 1000, 1000 },
        new long[] { 1000, 1064, 1128, 1192 },
        new long[] { 1000, 1256, 1512, 1768 },
        new long[] { 1000, 3048, 5096, 7144 },
        new long[] { 1000, 1000000, 2000000, 3000000 },
        new long[] { 1000, 937, 874, 811 },
        new long[] { -1000, -500, 0, 500, 1000 },
        new long[] { 1000, 1000, 1032, 1128, 1512, 50000 },
        new long[] { 1000, 1000, 1028, 1255, 2047, 1000000 },
        new[] { long.MaxValue - 1000, long.MaxValue - 500, long.MaxValue },
    };

    [Theory]
    [MemberData(nameof(TimestampCases))]
    public void Timestamp_streams_round_trip(long[] timestamps)
    {
        var sequences = new ulong[timestamps.Length];
        var (_, decoded) = SequenceTrackerCodec.Decode(SequenceTrackerCodec.Encode(sequences, timestamps));
        decoded.Should().Equal(timestamps);
    }

    [Fact]
    public void Random_trackers_round_trip()
    {
        const int seed = 77;
        var random = new Random(seed);
        for (var i = 0; i < 300; i++)
        {
            var tracker = SequenceTracker.Empty;
            var seq = (ulong)random.NextInt64();
            var time = random.NextInt64(0, 4_000_000_000);
            for (var n = random.Next(0, 200); n > 0; n--)
            {
                seq += (ulong)random.Next(0, 1 << random.Next(1, 21));
                time += random.Next(0, 1 << random.Next(1, 24));
                tracker = tracker.Record(seq, At(time));
            }

            SequenceTracker.FromBytes(tracker.ToBytes()).Should().Be(tracker, $"seed {seed}, case {i}");
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("02")]
    [InlineData("01")]
    [InlineData("01000000")]
    [InlineData("0101000000")]
    [InlineData("010100000000000001")]
    [InlineData("0100000000ffffffff")]
    [InlineData("010200000000000002000000000000006480")]
    [InlineData("01010000000000000100000000000000640000000000000000")]
    public void Bad_blobs_are_format_errors(string hex)
    {
        var act = () => SequenceTracker.FromBytes(Convert.FromHexString(hex));
        act.Should().Throw<FormatException>();
    }
}
