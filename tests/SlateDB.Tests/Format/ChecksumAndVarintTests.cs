using SlateDB.Format;

namespace SlateDB.Tests.Format;

public sealed class ChecksumAndVarintTests
{
    [Fact]
    public void Crc32_is_ieee()
    {
        // The standard CRC-32 check value.
        Checksum.Compute("123456789"u8).Should().Be(0xCBF43926u);
    }

    [Fact]
    public void Append_writes_big_endian_crc_and_verify_returns_the_payload()
    {
        var sealedBytes = Checksum.Append("123456789"u8);
        sealedBytes[^4..].Should().Equal(0xCB, 0xF4, 0x39, 0x26);
        Checksum.Verify(sealedBytes, "obj").ToArray().Should().Equal("123456789"u8.ToArray());
        Checksum.Verify(Checksum.Append([]), "obj").Length.Should().Be(0);
    }

    [Fact]
    public void Verify_rejects_flips_and_short_input()
    {
        var sealedBytes = Checksum.Append("hello"u8);
        for (var bit = 0; bit < sealedBytes.Length * 8; bit++)
        {
            var copy = (byte[])sealedBytes.Clone();
            copy[bit / 8] ^= (byte)(1 << (bit % 8));
            var act = () => Checksum.Verify(copy, "obj");
            act.Should().Throw<SlateDbException>().Which.Kind.Should().Be(SlateDbErrorKind.Data);
        }

        var shortInput = () => Checksum.Verify(new byte[3], "obj");
        shortInput.Should().Throw<SlateDbException>().Which.Message.Should().Contain("obj");
    }

    [Theory]
    [InlineData(0u, new byte[] { 0x00 })]
    [InlineData(127u, new byte[] { 0x7F })]
    [InlineData(128u, new byte[] { 0x80, 0x01 })]
    [InlineData(300u, new byte[] { 0xAC, 0x02 })]
    [InlineData(16384u, new byte[] { 0x80, 0x80, 0x01 })]
    [InlineData(uint.MaxValue, new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0x0F })]
    public void Varint_matches_leb128(uint value, byte[] expected)
    {
        Varint.Length(value).Should().Be(expected.Length);
        var buffer = new byte[Varint.MaxLength];
        Varint.Write(buffer, value).Should().Be(expected.Length);
        buffer[..expected.Length].Should().Equal(expected);
        var position = 0;
        Varint.Read(expected, ref position, "obj").Should().Be(value);
        position.Should().Be(expected.Length);
    }

    [Theory]
    [InlineData(new byte[] { })]
    [InlineData(new byte[] { 0x80 })]
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF })]
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0x10 })] // 33rd bit
    [InlineData(new byte[] { 0x80, 0x80, 0x80, 0x80, 0x80, 0x00 })] // six bytes
    public void Varint_rejects_truncated_long_or_overflowing_input(byte[] input)
    {
        var position = 0;
        Varint.TryRead(input, ref position, out _).Should().BeFalse();
        position.Should().Be(0);
        var act = () => { var p = 0; Varint.Read(input, ref p, "obj"); };
        act.Should().Throw<SlateDbException>().Which.Kind.Should().Be(SlateDbErrorKind.Data);
    }
}
