using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;
using SlateDB.Format.Filters;

namespace SlateDB.Tests.Format.Filters;

public class BloomFilterTests
{
    private static ReadOnlyMemory<byte> Utf8(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public void Hand_computed_layout_for_one_entry()
    {
        // One entry at 10 bits per key: 10 bits round up to 2 bytes, so m = 16 bits; 10 * 0.69 -> 6 probes.
        // Take the entry's hash as 0x00000003_00000005: h = 5 mod 16 = 5, delta = 3 mod 16 = 3.
        //   i=0: delta = 3 + 0 = 3,        probe 5,  h = 5 + 3 = 8
        //   i=1: delta = 3 + 1 = 4,        probe 8,  h = 8 + 4 = 12
        //   i=2: delta = 4 + 2 = 6,        probe 12, h = 18 mod 16 = 2
        //   i=3: delta = 6 + 3 = 9,        probe 2,  h = 11
        //   i=4: delta = 9 + 4 = 13,       probe 11, h = 24 mod 16 = 8
        //   i=5: delta = 18 mod 16 = 2,    probe 8,  h = 10
        // Bits set: 2, 5, 8, 11, 12. Bit i is bit i%8 (from the LSB) of byte i/8:
        //   byte 0 = bit 2 | bit 5       = 0x04 | 0x20        = 0x24
        //   byte 1 = bit 0 | bit 3 | bit 4 = 0x01 | 0x08 | 0x10 = 0x19
        // Encoded: num_probes 6 as u16 big-endian, then the two bytes.
        var builder = new BloomFilterBuilder(10);
        builder.AddHash(0x0000_0003_0000_0005UL);
        BloomFilter filter = builder.BuildFilter();

        filter.ToArray().Should().Equal(0x00, 0x06, 0x24, 0x19);
        filter.MightContainHash(0x0000_0003_0000_0005UL).Should().BeTrue();

        // Hash 0x00000003_00000000 starts at probe 0, which is clear.
        filter.MightContainHash(0x0000_0003_0000_0000UL).Should().BeFalse();
    }

    [Fact]
    public void Reproduces_the_filter_the_real_slatedb_0_12_1_wrote_byte_for_byte()
    {
        byte[] expected = RealEngineBloomFixture.FilterBytes();
        Crc32.HashToUInt32(expected).Should().Be(RealEngineBloomFixture.Crc32, "the fixture is intact");

        var keys = Enumerable.Range(0, RealEngineBloomFixture.KeyCount).Select(i => Utf8(RealEngineBloomFixture.Key(i)));
        byte[] built = BloomFilter.Build(keys, 10);

        built.Should().Equal(expected);
    }

    [Fact]
    public void Reads_the_filter_the_real_slatedb_wrote_without_false_negatives()
    {
        BloomFilter filter = BloomFilter.Decode(RealEngineBloomFixture.FilterBytes(), "fixture.sst");

        filter.NumProbes.Should().Be(6);
        filter.BitCount.Should().Be(12_000);
        for (int i = 0; i < RealEngineBloomFixture.KeyCount; i++)
        {
            filter.MightContain(Encoding.ASCII.GetBytes(RealEngineBloomFixture.Key(i))).Should().BeTrue($"key {i} was written");
        }

        int falsePositives = Enumerable.Range(RealEngineBloomFixture.KeyCount, 10_000)
            .Count(i => filter.MightContain(Encoding.ASCII.GetBytes(RealEngineBloomFixture.Key(i))));
        falsePositives.Should().BeLessThan(300, "about 1% of 10,000 absent keys may match");
    }

    [Theory]
    [InlineData(20240601)]
    [InlineData(7)]
    public void False_positive_rate_is_below_one_percent_at_10_bits_per_key_with_no_false_negatives(int seed)
    {
        const int N = 100_000;
        var random = new Random(seed);

        // 12 random bytes then a 4-byte index: members use indices 0..N-1, probes N..2N-1, so they never collide.
        byte[][] MakeKeys(int first)
        {
            var keys = new byte[N][];
            for (int i = 0; i < N; i++)
            {
                keys[i] = new byte[16];
                random.NextBytes(keys[i].AsSpan(0, 12));
                BinaryPrimitives.WriteInt32BigEndian(keys[i].AsSpan(12), first + i);
            }

            return keys;
        }

        byte[][] members = MakeKeys(0);
        byte[][] absent = MakeKeys(N);
        BloomFilter filter = BloomFilter.Decode(BloomFilter.Build(members.Select(k => (ReadOnlyMemory<byte>)k), 10), "test");

        members.Count(k => !filter.MightContain(k)).Should().Be(0, $"a bloom filter has no false negatives (seed {seed})");
        double fpr = absent.Count(k => filter.MightContain(k)) / (double)N;
        fpr.Should().BeLessThan(0.01, $"seed {seed}");
        fpr.Should().BeGreaterThan(0.001, $"10 bits per key with 6 probes gives about 0.85% (seed {seed})");
    }

    [Fact]
    public void Sequential_u32_keys_like_slatedb_test_stay_below_one_percent()
    {
        // SlateDB's own effectiveness test: keys are 0..99,999 as u32 big-endian, probes 100,000..199,999.
        static ReadOnlyMemory<byte> U32(int i)
        {
            var key = new byte[4];
            BinaryPrimitives.WriteInt32BigEndian(key, i);
            return key;
        }

        BloomFilter filter = BloomFilter.Decode(BloomFilter.Build(Enumerable.Range(0, 100_000).Select(U32), 10), "test");

        Enumerable.Range(0, 100_000).Count(i => !filter.MightContain(U32(i).Span)).Should().Be(0);
        Enumerable.Range(100_000, 100_000).Count(i => filter.MightContain(U32(i).Span)).Should().BeLessThan(1000);
    }

    [Fact]
    public void Duplicate_keys_are_hashed_again_and_grow_the_filter()
    {
        // Three entries (two versions of "a") -> 30 bits -> 4 bytes; two distinct entries -> 20 bits -> 3 bytes.
        BloomFilter.Build([Utf8("a"), Utf8("a"), Utf8("b")], 10).Should().HaveCount(2 + 4);
        BloomFilter.Build([Utf8("a"), Utf8("b")], 10).Should().HaveCount(2 + 3);
    }

    [Fact]
    public void A_filter_over_no_keys_is_just_the_probe_count_and_matches_nothing()
    {
        byte[] encoded = BloomFilter.Build([], 10);
        encoded.Should().Equal(0x00, 0x06);

        BloomFilter filter = BloomFilter.Decode(encoded, "empty.sst");
        filter.MightContain("anything"u8).Should().BeFalse();
        filter.MightContain([]).Should().BeFalse();
        filter.MightMatch(FilterQuery.Point(Utf8("anything"))).Should().BeFalse();
    }

    [Fact]
    public void Prefix_queries_always_might_match_and_point_queries_probe_the_key()
    {
        BloomFilter filter = BloomFilter.Decode(BloomFilter.Build([Utf8("apple")], 10), "test");

        filter.MightMatch(FilterQuery.Prefix(Utf8("zzz"))).Should().BeTrue("a whole-key filter cannot rule out prefixes");
        filter.MightMatch(FilterQuery.Point(Utf8("apple"))).Should().BeTrue();
        filter.MightMatch(FilterQuery.Point(Utf8("apple"))).Should().Be(filter.MightContain("apple"u8));
    }

    [Fact]
    public void Zero_probes_means_every_query_might_match_when_bits_exist()
    {
        // A stored probe count of 0 is legal on disk: no bit is checked, so nothing is ruled out.
        BloomFilter filter = BloomFilter.Decode(new byte[] { 0x00, 0x00, 0x00 }, "test");
        filter.MightContain("x"u8).Should().BeTrue();
    }

    [Fact]
    public void Decode_keeps_the_header_and_bits_and_encodes_back_identically()
    {
        byte[] encoded = BloomFilter.Build([Utf8("k1"), Utf8("k2"), Utf8("k3")], 16);
        BloomFilter filter = BloomFilter.Decode(encoded, "test");

        filter.NumProbes.Should().Be(11);
        filter.Size.Should().Be(6); // 48 bits
        filter.EncodedLength.Should().Be(encoded.Length);
        filter.ToArray().Should().Equal(encoded);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void Decoding_fewer_than_two_bytes_is_corrupt_data(int length)
    {
        var decode = () => BloomFilter.Decode(new byte[length], "bad.sst");
        decode.Should().Throw<SlateDbException>()
            .Where(e => e.Kind == SlateDbErrorKind.Data && e.Message.Contains("bad.sst"));
    }

    [Fact]
    public void Bad_arguments_are_rejected()
    {
        var zeroBits = () => new BloomFilterBuilder(0);
        zeroBits.Should().Throw<ArgumentOutOfRangeException>();

        BloomFilter filter = BloomFilter.Decode(BloomFilter.Build([Utf8("a")], 10), "test");
        var shortDestination = () => filter.Encode(new byte[filter.EncodedLength - 1]);
        shortDestination.Should().Throw<ArgumentException>();
    }
}
