using SlateDB.Format;
using SlateDB.Format.Blocks;
using SlateDB.Format.Compression;
using SlateDB.Manifest;
using SlateDB.Sst;
using SlateDB.Wal;

namespace SlateDB.Tests.Wal;

public sealed class WalBufferTests
{
    private static readonly SstBuildSettings s_settings = new(BlockBuilder.DefaultBlockSize, BlockCodec.None, MinFilterKeys: 1000, FilterBitsPerKey: 10);

    [Theory]
    [InlineData(1, 1, 40, 0, 200)]
    [InlineData(2, 1, 8, 0, 8)]
    [InlineData(3, 16, 16, 100, 100)]
    [InlineData(4, 1, 300, 0, 9000)]
    [InlineData(5, 1, 30, 1, 4060)]
    public void The_estimate_bounds_the_wal_object_closely(int seed, int minKey, int maxKey, int minValue, int maxValue)
    {
        var random = new Random(seed);
        foreach (var rowCount in new[] { 1, 2, 17, 500, 5000 })
        {
            var buffer = new WalBuffer();
            for (var i = 0; i < rowCount; i++)
            {
                var key = new byte[random.Next(minKey, maxKey + 1)];
                random.NextBytes(key);
                var seq = (ulong)(1000 + i);

                // Alternate small and large values now and then: blocks then hold a row or two each.
                var value = new byte[i % 7 == 3 ? minValue : random.Next(minValue, maxValue + 1)];
                var row = random.Next(6) switch
                {
                    0 => RowEntry.Delete(key, seq, createTs: i),
                    1 => RowEntry.Put(key, value, seq, createTs: i, expireTs: i + 100),
                    2 => RowEntry.Put(key, value, seq),
                    _ => RowEntry.Put(key, value, seq, createTs: i),
                };
                buffer.Append(row);
            }

            var builder = new SstBuilder(s_settings, SstKind.Wal, buffer.EstimatedSize);
            foreach (var row in buffer.Rows)
            {
                builder.Add(row);
            }

            var size = builder.Finish().Bytes.Length;
            var because = $"seed {seed}, {rowCount} rows";
            buffer.EstimatedSize.Should().BeGreaterThanOrEqualTo(size, because);
            buffer.EstimatedSize.Should().BeLessThan((size * 11 / 10) + 2048, because);
        }
    }

    [Fact]
    public void Clear_empties_the_buffer()
    {
        var buffer = new WalBuffer();
        buffer.Append(RowEntry.Put(new byte[] { 1 }, new byte[] { 2 }, 7, createTs: 1));
        buffer.LastSeq.Should().Be(7);
        buffer.EstimatedSize.Should().BeGreaterThan(0);

        buffer.Clear();
        buffer.IsEmpty.Should().BeTrue();
        buffer.EstimatedSize.Should().Be(0);
        buffer.LastSeq.Should().Be(0);
    }
}
