using SlateDB.Memtable;

namespace SlateDB.Tests.Memtable;

public sealed class RowArenaTests
{
    [Fact]
    public void Allocations_keep_their_bytes_across_chunk_growth_and_large_rows_get_chunks_of_their_own()
    {
        const int seed = 91;
        var random = new Random(seed);
        var arena = new RowArena();
        var blocks = new List<(uint Address, byte[] Bytes)>();
        for (var i = 0; i < 5000; i++)
        {
            var length = random.Next(20) == 0 ? random.Next(250_000, 1_500_000) : random.Next(1, 3000);
            var address = arena.Allocate(length, out var chunk, out var offset);
            (offset % 4).Should().Be(0, $"seed {seed}: rows start 4-byte aligned");
            var bytes = new byte[length];
            random.NextBytes(bytes);
            bytes.CopyTo(chunk, offset);
            arena.ChunkOf(address).Should().BeSameAs(chunk, $"seed {seed}");
            RowArena.OffsetOf(address).Should().Be(offset, $"seed {seed}");
            blocks.Add((address, bytes));
        }

        blocks.Select(b => b.Address).Should().OnlyHaveUniqueItems();
        foreach (var (address, bytes) in blocks)
        {
            arena.ChunkOf(address).AsSpan(RowArena.OffsetOf(address), bytes.Length).SequenceEqual(bytes).Should().BeTrue($"seed {seed}: bytes at {address:X8} stay as written");
        }

        arena.AllocatedBytes.Should().BeGreaterThanOrEqualTo(blocks.Sum(b => (long)b.Bytes.Length));
    }

    [Fact]
    public void A_small_table_holds_a_small_arena()
    {
        var arena = new RowArena();
        arena.Allocate(100, out _, out _);
        arena.AllocatedBytes.Should().Be(4096);
        arena.Allocate(300_000, out var own, out var offset);
        own.Length.Should().Be(300_000);
        offset.Should().Be(0);
        arena.Allocate(100, out var chunk, out offset);
        chunk.Length.Should().Be(4096, "the current chunk keeps its free space after a large row");
        offset.Should().Be(100);
    }
}
