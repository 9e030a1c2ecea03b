using SlateDB.Memtable;

namespace SlateDB.Tests.Memtable;

public sealed class ChunkedArenaTests
{
    [Fact]
    public void Blocks_keep_their_contents_across_chunk_and_directory_growth()
    {
        const int seed = 77;
        var random = new Random(seed);
        var arena = new ChunkedArena<long>(offsetBits: 6, firstChunkLength: 4);
        var blocks = new List<(int Address, int Length)>();
        for (var i = 0; i < 3000; i++)
        {
            var length = random.Next(1, 20);
            var address = arena.Allocate(length);
            for (var j = 0; j < length; j++)
            {
                System.Runtime.CompilerServices.Unsafe.Add(ref arena.At(address), j) = ((long)i << 8) | (long)j;
            }

            blocks.Add((address, length));
        }

        blocks.Select(b => b.Address).Should().OnlyHaveUniqueItems();
        for (var i = 0; i < blocks.Count; i++)
        {
            var (address, length) = blocks[i];
            (address & 63).Should().BeLessThanOrEqualTo(64 - length, $"seed {seed}: a block never straddles chunks");
            for (var j = 0; j < length; j++)
            {
                System.Runtime.CompilerServices.Unsafe.Add(ref arena.At(address), j).Should().Be(((long)i << 8) | (long)j);
            }
        }
    }

    [Fact]
    public void A_block_larger_than_a_chunk_is_refused()
    {
        var arena = new ChunkedArena<int>(offsetBits: 4, firstChunkLength: 16);
        var act = () => arena.Allocate(17);
        act.Should().Throw<ArgumentOutOfRangeException>();
    }
}
