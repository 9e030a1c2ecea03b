using System.Runtime.InteropServices;
using FluentAssertions;
using SlateDB.Format.Compression;
using Xunit;

namespace SlateDB.Tests.Format.Compression;

/// <summary>
/// Blocks decompressed for the block cache land on the pinned object heap (never copied by young collections), as the
/// local store's uncompressed reads for the cache do; other decompressions stay on the ordinary heap. Bytes are the same.
/// </summary>
public sealed class LongLivedDecompressionTests
{
    [Theory]
    [InlineData("lz4")]
    [InlineData("snappy")]
    public void Cached_blocks_are_decompressed_where_young_collections_do_not_copy_them(string codecName)
    {
        var codec = Enum.Parse<BlockCodec>(codecName, ignoreCase: true);
        var random = new Random(17);
        var block = new byte[4096];
        for (var i = 0; i < block.Length; i++)
        {
            block[i] = (byte)(i % 97 < 60 ? i % 13 : random.Next(256));
        }

        ReadOnlyMemory<byte> stored = BlockCompression.Compress(codec, block);

        var young = BlockCompression.Decompress(codec, stored, "blk");
        var kept = BlockCompression.Decompress(codec, stored, "blk", longLived: true);

        young.ToArray().Should().Equal(block);
        kept.ToArray().Should().Equal(block);
        MemoryMarshal.TryGetArray(young, out var youngArray).Should().BeTrue();
        MemoryMarshal.TryGetArray(kept, out var keptArray).Should().BeTrue();
        GC.GetGeneration(youngArray.Array!).Should().BeLessThan(GC.MaxGeneration);
        GC.GetGeneration(keptArray.Array!).Should().Be(GC.MaxGeneration, "the pinned object heap is collected with the oldest generation only");
    }
}
