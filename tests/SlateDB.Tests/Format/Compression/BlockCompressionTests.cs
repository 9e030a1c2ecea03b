using SlateDB.Format.Compression;

namespace SlateDB.Tests.Format.Compression;

public sealed class BlockCompressionTests
{
    public static TheoryData<string> InputNames => new(CodecVectors.InputNames);

    public static TheoryData<int> Codecs => new(0, 1, 2, 3, 4);

    public static TheoryData<int> RealCodecs => new(1, 2, 3, 4);

    [Theory]
    [MemberData(nameof(InputNames))]
    public void Snappy_and_lz4_output_round_trips_and_is_no_larger_than_the_rust_crates_output_by_much(string name)
    {
        // The encoders are Snappier's and K4os's, not ports of snap's and lz4_flex's: the bytes differ, the content may
        // not, and the compression ratio stays close. That the real SlateDB decodes these bytes is checked by
        // tests/SlateDB.Compatibility.Tests (CompressionCodecTests, and the compaction compatibility scenario).
        var input = CodecVectors.Input(name);
        foreach (var (codec, label) in new[] { (BlockCodec.Snappy, "snappy"), (BlockCodec.Lz4, "lz4") })
        {
            var ours = BlockCompression.Compress(codec, input);
            BlockCompression.Decompress(codec, ours, "ours").ToArray().Should().Equal(input, label);
            ours.Length.Should().BeLessThanOrEqualTo((CodecVectors.Get(label, name).Length * 11 / 10) + 8, $"{label} of {name} compresses about as well as the Rust crate");
        }
    }

    [Theory]
    [MemberData(nameof(InputNames))]
    public void Zstd_output_matches_the_zstd_tool_at_level_3(string name)
    {
        // The vectors come from the zstd 1.5.4 command-line tool at level 3 (SlateDB links libzstd 1.5.7).
        // Above 64 KiB their block splitting differs, so only block-sized inputs are compared.
        var input = CodecVectors.Input(name);
        if (input.Length <= 64 * 1024)
        {
            BlockCompression.Compress(BlockCodec.Zstd, input).Should().Equal(CodecVectors.Get("zstd", name));
        }
    }

    [Theory]
    [MemberData(nameof(InputNames))]
    public void Rust_compressed_bytes_decompress_with_every_codec(string name)
    {
        var input = CodecVectors.Input(name);
        foreach (var (codec, label) in new[] { (BlockCodec.Snappy, "snappy"), (BlockCodec.Lz4, "lz4"), (BlockCodec.Zlib, "zlib"), (BlockCodec.Zstd, "zstd") })
        {
            BlockCompression.Decompress(codec, CodecVectors.Get(label, name), "vector").ToArray().Should().Equal(input, label);
        }
    }

    [Fact]
    public void Zlib_writes_a_level_6_header_and_the_canonical_empty_stream()
    {
        var compressed = BlockCompression.Compress(BlockCodec.Zlib, CodecVectors.Input("block_4k"));
        compressed[..2].Should().Equal(0x78, 0x9C);
        BlockCompression.Compress(BlockCodec.Zlib, []).Should().Equal(CodecVectors.Get("zlib", "empty"));
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void Round_trips_empty_small_incompressible_and_large_inputs(int codecNumber)
    {
        var codec = (BlockCodec)codecNumber;
        var random = new Random(99);
        var incompressible = new byte[4096];
        random.NextBytes(incompressible);
        var large = new byte[300_000];
        for (var i = 0; i < large.Length; i++)
        {
            large[i] = (byte)(i % 97 == 0 ? random.Next(256) : (i / 100) % 7);
        }

        foreach (var input in new[] { [], [42], incompressible, large, CodecVectors.Input("block_4k") })
        {
            var compressed = BlockCompression.Compress(codec, input);
            BlockCompression.Decompress(codec, compressed, "t").ToArray().Should().Equal(input, $"{codec}, {input.Length} bytes");
        }
    }

    [Theory]
    [MemberData(nameof(RealCodecs))]
    public void Truncations_and_flips_are_corrupt_or_detected(int codecNumber)
    {
        var codec = (BlockCodec)codecNumber;
        var input = CodecVectors.Input("block_4k");
        var compressed = BlockCompression.Compress(codec, input);

        for (var cut = 0; cut < compressed.Length; cut += Math.Max(1, compressed.Length / 97))
        {
            var act = () => BlockCompression.Decompress(codec, compressed.AsMemory(0, cut), "sst-1");
            act.Should().Throw<SlateDbException>($"{codec} cut at {cut}")
                .Where(e => e.Kind == SlateDbErrorKind.Data && e.Message.Contains("sst-1"));
        }

        // A flipped bit either fails to decode (Data) or decodes to different bytes that the block checksum
        // (checked before decompression) would have caught; it never throws anything else.
        var random = new Random(3);
        for (var i = 0; i < 200; i++)
        {
            var copy = (byte[])compressed.Clone();
            copy[random.Next(copy.Length)] ^= (byte)(1 << random.Next(8));
            try
            {
                BlockCompression.Decompress(codec, copy, "sst-1");
            }
            catch (SlateDbException e) when (e.Kind == SlateDbErrorKind.Data)
            {
            }
        }
    }

    [Fact]
    public void Lying_size_prefixes_are_corrupt()
    {
        var input = CodecVectors.Input("block_4k");
        var lz4 = BlockCompression.Compress(BlockCodec.Lz4, input);
        foreach (var stated in new uint[] { 0, 1, (uint)input.Length - 1, (uint)input.Length + 1, 1_000_000, uint.MaxValue })
        {
            var copy = (byte[])lz4.Clone();
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(copy, stated);
            var act = () => BlockCompression.Decompress(BlockCodec.Lz4, copy, "t");
            act.Should().Throw<SlateDbException>($"LZ4 stating {stated}").Which.Kind.Should().Be(SlateDbErrorKind.Data);
        }

        var snappy = BlockCompression.Compress(BlockCodec.Snappy, input);
        snappy[..2].Should().Equal(0x80, 0x20); // varint 4096
        foreach (var prefix in new byte[][] { [0xFF, 0x1F], [0x81, 0x20], [0xFF, 0xFF, 0xFF, 0xFF, 0x0F] })
        {
            var copy = prefix.Concat(snappy[2..]).ToArray();
            var act = () => BlockCompression.Decompress(BlockCodec.Snappy, copy, "t");
            act.Should().Throw<SlateDbException>().Which.Kind.Should().Be(SlateDbErrorKind.Data);
        }
    }

    [Theory]
    [MemberData(nameof(RealCodecs))]
    public void Output_beyond_the_cap_is_corrupt(int codecNumber)
    {
        var codec = (BlockCodec)codecNumber;
        var compressed = BlockCompression.Compress(codec, new byte[100_000]);
        var act = () => BlockCompression.Decompress(codec, compressed, "t", maxLength: 99_999);
        act.Should().Throw<SlateDbException>().Which.Kind.Should().Be(SlateDbErrorKind.Data);
        BlockCompression.Decompress(codec, compressed, "t", maxLength: 100_000).Length.Should().Be(100_000);
    }

    [Fact]
    public void Zlib_with_a_wrong_adler_trailer_is_corrupt()
    {
        var compressed = BlockCompression.Compress(BlockCodec.Zlib, CodecVectors.Input("hello"));
        compressed[^1] ^= 1;
        var act = () => BlockCompression.Decompress(BlockCodec.Zlib, compressed, "t");
        act.Should().Throw<SlateDbException>().Which.Kind.Should().Be(SlateDbErrorKind.Data);
    }

    [Fact]
    public void Zstd_accepts_several_frames_like_decode_all()
    {
        var a = BlockCompression.Compress(BlockCodec.Zstd, "first "u8);
        var b = BlockCompression.Compress(BlockCodec.Zstd, "second"u8);
        BlockCompression.Decompress(BlockCodec.Zstd, a.Concat(b).ToArray(), "t").ToArray().Should().Equal("first second"u8.ToArray());
    }

    [Fact]
    public void None_passes_bytes_through_and_unknown_formats_are_corrupt()
    {
        var data = new byte[] { 1, 2, 3 };
        BlockCompression.Compress(BlockCodec.None, data).Should().Equal(data);
        BlockCompression.Decompress(BlockCodec.None, data, "t").ToArray().Should().Equal(data);
        BlockCompression.FromStored(4, "t").Should().Be(BlockCodec.Zstd);
        var act = () => BlockCompression.FromStored(5, "t");
        act.Should().Throw<SlateDbException>().Which.Kind.Should().Be(SlateDbErrorKind.Data);
    }

    [Theory]
    [MemberData(nameof(RealCodecs))]
    public void Every_real_codec_decodes_into_a_buffer_of_its_own(int codec)
    {
        // Scans decode compressed blocks straight out of a pooled read buffer and reuse it at once (TableStore.ThroughPool):
        // an output that shares the input's memory would change under the rows handed out.
        var input = new byte[4096];
        new Random(codec).NextBytes(input.AsSpan(0, 2048));
        var compressed = BlockCompression.Compress((BlockCodec)codec, input);
        var source = new byte[compressed.Length + 64];
        compressed.CopyTo(source, 32);

        var output = BlockCompression.Decompress((BlockCodec)codec, source.AsMemory(32, compressed.Length), "test");

        output.ToArray().Should().Equal(input);
        System.Runtime.InteropServices.MemoryMarshal.TryGetArray(output, out var segment).Should().BeTrue();
        segment.Array.Should().NotBeSameAs(source);
    }
}
