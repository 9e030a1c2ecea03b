using System.Buffers.Binary;
using System.Text;
using SlateDB.Format.Filters;

namespace SlateDB.Tests.Format.Filters;

public class FilterBlockCodecTests
{
    private static readonly IFilterPolicy[] s_bloomOnly = [new BloomFilterPolicy()];

    private static ReadOnlyMemory<byte> Utf8(string s) => Encoding.UTF8.GetBytes(s);

    private static BloomFilter Bloom(params string[] keys)
        => BloomFilter.Decode(BloomFilter.Build(keys.Select(Utf8), 10), "test");

    [Fact]
    public void Composite_layout_is_count_then_name_and_data_per_filter()
    {
        BloomFilter bloom = Bloom("k"); // 00 06 + 2 bytes of bits
        byte[] bloomBytes = bloom.ToArray();
        var other = new OpaqueFilter([0xAA, 0xBB, 0xCC]);

        byte[] block = FilterBlockCodec.EncodeComposite([new NamedFilter("_bf", bloom), new NamedFilter("x", other)]);

        byte[] expected =
        [
            0x00, 0x02,                                     // num_filters = 2
            0x00, 0x03, (byte)'_', (byte)'b', (byte)'f',    // name_len = 3, "_bf"
            0, 0, 0, 0, 0, 0, 0, 0x04,                      // data_len = 4 (u64 BE)
            bloomBytes[0], bloomBytes[1], bloomBytes[2], bloomBytes[3],
            0x00, 0x01, (byte)'x',                          // name_len = 1, "x"
            0, 0, 0, 0, 0, 0, 0, 0x03,                      // data_len = 3
            0xAA, 0xBB, 0xCC,
        ];
        block.Should().Equal(expected);
        bloomBytes.Take(2).Should().Equal(0x00, 0x06);
    }

    [Fact]
    public void Composite_round_trip_keeps_known_filters_and_skips_unknown_names()
    {
        BloomFilter bloom = Bloom("alpha", "beta", "gamma");
        byte[] block = FilterBlockCodec.EncodeComposite(
        [
            new NamedFilter("_bf:p=fixed3", new OpaqueFilter([1, 2, 3, 4, 5])),
            new NamedFilter("_bf", bloom),
            new NamedFilter("minmax-ts", new OpaqueFilter([])),
        ]);

        IReadOnlyList<NamedFilter> decoded = FilterBlockCodec.Decode(FilterFormat.Composite, block, s_bloomOnly, "test");

        decoded.Should().ContainSingle();
        decoded[0].Name.Should().Be("_bf");
        var filter = decoded[0].Filter.Should().BeOfType<BloomFilter>().Subject;
        filter.ToArray().Should().Equal(bloom.ToArray());
        foreach (string key in new[] { "alpha", "beta", "gamma" })
        {
            filter.MightContain(Encoding.UTF8.GetBytes(key)).Should().BeTrue(key);
        }
    }

    [Fact]
    public void Composite_with_only_unknown_names_or_no_policies_reads_as_no_filter()
    {
        byte[] block = FilterBlockCodec.EncodeComposite([new NamedFilter("future", new OpaqueFilter([9, 9]))]);
        FilterBlockCodec.DecodeComposite(block, s_bloomOnly, "test").Should().BeEmpty();
        FilterBlockCodec.DecodeComposite(FilterBlockCodec.EncodeComposite([new NamedFilter("_bf", Bloom("a"))]), [], "test")
            .Should().BeEmpty();
    }

    [Fact]
    public void Non_ascii_names_are_utf8_and_round_trip()
    {
        var policy = new NamedPolicy("filtre-é");
        byte[] block = FilterBlockCodec.EncodeComposite([new NamedFilter("filtre-é", new OpaqueFilter([7]))]);

        BinaryPrimitives.ReadUInt16BigEndian(block.AsSpan(2)).Should().Be(9, "'é' takes two UTF-8 bytes");
        FilterBlockCodec.DecodeComposite(block, [policy], "test").Should().ContainSingle()
            .Which.Name.Should().Be("filtre-é");
    }

    [Fact]
    public void Trailing_bytes_after_the_last_filter_are_ignored_as_slatedb_does()
    {
        byte[] block = [.. FilterBlockCodec.EncodeComposite([new NamedFilter("_bf", Bloom("a"))]), 0xDE, 0xAD];
        FilterBlockCodec.DecodeComposite(block, s_bloomOnly, "test").Should().ContainSingle();
    }

    [Fact]
    public void Legacy_block_is_the_bloom_filter_itself_and_decodes_with_the_bf_policy()
    {
        BloomFilter bloom = Bloom("x", "y");
        byte[] block = FilterBlockCodec.EncodeLegacy(bloom);
        block.Should().Equal(bloom.ToArray());

        IReadOnlyList<NamedFilter> decoded = FilterBlockCodec.Decode(FilterFormat.Legacy, block, s_bloomOnly, "test");
        decoded.Should().ContainSingle().Which.Name.Should().Be("_bf");
        decoded[0].Filter.MightMatch(FilterQuery.Point(Utf8("x"))).Should().BeTrue();

        // Without a policy named exactly "_bf" a legacy filter cannot be interpreted: read as no filter.
        FilterBlockCodec.DecodeLegacy(block, [new NamedPolicy("_bf:p=fixed3")], "test").Should().BeEmpty();
    }

    [Fact]
    public void Legacy_fixture_from_the_real_engine_decodes_through_the_codec()
    {
        IReadOnlyList<NamedFilter> decoded = FilterBlockCodec.Decode(
            FilterFormat.Legacy, RealEngineBloomFixture.FilterBytes(), s_bloomOnly, "fixture.sst");

        decoded.Should().ContainSingle();
        decoded[0].Filter.MightMatch(FilterQuery.Point(Utf8(RealEngineBloomFixture.Key(42)))).Should().BeTrue();
    }

    [Fact]
    public void Writer_emits_legacy_for_a_single_bf_bloom_as_slatedb_0_12_1_does()
    {
        BloomFilter bloom = Bloom("a", "b");
        byte[] block = FilterBlockCodec.Encode([new NamedFilter("_bf", bloom)], out FilterFormat format);

        format.Should().Be(FilterFormat.Legacy, "SlateDB 0.12.1 reads only legacy filter blocks");
        block.Should().Equal(bloom.ToArray());
    }

    [Fact]
    public void Writer_needs_composite_for_several_or_non_bloom_filters()
    {
        NamedFilter bloom = new("_bf", Bloom("a"));
        NamedFilter other = new("custom", new OpaqueFilter([1]));

        FilterBlockCodec.Encode([bloom, other], out FilterFormat two).Should().Equal(FilterBlockCodec.EncodeComposite([bloom, other]));
        two.Should().Be(FilterFormat.Composite);
        FilterBlockCodec.ChooseFormat([other]).Should().Be(FilterFormat.Composite);
        FilterBlockCodec.ChooseFormat([new NamedFilter("_bf:wh=0", Bloom("a"))]).Should().Be(FilterFormat.Composite);
    }

    [Fact]
    public void Estimate_adds_composite_framing_to_each_policy_estimate()
    {
        FilterBlockCodec.EstimateEncodedLength(s_bloomOnly, 1000).Should().Be(2 + (2 + 3 + 8) + (2 + 1250));
        FilterBlockCodec.EstimateEncodedLength([], 1000).Should().Be(0);
    }

    [Fact]
    public void Oversized_names_are_rejected_when_encoding()
    {
        var encode = () => FilterBlockCodec.EncodeComposite([new NamedFilter(new string('n', 70_000), new OpaqueFilter([]))]);
        encode.Should().Throw<ArgumentException>();
    }

    public static TheoryData<string, byte[]> MalformedComposites() => new()
    {
        { "empty", [] },
        { "half a count", [0x00] },
        { "count 1, nothing else", [0x00, 0x01] },
        { "half a name length", [0x00, 0x01, 0x00] },
        { "name runs past the end", [0x00, 0x01, 0x00, 0x05, (byte)'_', (byte)'b'] },
        { "invalid UTF-8 name", [0x00, 0x01, 0x00, 0x02, 0xC3, 0x28, 0, 0, 0, 0, 0, 0, 0, 0] },
        { "lone surrogate in name", [0x00, 0x01, 0x00, 0x03, 0xED, 0xA0, 0x80, 0, 0, 0, 0, 0, 0, 0, 0] },
        { "data length cut off", [0x00, 0x01, 0x00, 0x01, (byte)'x', 0, 0, 0] },
        { "data length u64 max", [0x00, 0x01, 0x00, 0x01, (byte)'x', 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 1, 2] },
        { "data length 2^31", [0x00, 0x01, 0x00, 0x01, (byte)'x', 0, 0, 0, 0, 0x80, 0, 0, 0, 1, 2] },
        { "data length one too many", [0x00, 0x01, 0x00, 0x01, (byte)'x', 0, 0, 0, 0, 0, 0, 0, 3, 1, 2] },
        { "second filter missing", [0x00, 0x02, 0x00, 0x01, (byte)'x', 0, 0, 0, 0, 0, 0, 0, 0] },
        { "known bloom with 1 data byte", [0x00, 0x01, 0x00, 0x03, (byte)'_', (byte)'b', (byte)'f', 0, 0, 0, 0, 0, 0, 0, 1, 0x06] },
    };

    [Theory]
    [MemberData(nameof(MalformedComposites))]
    public void Malformed_composite_blocks_are_corrupt_data(string why, byte[] block)
    {
        var decode = () => FilterBlockCodec.DecodeComposite(block, s_bloomOnly, "bad.sst");
        decode.Should().Throw<SlateDbException>(why).Where(e => e.Kind == SlateDbErrorKind.Data && e.Message.Contains("bad.sst"));
    }

    [Fact]
    public void Unknown_format_and_short_legacy_blocks_are_corrupt_data()
    {
        var unknown = () => FilterBlockCodec.Decode((FilterFormat)2, new byte[] { 0, 6 }, s_bloomOnly, "bad.sst");
        unknown.Should().Throw<SlateDbException>().Where(e => e.Kind == SlateDbErrorKind.Data);

        var shortLegacy = () => FilterBlockCodec.Decode(FilterFormat.Legacy, new byte[] { 6 }, s_bloomOnly, "bad.sst");
        shortLegacy.Should().Throw<SlateDbException>().Where(e => e.Kind == SlateDbErrorKind.Data);
    }

    /// <summary>A filter of some other policy: fixed bytes, never rules anything out.</summary>
    private sealed class OpaqueFilter(byte[] data) : IFilter
    {
        public int EncodedLength => data.Length;

        public int Size => data.Length;

        public bool MightMatch(in FilterQuery query) => true;

        public void Encode(Span<byte> destination) => data.CopyTo(destination);
    }

    /// <summary>Builds an opaque filter holding one byte per row.</summary>
    private sealed class OpaqueBuilder : IFilterBuilder
    {
        private readonly List<byte> _bytes = [];

        public void Add(in SlateDB.Format.RowEntry entry) => _bytes.Add((byte)entry.Key.Length);

        public IFilter Build() => new OpaqueFilter([.. _bytes]);
    }

    /// <summary>A policy with a given name whose filters are opaque bytes.</summary>
    private sealed class NamedPolicy(string name) : IFilterPolicy
    {
        public string Name => name;

        public IFilterBuilder CreateBuilder() => new OpaqueBuilder();

        public IFilter Decode(ReadOnlyMemory<byte> data, string objectName) => new OpaqueFilter(data.ToArray());

        public int EstimateEncodedLength(long numKeys) => 0;
    }
}
