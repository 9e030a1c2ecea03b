using SlateDB.Format;
using SlateDB.Format.Blocks;

namespace SlateDB.Tests.Format.Blocks;

/// <summary>Both block formats against a sorted in-memory model: build, decode, scan both ways, seek.</summary>
public sealed class BlockIteratorTests
{
    public static TheoryData<int, int, int> Cases()
    {
        var data = new TheoryData<int, int, int>();
        foreach (var version in new[] { 1, 2 })
        {
            foreach (var blockSize in new[] { 4096, 300, 65536 })
            {
                foreach (var seed in new[] { 11, 12 })
                {
                    data.Add(version, blockSize, seed);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Blocks_read_back_as_the_model(int versionNumber, int blockSize, int seed)
    {
        var version = (BlockFormatVersion)versionNumber;
        var random = new Random(seed);
        var rows = RandomRows.Sorted(random, 400);
        var v1 = version == BlockFormatVersion.V1;
        var blocks = Split(rows, version, blockSize);
        blocks.Sum(b => b.Rows.Count).Should().Be(rows.Count);

        foreach (var (encoded, blockRows) in blocks)
        {
            var because = $"seed {seed}, {version}, block size {blockSize}";
            var model = blockRows.Select(r => RandomRows.AsDecoded(r, v1)).ToList();
            var iterator = Block.Decode(encoded, version, "test").CreateIterator();
            iterator.IsValid.Should().BeFalse();

            var forward = new List<RowEntry>();
            for (iterator.SeekToFirst(); iterator.IsValid; iterator.Next())
            {
                forward.Add(iterator.Current);
            }

            RowAssert.Equal(forward, model, because);

            var backward = new List<RowEntry>();
            for (iterator.SeekToLast(); iterator.IsValid; iterator.Prev())
            {
                backward.Add(iterator.Current);
            }

            RowAssert.Equal(backward, Enumerable.Reverse(model), because);

            var targets = model.Select(r => r.Key.ToArray())
                .Concat(Enumerable.Range(0, 30).Select(_ => RandomRows.Key(random)))
                .Append([])
                .Append([0xFF, 0xFF, 0xFF, 0xFF]);
            foreach (var target in targets)
            {
                var lower = model.FindIndex(r => r.Key.Span.SequenceCompareTo(target) >= 0);
                iterator.Seek(target);
                CheckAt(iterator, model, lower, because + $", seek {Convert.ToHexString(target)}");

                var upper = model.FindLastIndex(r => r.Key.Span.SequenceCompareTo(target) <= 0);
                iterator.SeekForPrev(target);
                CheckAt(iterator, model, upper, because + $", seek-for-prev {Convert.ToHexString(target)}");
            }

            // A random walk mixing both directions.
            iterator.Seek(model[random.Next(model.Count)].Key.Span);
            var index = model.FindIndex(r => r.Key.Span.SequenceCompareTo(iterator.Current.Key.Span) == 0);
            for (var step = 0; step < 200 && iterator.IsValid; step++)
            {
                if (random.Next(2) == 0)
                {
                    iterator.Next();
                    index++;
                }
                else
                {
                    iterator.Prev();
                    index--;
                }

                CheckAt(iterator, model, index >= 0 && index < model.Count ? index : -1, because + $", walk step {step}");
            }
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Rows_stay_valid_after_the_iterator_moves_on(int versionNumber)
    {
        var version = (BlockFormatVersion)versionNumber;
        var rows = RandomRows.Sorted(new Random(5), 200);
        var (encoded, blockRows) = Split(rows, version, 65536)[0];
        var iterator = Block.Decode(encoded, version, "test").CreateIterator();
        iterator.SeekToLast();
        var held = iterator.Current;
        for (iterator.SeekToFirst(); iterator.IsValid; iterator.Next())
        {
        }

        RowAssert.Equal(held, RandomRows.AsDecoded(blockRows[^1], version == BlockFormatVersion.V1));
    }

    [Fact]
    public void Moving_an_unpositioned_iterator_throws()
    {
        var builder = BlockBuilder.Create(BlockFormatVersion.V2);
        builder.TryAdd(RowEntry.Put("a"u8.ToArray(), "b"u8.ToArray(), 1));
        var iterator = Block.Decode(builder.Build(), BlockFormatVersion.V2, "t").CreateIterator();
        var next = () => iterator.Next();
        next.Should().Throw<InvalidOperationException>();
        var current = () => iterator.Current;
        current.Should().Throw<InvalidOperationException>();
    }

    private static void CheckAt(BlockIterator iterator, List<RowEntry> model, int index, string because)
    {
        if (index < 0)
        {
            iterator.IsValid.Should().BeFalse(because);
            return;
        }

        iterator.IsValid.Should().BeTrue(because);
        RowAssert.Equal(iterator.Current, model[index], because);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void One_iterator_reset_from_block_to_block_reads_each_as_a_new_one_would(int versionNumber)
    {
        var version = (BlockFormatVersion)versionNumber;
        const int seed = 31;
        var random = new Random(seed);
        var blocks = Split(RandomRows.Sorted(random, 300), version, 1024);
        blocks.Count.Should().BeGreaterThan(3);
        BlockIterator? iterator = null;
        var earlier = new List<(RowEntry Read, RowEntry Model)>();
        foreach (var (encoded, blockRows) in blocks)
        {
            var block = Block.Decode(encoded, version, "test");
            if (iterator is null)
            {
                iterator = block.CreateIterator();
            }
            else
            {
                iterator.Reset(block);
            }

            iterator.IsValid.Should().BeFalse("a reset iterator is not positioned");
            var model = blockRows.Select(r => RandomRows.AsDecoded(r, version == BlockFormatVersion.V1)).ToList();
            var read = new List<RowEntry>();
            for (iterator.SeekToFirst(); iterator.IsValid; iterator.Next())
            {
                read.Add(iterator.Current);
            }

            RowAssert.Equal(read, model, $"seed {seed}, {version}");
            iterator.Seek(model[^1].Key.Span);
            iterator.Current.Key.ToArray().Should().Equal(model[^1].Key.ToArray());
            earlier.AddRange(read.Zip(model));
        }

        foreach (var (readRow, modelRow) in earlier)
        {
            RowAssert.Equal(readRow, modelRow, "rows handed out before a reset stay valid");
        }

        var other = Block.Decode(Split(RandomRows.Sorted(random, 5), version == BlockFormatVersion.V1 ? BlockFormatVersion.V2 : BlockFormatVersion.V1, 4096)[0].Encoded, version == BlockFormatVersion.V1 ? BlockFormatVersion.V2 : BlockFormatVersion.V1, "other");
        iterator!.Invoking(i => i.Reset(other)).Should().Throw<ArgumentException>();
    }

    internal static List<(byte[] Encoded, List<RowEntry> Rows)> Split(List<RowEntry> rows, BlockFormatVersion version, int blockSize)
    {
        var blocks = new List<(byte[], List<RowEntry>)>();
        var builder = BlockBuilder.Create(version, blockSize);
        var current = new List<RowEntry>();
        foreach (var row in rows)
        {
            if (!builder.TryAdd(row))
            {
                blocks.Add((builder.Build(), current));
                builder.Reset();
                current = [];
                builder.TryAdd(row).Should().BeTrue();
            }

            current.Add(row);
        }

        blocks.Add((builder.Build(), current));
        return blocks;
    }
}
