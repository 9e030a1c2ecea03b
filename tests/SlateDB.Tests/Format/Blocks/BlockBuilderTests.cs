using System.Buffers.Binary;
using SlateDB.Format;
using SlateDB.Format.Blocks;
using SlateDB.Format.Rows;

namespace SlateDB.Tests.Format.Blocks;

public sealed class BlockBuilderTests
{
    public static TheoryData<int> Versions => new(1, 2);

    private static RowEntry Put(string key, string value, ulong seq = 1)
        => RowEntry.Put(System.Text.Encoding.UTF8.GetBytes(key), System.Text.Encoding.UTF8.GetBytes(value), seq);

    [Theory]
    [MemberData(nameof(Versions))]
    public void An_empty_block_takes_one_oversized_row_and_then_nothing(int versionNumber)
    {
        var version = (BlockFormatVersion)versionNumber;
        var builder = BlockBuilder.Create(version, 100);
        var big = RowEntry.Put("key1"u8.ToArray(), new byte[10_000], 1);
        builder.WouldFit(big).Should().BeTrue();
        builder.TryAdd(big).Should().BeTrue();
        builder.TryAdd(Put("key2", "v")).Should().BeFalse();
        builder.EntryCount.Should().Be(1);
        var block = Block.Decode(builder.Build(), version, "t");
        var iterator = block.CreateIterator();
        iterator.SeekToFirst();
        iterator.Current.Value.Length.Should().Be(10_000);
        iterator.Next().Should().BeFalse();
    }

    [Fact]
    public void V1_counts_the_row_but_not_its_new_offset()
    {
        // First row: 2+2+4+8+1+4+6 = 27 bytes; block so far 27 + 2 + 2 = 31. A second row sharing 3 bytes of
        // "key1" with suffix "2": 2+2+1+8+1+4+6 = 24. SlateDB accepts it at a 55-byte target (31 + 24) and the
        // block then measures 57.
        var builder = BlockBuilder.Create(BlockFormatVersion.V1, 55);
        builder.TryAdd(Put("key1", "value1")).Should().BeTrue();
        builder.EncodedLength.Should().Be(31);
        builder.TryAdd(Put("key2", "value2")).Should().BeTrue();
        builder.EncodedLength.Should().Be(57);

        var tighter = BlockBuilder.Create(BlockFormatVersion.V1, 54);
        tighter.TryAdd(Put("key1", "value1")).Should().BeTrue();
        tighter.TryAdd(Put("key2", "value2")).Should().BeFalse();
    }

    [Fact]
    public void V2_counts_the_row_and_a_new_restart_offset()
    {
        // Row 0 (restart): varints 0,4,6 + "key1" + "value1" + seq + flags = 22 bytes; block 22 + 2 + 2 = 26.
        // Row 1 shares 3 bytes: varints 3,1,6 + "2" + "value2" + 9 = 19 bytes -> fits a 45-byte target exactly.
        var builder = new BlockBuilderV2(45);
        builder.TryAdd(Put("key1", "value1")).Should().BeTrue();
        builder.EncodedLength.Should().Be(26);
        builder.TryAdd(Put("key2", "value2")).Should().BeTrue();
        builder.EncodedLength.Should().Be(45);

        // With a restart interval of 1 the second row also needs a 2-byte offset and its full key (22 bytes): 26 + 22 + 2 = 50.
        var everyRow = new BlockBuilderV2(49, restartInterval: 1);
        everyRow.TryAdd(Put("key1", "value1")).Should().BeTrue();
        everyRow.TryAdd(Put("key2", "value2")).Should().BeFalse();
        var enough = new BlockBuilderV2(50, restartInterval: 1);
        enough.TryAdd(Put("key1", "value1")).Should().BeTrue();
        enough.TryAdd(Put("key2", "value2")).Should().BeTrue();
        enough.EncodedLength.Should().Be(50);
    }

    [Fact]
    public void V2_records_a_restart_every_sixteen_rows_with_full_keys()
    {
        var builder = BlockBuilder.Create(BlockFormatVersion.V2, 8192);
        for (var i = 0; i < 40; i++)
        {
            builder.TryAdd(Put($"key_{i:D5}", $"value_{i}", (ulong)i)).Should().BeTrue();
        }

        var block = Block.Decode(builder.Build(), BlockFormatVersion.V2, "t");
        block.OffsetCount.Should().Be(3);
        for (var restart = 0; restart < 3; restart++)
        {
            var position = block.OffsetAt(restart);
            var row = RowCodecV2.Decode(block.Data, ref position, "t");
            row.SharedLength.Should().Be(0);
            row.KeySuffix.ToArray().Should().Equal(System.Text.Encoding.UTF8.GetBytes($"key_{restart * 16:D5}"));
        }
    }

    [Fact]
    public void V2_compresses_against_the_previous_key()
    {
        var builder = BlockBuilder.Create(BlockFormatVersion.V2);
        builder.TryAdd(Put("prefix_aaa", "v1")).Should().BeTrue();
        builder.TryAdd(Put("prefix_aab", "v2")).Should().BeTrue();
        builder.TryAdd(Put("prefix_abb", "v3")).Should().BeTrue();
        var block = Block.Decode(builder.Build(), BlockFormatVersion.V2, "t");
        var position = 0;
        RowCodecV2.Decode(block.Data, ref position, "t").SharedLength.Should().Be(0);
        var second = RowCodecV2.Decode(block.Data, ref position, "t");
        second.SharedLength.Should().Be(9);
        second.KeySuffix.ToArray().Should().Equal("b"u8.ToArray());
        RowCodecV2.Decode(block.Data, ref position, "t").SharedLength.Should().Be(8);
    }

    [Fact]
    public void V1_compresses_against_the_first_key()
    {
        var builder = BlockBuilder.Create(BlockFormatVersion.V1);
        builder.TryAdd(Put("prefix_aaa", "v1")).Should().BeTrue();
        builder.TryAdd(Put("prefix_aab", "v2")).Should().BeTrue();
        builder.TryAdd(Put("prefix_abb", "v3")).Should().BeTrue();
        var encoded = builder.Build();
        var block = Block.Decode(encoded, BlockFormatVersion.V1, "t");
        var shared = Enumerable.Range(0, 3).Select(i => (int)BinaryPrimitives.ReadUInt16BigEndian(encoded.AsSpan(block.OffsetAt(i)))).ToArray();
        shared.Should().Equal(0, 9, 8);
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void Reset_builds_the_same_bytes_again(int versionNumber)
    {
        var version = (BlockFormatVersion)versionNumber;
        var builder = BlockBuilder.Create(version, 512);
        var rows = RandomRows.Sorted(new Random(7), 30);
        var first = Fill(builder, rows);
        builder.Reset();
        builder.IsEmpty.Should().BeTrue();
        Fill(builder, rows).Should().Equal(first);

        static byte[] Fill(BlockBuilder builder, List<RowEntry> rows)
        {
            foreach (var row in rows)
            {
                if (!builder.TryAdd(row))
                {
                    break;
                }
            }

            return builder.Build();
        }
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void Misuse_throws_argument_or_operation_errors(int versionNumber)
    {
        var version = (BlockFormatVersion)versionNumber;
        var builder = BlockBuilder.Create(version);
        var emptyKey = () => builder.TryAdd(RowEntry.Put(ReadOnlyMemory<byte>.Empty, "v"u8.ToArray(), 1));
        emptyKey.Should().Throw<ArgumentException>();
        var build = () => builder.Build();
        build.Should().Throw<InvalidOperationException>();
        var tooSmall = () => BlockBuilder.Create(version, 0);
        tooSmall.Should().Throw<ArgumentOutOfRangeException>();
        var tooBig = () => BlockBuilder.Create(version, BlockBuilder.MaxBlockSize + 1);
        tooBig.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void Blocks_of_the_largest_size_keep_offsets_in_range(int versionNumber)
    {
        var version = (BlockFormatVersion)versionNumber;
        var builder = BlockBuilder.Create(version, BlockBuilder.MaxBlockSize);
        var seq = 0ul;
        while (builder.TryAdd(Put($"k{seq:D8}", "x", seq)))
        {
            seq++;
        }

        var encoded = builder.Build();
        encoded.Length.Should().BeLessThanOrEqualTo(BlockBuilder.MaxBlockSize + 2);
        var iterator = Block.Decode(encoded, version, "t").CreateIterator();
        var count = 0;
        for (iterator.SeekToFirst(); iterator.IsValid; iterator.Next())
        {
            count++;
        }

        count.Should().Be((int)seq);
    }
}
