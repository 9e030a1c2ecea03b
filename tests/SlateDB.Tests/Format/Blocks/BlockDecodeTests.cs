using System.Buffers.Binary;
using SlateDB.Format;
using SlateDB.Format.Blocks;

namespace SlateDB.Tests.Format.Blocks;

public sealed class BlockDecodeTests
{
    private static byte[] TwoRowBlock(BlockFormatVersion version)
    {
        var builder = BlockBuilder.Create(version);
        builder.TryAdd(RowEntry.Put("key1"u8.ToArray(), "value1"u8.ToArray(), 1));
        builder.TryAdd(RowEntry.Put("key2"u8.ToArray(), "value2"u8.ToArray(), 2));
        return builder.Build();
    }

    public static TheoryData<int> Versions => new(1, 2);

    [Theory]
    [MemberData(nameof(Versions))]
    public void Bad_trailers_are_corrupt(int versionNumber)
    {
        var version = (BlockFormatVersion)versionNumber;
        var good = TwoRowBlock(version);
        List<byte[]> cases =
        [
            [],
            [0x00],
            [0x00, 0x00], // no entries
            [0x00, 0x05], // five offsets in two bytes
        ];

        var countTooBig = (byte[])good.Clone();
        BinaryPrimitives.WriteUInt16BigEndian(countTooBig.AsSpan(^2), 0xFFFF);
        cases.Add(countTooBig);

        // First offset not zero / offset past the data / offsets out of order.
        var offsetsStart = good.Length - 2 - (2 * BinaryPrimitives.ReadUInt16BigEndian(good.AsSpan(^2)));
        foreach (ushort value in new ushort[] { 1, (ushort)offsetsStart, 0xFFFF })
        {
            var bad = (byte[])good.Clone();
            BinaryPrimitives.WriteUInt16BigEndian(bad.AsSpan(offsetsStart), value);
            cases.Add(bad);
        }

        foreach (var bytes in cases)
        {
            var act = () => Block.Decode(bytes, version, "sst-7");
            act.Should().Throw<SlateDbException>(Convert.ToHexString(bytes))
                .Where(e => e.Kind == SlateDbErrorKind.Data && e.Message.Contains("sst-7"));
        }
    }

    [Fact]
    public void A_v1_block_whose_first_row_shares_key_bytes_is_corrupt()
    {
        var bytes = TwoRowBlock(BlockFormatVersion.V1);
        bytes[1] = 1;
        var act = () => Block.Decode(bytes, BlockFormatVersion.V1, "t");
        act.Should().Throw<SlateDbException>().Which.Kind.Should().Be(SlateDbErrorKind.Data);
    }

    [Fact]
    public void A_v2_restart_row_that_shares_key_bytes_is_corrupt_when_read()
    {
        var bytes = TwoRowBlock(BlockFormatVersion.V2);
        bytes[0] = 1;
        var iterator = Block.Decode(bytes, BlockFormatVersion.V2, "t").CreateIterator();
        var act = () => iterator.SeekToFirst();
        act.Should().Throw<SlateDbException>().Which.Kind.Should().Be(SlateDbErrorKind.Data);
        var seek = () => iterator.Seek("key"u8);
        seek.Should().Throw<SlateDbException>().Which.Kind.Should().Be(SlateDbErrorKind.Data);
    }

    [Fact]
    public void A_v2_row_sharing_more_than_the_previous_key_is_corrupt()
    {
        var bytes = TwoRowBlock(BlockFormatVersion.V2);

        // Row 0 is 22 bytes; row 1 starts with shared = 3. Claim 9.
        bytes[22].Should().Be(3);
        bytes[22] = 9;
        var iterator = Block.Decode(bytes, BlockFormatVersion.V2, "t").CreateIterator();
        var act = () => iterator.SeekToLast();
        act.Should().Throw<SlateDbException>().Which.Kind.Should().Be(SlateDbErrorKind.Data);
    }

    [Fact]
    public void A_v1_row_overrunning_the_next_entry_is_corrupt()
    {
        var bytes = TwoRowBlock(BlockFormatVersion.V1);

        // Row 0's value length (at 4 + 4 + 9) claims one more byte than it has.
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(17), 7);
        var iterator = Block.Decode(bytes, BlockFormatVersion.V1, "t").CreateIterator();
        var act = () => iterator.SeekToFirst();
        act.Should().Throw<SlateDbException>().Which.Kind.Should().Be(SlateDbErrorKind.Data);
    }

    [Fact]
    public void Sst_format_versions_map_to_block_formats()
    {
        BlockFormatVersions.FromSstFormatVersion(1, "t").Should().Be(BlockFormatVersion.V1);
        BlockFormatVersions.FromSstFormatVersion(2, "t").Should().Be(BlockFormatVersion.V2);
        var act = () => BlockFormatVersions.FromSstFormatVersion(3, "t");
        act.Should().Throw<SlateDbException>().Which.Kind.Should().Be(SlateDbErrorKind.Data);
    }
}
