using SlateDB.Common;

namespace SlateDB.Tests.Common;

public sealed class UlidTests
{
    [Theory]
    [InlineData(0x4141414141414141UL, 0x4141414141414141UL, "21850M2GA1850M2GA1850M2GA1")]
    [InlineData(0x4d4e385051444a59UL, 0x454234335a413756UL, "2D9RW50MA499CMAGHM6DD42DTP")]
    [InlineData(0UL, 0UL, "00000000000000000000000000")]
    [InlineData(ulong.MaxValue, ulong.MaxValue, "7ZZZZZZZZZZZZZZZZZZZZZZZZZ")]
    public void Text_form_matches_the_rust_ulid_crate(ulong high, ulong low, string text)
    {
        var ulid = new Ulid(high, low);
        ulid.ToString().Should().Be(text);
        Ulid.Parse(text).Should().Be(ulid);
        Ulid.Parse(text.ToLowerInvariant()).Should().Be(ulid);
    }

    [Fact]
    public void Random_ulids_round_trip_and_sort_like_their_text()
    {
        const int seed = 1234;
        var random = new Random(seed);
        var ulids = Enumerable.Range(0, 2000).Select(_ => new Ulid((ulong)random.NextInt64() ^ ((ulong)random.Next() << 40), (ulong)random.NextInt64())).ToList();
        foreach (var ulid in ulids)
        {
            Ulid.Parse(ulid.ToString()).Should().Be(ulid, $"seed {seed}");
        }

        var byValue = ulids.OrderBy(u => u).Select(u => u.ToString()).ToList();
        var byText = ulids.Select(u => u.ToString()).OrderBy(t => t, StringComparer.Ordinal).ToList();
        byValue.Should().Equal(byText, $"seed {seed}");
    }

    [Theory]
    [InlineData("")]
    [InlineData("2D9RW50MA499CMAGHM6DD42DT")]
    [InlineData("2D9RW50MA499CMAGHM6DD42DTPP")]
    [InlineData("2D9RW50[A499CMAGHM6DD42DTP")]
    [InlineData("2D9RW50LA499CMAGHM6DD42DTP")]
    [InlineData("2D9RW50IA499CMAGHM6DD42DTP")]
    [InlineData("2D9RW50OA499CMAGHM6DD42DTP")]
    [InlineData("2D9RW50UA499CMAGHM6DD42DTP")]
    [InlineData("8ZZZZZZZZZZZZZZZZZZZZZZZZZ")]
    [InlineData("2D9RW50MA499CMAGHM6DD42DT\u00e9")]
    public void Invalid_text_is_rejected(string text)
    {
        Ulid.TryParse(text, out _).Should().BeFalse();
        var act = () => Ulid.Parse(text);
        act.Should().Throw<FormatException>();
    }

    [Fact]
    public void Null_text_is_an_argument_error()
    {
        Ulid.TryParse((string?)null, out _).Should().BeFalse();
        var act = () => Ulid.Parse(null!);
        act.Should().Throw<ArgumentNullException>();
    }

    [Fact]
    public void Parts_and_timestamp()
    {
        var ulid = Ulid.FromParts(0x0123_4567_89AB, 0xCDEF, 0x0011_2233_4455_6677);
        ulid.High.Should().Be(0x0123_4567_89AB_CDEFUL);
        ulid.Low.Should().Be(0x0011_2233_4455_6677UL);
        ulid.TimestampMs.Should().Be(0x0123_4567_89ABUL);
        Ulid.FromParts(ulong.MaxValue, 0, 0).TimestampMs.Should().Be(Ulid.MaxTimestampMs, "timestamps keep only 48 bits");
        Ulid.Parse("01J79C21YKR31J2BS1EFXJZ7MR").TimestampMs.Should().Be(1_725_817_751_507UL, "the timestamp of a ULID from SlateDB's own path test");
    }

    [Fact]
    public void Ordering_is_by_the_128_bit_value()
    {
        var small = new Ulid(1, ulong.MaxValue);
        var large = new Ulid(2, 0);
        (small < large).Should().BeTrue();
        (large > small).Should().BeTrue();
        small.CompareTo(large).Should().BeNegative();
        (small == new Ulid(1, ulong.MaxValue)).Should().BeTrue();
        (small != large).Should().BeTrue();
    }
}
