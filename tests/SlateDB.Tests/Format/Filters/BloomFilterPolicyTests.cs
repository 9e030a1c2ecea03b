using System.Text;
using SlateDB.Format;
using SlateDB.Format.Filters;

namespace SlateDB.Tests.Format.Filters;

public class BloomFilterPolicyTests
{
    private static ReadOnlyMemory<byte> Utf8(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public void Default_policy_is_named_bf_with_10_bits_per_key()
    {
        var policy = new BloomFilterPolicy();
        policy.Name.Should().Be("_bf");
        policy.BitsPerKey.Should().Be(10);
        new BloomFilterPolicy(20).Name.Should().Be("_bf", "bits per key is not part of the name");
    }

    [Theory]
    [InlineData(null, true, "_bf")]
    [InlineData("fixed3", true, "_bf:p=fixed3")]
    [InlineData(null, false, "_bf:wh=0")]
    [InlineData("fixed3", false, "_bf:p=fixed3:wh=0")]
    public void Name_scheme_matches_slatedb(string? extractor, bool wholeKey, string expected)
        => BloomFilterPolicy.ComposeName(extractor, wholeKey).Should().Be(expected);

    [Fact]
    public void Builder_hashes_every_row_key_including_tombstones_and_merges()
    {
        var policy = new BloomFilterPolicy();
        IFilterBuilder builder = policy.CreateBuilder();
        builder.Add(RowEntry.Put(Utf8("a"), Utf8("1"), seq: 3));
        builder.Add(RowEntry.Put(Utf8("a"), Utf8("0"), seq: 1));
        builder.Add(RowEntry.Delete(Utf8("b"), seq: 2));
        builder.Add(RowEntry.MergeOperand(Utf8("c"), Utf8("+1"), seq: 4));
        IFilter filter = builder.Build();

        // Same bytes as building over the four keys directly (the duplicate "a" counts: 40 bits = 5 bytes).
        var encoded = new byte[filter.EncodedLength];
        filter.Encode(encoded);
        encoded.Should().Equal(BloomFilter.Build([Utf8("a"), Utf8("a"), Utf8("b"), Utf8("c")], 10));
        encoded.Should().HaveCount(2 + 5);

        IFilter decoded = policy.Decode(encoded, "test");
        foreach (string key in new[] { "a", "b", "c" })
        {
            decoded.MightMatch(FilterQuery.Point(Utf8(key))).Should().BeTrue(key);
        }
    }

    [Fact]
    public void Estimate_is_the_exact_payload_length()
    {
        var policy = new BloomFilterPolicy();
        policy.EstimateEncodedLength(0).Should().Be(2);
        policy.EstimateEncodedLength(1000).Should().Be(2 + 1250);
        policy.EstimateEncodedLength(1200).Should().Be(RealEngineBloomFixture.FilterBytes().Length);
    }

    [Fact]
    public void Bits_per_key_below_one_is_rejected()
    {
        var create = () => new BloomFilterPolicy(0);
        create.Should().Throw<ArgumentOutOfRangeException>();
    }
}
