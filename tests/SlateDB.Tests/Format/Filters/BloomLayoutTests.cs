using SlateDB.Format.Filters;

namespace SlateDB.Tests.Format.Filters;

public class BloomLayoutTests
{
    [Theory]
    [InlineData(1, 0)]
    [InlineData(2, 1)]
    [InlineData(4, 2)]
    [InlineData(9, 6)]
    [InlineData(10, 6)] // 10 * 0.69 = 6.9 -> 6
    [InlineData(13, 8)] // 8.97 -> 8
    [InlineData(16, 11)]
    [InlineData(20, 13)]
    [InlineData(100, 69)] // single precision rounds 68.99999976 up to 69.0; double precision would give 68
    [InlineData(200, 138)] // likewise (137.9999995 in double)
    [InlineData(1_000_000, 65535)] // saturates like Rust's float-to-u16 cast
    public void Num_probes_is_floor_of_bits_per_key_times_0_69_in_single_precision(int bitsPerKey, int expected)
        => BloomLayout.NumProbes(bitsPerKey).Should().Be((ushort)expected);

    [Theory]
    [InlineData(0, 10, 0)]
    [InlineData(1, 10, 2)] // 10 bits -> 2 bytes
    [InlineData(3, 10, 4)] // 30 bits -> 4 bytes
    [InlineData(4, 10, 5)] // 40 bits -> 5 bytes exactly
    [InlineData(1200, 10, 1500)]
    [InlineData(7, 1, 1)]
    [InlineData(9, 1, 2)]
    public void Filter_bytes_round_the_bit_count_up_to_whole_bytes(long numKeys, int bitsPerKey, int expected)
        => BloomLayout.FilterBytes(numKeys, bitsPerKey).Should().Be(expected);

    [Fact]
    public void Filter_bytes_refuse_more_bits_than_a_32_bit_counter_holds()
    {
        // 4,294,967,280 bits = 536,870,910 bytes, whose bit count still fits in 32 bits.
        BloomLayout.FilterBytes(429_496_728, 10).Should().Be(536_870_910);

        // 4,294,967,290 bits round up to 536,870,912 bytes = 2^32 bits, one past the counter (SlateDB would
        // wrap the bit count to 0 and fail on the modulo).
        var tooMany = () => BloomLayout.FilterBytes(429_496_729, 10);
        tooMany.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void Probe_sequence_matches_slatedb_for_a_known_hash()
    {
        // SlateDB's own probe test: low word 0xDEADBEEF, high word 0xDF77EF56, 7 probes over 1,000,000 bits.
        // h = 0xDEADBEEF mod 1e6 = 928559, delta = 0xDF77EF56 mod 1e6 = 178902; then delta grows by i before
        // probe i and h advances by delta.
        BloomLayout.Probes(0xDF77EF56DEADBEEFUL, 7, 1_000_000)
            .Should().Equal(928559u, 107781u, 287004u, 466229u, 645457u, 824689u, 3926u);
    }

    [Fact]
    public void Set_and_check_agree_with_the_probe_list_and_use_lsb_first_bits()
    {
        var bits = new byte[3];
        BloomLayout.SetProbes(bits, 0x0000_0007_0000_0001UL, 3);

        // 24 bits: h = 1, delta = 7 -> probes 1, 8 (delta 7), 16 (delta 8): byte 0 bit 1, byte 1 bit 0, byte 2 bit 0.
        BloomLayout.Probes(0x0000_0007_0000_0001UL, 3, 24).Should().Equal(1u, 8u, 16u);
        bits.Should().Equal(0x02, 0x01, 0x01);
        BloomLayout.AllProbesSet(bits, 0x0000_0007_0000_0001UL, 3).Should().BeTrue();
        BloomLayout.AllProbesSet(bits, 0x0000_0007_0000_0002UL, 3).Should().BeFalse();
    }

    [Fact]
    public void Steps_wider_than_the_filter_wrap_like_the_plain_modulo()
    {
        // 8 bits and 600 probes: delta + i exceeds m many times over; compare with a literal reading of the rule.
        const ulong Hash = 0x1234_5678_9ABC_DEF0UL;
        uint[] expected = new uint[600];
        ulong m = 8, h = (Hash & 0xFFFF_FFFF) % m, delta = (Hash >> 32) % m;
        for (uint i = 0; i < expected.Length; i++)
        {
            delta = (delta + i) % m;
            expected[i] = (uint)h;
            h = (h + delta) % m;
        }

        BloomLayout.Probes(Hash, 600, 8).Should().Equal(expected);
    }
}
