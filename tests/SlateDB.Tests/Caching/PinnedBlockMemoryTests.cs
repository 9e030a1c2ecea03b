using System.Runtime.InteropServices;
using SlateDB.Caching;
using SlateDB.Sst;

namespace SlateDB.Tests.Caching;

/// <summary>
/// The memory cached blocks live in (<see cref="PinnedBlockMemory"/>): pinned arrays in one size class per power of two,
/// so that the blocks of one SST block size share a class and the holes evicted blocks leave fit the next reads.
/// </summary>
public sealed class PinnedBlockMemoryTests
{
    [Theory]
    [InlineData(1, 72)]
    [InlineData(72, 72)]
    [InlineData(73, 136)]
    [InlineData(3_000, 4_104)]
    [InlineData(4_096, 4_104)]
    [InlineData(4_100, 4_104)] // A block closed at the 4,096-byte target, with its checksum.
    [InlineData(4_104, 4_104)]
    [InlineData(4_105, 8_200)]
    [InlineData(65_544, 65_544)]
    [InlineData(65_545, 65_545)] // Beyond the classes: a large read gets its own length.
    [InlineData(1_048_576, 1_048_576)]
    public void Lengths_round_up_to_a_power_of_two_and_the_slack_up_to_64_KiB(int length, int expected)
    {
        PinnedBlockMemory.ClassLength(length).Should().Be(expected);
    }

    [Fact]
    public void Every_block_length_of_a_4_KiB_SST_shares_one_class()
    {
        var classes = Enumerable.Range(3_800, 301).Select(PinnedBlockMemory.ClassLength).Distinct();

        classes.Should().Equal(4_104);
    }

    [Fact]
    public void Memory_is_the_asked_length_over_a_pinned_array_of_its_class()
    {
        var memory = PinnedBlockMemory.Allocate(4_050);

        memory.Length.Should().Be(4_050);
        MemoryMarshal.TryGetArray<byte>(memory, out var segment).Should().BeTrue();
        segment.Offset.Should().Be(0);
        segment.Array!.Length.Should().Be(4_104);
        GC.GetGeneration(segment.Array).Should().Be(GC.MaxGeneration, "pinned arrays are collected with generation 2 only and never moved");
        PinnedBlockMemory.Allocate(0).Length.Should().Be(0);
    }

    [Fact]
    public void The_cache_charges_a_block_its_class_and_the_blocks_overhead()
    {
        SstFile.CacheCharge(4_050).Should().Be(4_104 + 64);
        SstFile.CacheCharge(2_000_000).Should().Be(2_000_000 + 64, "slabs and other large reads are kept at their own length");
    }
}
