using System.Buffers.Binary;
using SlateDB.Format;
using SlateDB.Format.Blocks;

namespace SlateDB.Tests.Format.Golden;

/// <summary>
/// The V1 block builder and reader against SlateDB's block snapshots (format/block.rs test_block): each holds
/// <c>(block.size(), block.data, block.offsets)</c> for three rows built with a 4096-byte target.
/// </summary>
public sealed class GoldenBlockV1Tests
{
    public static TheoryData<string> CaseNames => new("test_block", "block_with_tombstone", "block_with_merge");

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Builder_reproduces_the_snapshot_bytes(string name)
    {
        var (size, data, offsets) = LoadSnapshot(name);
        var builder = BlockBuilder.Create(BlockFormatVersion.V1, 4096);
        foreach (var row in Rows(name))
        {
            builder.TryAdd(row).Should().BeTrue();
        }

        var block = builder.Build();
        block.Length.Should().Be(size);
        block.AsSpan(0, data.Length).ToArray().Should().Equal(data);
        var storedOffsets = Enumerable.Range(0, offsets.Length)
            .Select(i => (int)BinaryPrimitives.ReadUInt16BigEndian(block.AsSpan(data.Length + (2 * i))))
            .ToArray();
        storedOffsets.Should().Equal(offsets);
        BinaryPrimitives.ReadUInt16BigEndian(block.AsSpan(block.Length - 2)).Should().Be((ushort)offsets.Length);
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Reader_decodes_the_snapshot_bytes(string name)
    {
        var (size, data, offsets) = LoadSnapshot(name);
        var encoded = new byte[size];
        data.CopyTo(encoded, 0);
        for (var i = 0; i < offsets.Length; i++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(encoded.AsSpan(data.Length + (2 * i)), (ushort)offsets[i]);
        }

        BinaryPrimitives.WriteUInt16BigEndian(encoded.AsSpan(size - 2), (ushort)offsets.Length);
        var block = Block.Decode(encoded, BlockFormatVersion.V1, "golden");
        block.OffsetCount.Should().Be(offsets.Length);

        var iterator = block.CreateIterator();
        var rows = new List<RowEntry>();
        for (iterator.SeekToFirst(); iterator.IsValid; iterator.Next())
        {
            rows.Add(iterator.Current);
        }

        RowAssert.Equal(rows, Rows(name));

        var reversed = new List<RowEntry>();
        for (iterator.SeekToLast(); iterator.IsValid; iterator.Prev())
        {
            reversed.Add(iterator.Current);
        }

        RowAssert.Equal(reversed, Rows(name).Reverse());
    }

    private static (int Size, byte[] Data, int[] Offsets) LoadSnapshot(string name)
    {
        var items = SnapFile.Load($"block__tests__{name}.snap").Items;
        return ((int)items[0].AsUInt64(), items[1].AsBytes(), items[2].Items.Select(o => (int)o.AsUInt64()).ToArray());
    }

    // The rows of SlateDB's test cases; RowEntry::new there takes (key, value, seq, create_ts, expire_ts).
    private static IEnumerable<RowEntry> Rows(string name) => name switch
    {
        "test_block" =>
        [
            RowEntry.Put("key1"u8.ToArray(), "value1"u8.ToArray(), 0, 0, 0),
            RowEntry.Put("key1"u8.ToArray(), "value1"u8.ToArray(), 0, 0, 0),
            RowEntry.Put("key2"u8.ToArray(), "value2"u8.ToArray(), 0, 0, 0),
        ],
        "block_with_tombstone" =>
        [
            RowEntry.Put("key1"u8.ToArray(), "value1"u8.ToArray(), 0, 0, 0),
            RowEntry.Delete("key2"u8.ToArray(), 0, 0, null),
            RowEntry.Put("key3"u8.ToArray(), "value3"u8.ToArray(), 0, 0, 0),
        ],
        "block_with_merge" =>
        [
            RowEntry.Put("key1"u8.ToArray(), "value1"u8.ToArray(), 0, 0, 0),
            RowEntry.MergeOperand("key1"u8.ToArray(), "value1"u8.ToArray(), 0, 0, 0),
            RowEntry.Put("key2"u8.ToArray(), "value2"u8.ToArray(), 0, 0, 0),
        ],
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };
}
