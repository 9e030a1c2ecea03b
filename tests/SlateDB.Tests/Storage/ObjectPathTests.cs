using SlateDB.Storage;

namespace SlateDB.Tests.Storage;

public sealed class ObjectPathTests
{
    [Theory]
    [InlineData("a")]
    [InlineData("db/manifest/00000000000000000001.manifest")]
    [InlineData("a.b/c-d_e")]
    public void Valid_paths_pass(string path) => ObjectPath.Validate(path);

    [Theory]
    [InlineData("")]
    [InlineData("/a")]
    [InlineData("a/")]
    [InlineData("a//b")]
    [InlineData("a/./b")]
    [InlineData("a/../b")]
    [InlineData("a\\b")]
    [InlineData("a/\nb")]
    public void Invalid_paths_throw(string path)
    {
        var act = () => ObjectPath.Validate(path);
        act.Should().Throw<ArgumentException>();
    }

    [Theory]
    [InlineData("")]
    [InlineData("db/")]
    [InlineData("db/wal")]
    public void Valid_prefixes_pass(string prefix) => ObjectPath.ValidatePrefix(prefix);

    [Fact]
    public void Combine_joins_segments() =>
        ObjectPath.Combine("db/", "", "/wal", "1.sst").Should().Be("db/wal/1.sst");

    [Fact]
    public void Byte_range_rejects_negative_and_overflowing_ranges()
    {
        FluentActions.Invoking(() => new ByteRange(-1, 1)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => new ByteRange(1, -1)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => new ByteRange(long.MaxValue, 1)).Should().Throw<ArgumentOutOfRangeException>();
        ByteRange.FromBounds(3, 10).Should().Be(new ByteRange(3, 7));
    }

    [Fact]
    public void Byte_ranges_clip_to_an_objects_size_as_ranged_reads_do()
    {
        new ByteRange(3, 4).ClipTo(10).Should().Be(new ByteRange(3, 4));
        new ByteRange(8, 5).ClipTo(10).Should().Be(new ByteRange(8, 2));
        new ByteRange(10, 5).ClipTo(10).Should().Be(new ByteRange(10, 0));
        new ByteRange(15, 5).ClipTo(10).Should().Be(new ByteRange(10, 0));
        new ByteRange(0, 5).ClipTo(0).Should().Be(new ByteRange(0, 0));
    }
}
