using SlateDB.Format;
using SlateDB.Format.Blocks;

namespace SlateDB.Tests.Format.Blocks;

/// <summary>Point searches in both block formats against a sorted model: found versions, bounds by sequence, misses.</summary>
public sealed class BlockPointSearchTests
{
    public static TheoryData<int, int, int> Cases()
    {
        var data = new TheoryData<int, int, int>();
        foreach (var version in new[] { 1, 2 })
        {
            foreach (var blockSize in new[] { 4096, 300, 65536 })
            {
                foreach (var seed in new[] { 21, 22, 23 })
                {
                    data.Add(version, blockSize, seed);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Every_probe_finds_what_the_model_says(int versionNumber, int blockSize, int seed)
    {
        var version = (BlockFormatVersion)versionNumber;
        var random = new Random(seed);
        var rows = RandomRows.Sorted(random, 300);
        var checkedFound = 0;
        foreach (var (encoded, blockRows) in BlockIteratorTests.Split(rows, version, blockSize))
        {
            var block = Block.Decode(encoded, version, "test");
            var model = blockRows.Select(r => RandomRows.AsDecoded(r, version == BlockFormatVersion.V1)).ToList();
            var probes = model.Select(r => r.Key.ToArray()).Distinct(ByteArrayEquality.Instance).ToList();
            probes.AddRange(Enumerable.Range(0, 20).Select(_ => RandomRows.Key(random)));
            probes.Add(model[^1].Key.ToArray().Concat(new byte[] { 0 }).ToArray());
            foreach (var probe in probes)
            {
                foreach (var maxSeq in SeqBounds(model, probe, random))
                {
                    var because = $"seed {seed}, {version}, block size {blockSize}, key {Convert.ToHexString(probe)}, max seq {maxSeq}";
                    var expected = Expected(model, probe, maxSeq, out var expectedRow);
                    var outcome = BlockPointSearch.Find(block, probe.AsMemory(), maxSeq, out var found);
                    outcome.Should().Be(expected, because);
                    if (outcome == PointSearchOutcome.Found)
                    {
                        RowAssert.Equal(found, expectedRow, because);
                        checkedFound++;
                    }
                }
            }
        }

        checkedFound.Should().BeGreaterThan(300, "most probes are present keys");
    }

    [Fact]
    public void Corrupt_v2_blocks_give_data_errors_or_answers_never_other_exceptions()
    {
        const int seed = 77;
        var random = new Random(seed);
        var rows = RandomRows.Sorted(random, 60);
        var (encoded, blockRows) = BlockIteratorTests.Split(rows, BlockFormatVersion.V2, 65536)[0];
        var dataErrors = 0;
        for (var round = 0; round < 3000; round++)
        {
            var damaged = (byte[])encoded.Clone();
            var at = random.Next(damaged.Length - (2 * 5) - 2);
            damaged[at] ^= (byte)(1 << random.Next(8));
            var probe = blockRows[random.Next(blockRows.Count)].Key;
            try
            {
                var block = Block.Decode(damaged, BlockFormatVersion.V2, "damaged");
                BlockPointSearch.Find(block, probe, ulong.MaxValue, out _);
            }
            catch (SlateDbException e) when (e.Kind == SlateDbErrorKind.Data)
            {
                e.Message.Should().Contain("damaged");
                dataErrors++;
            }
        }

        dataErrors.Should().BeGreaterThan(0, $"some flips break lengths (seed {seed})");
    }

    [Fact]
    public void A_row_the_search_only_skips_is_still_checked()
    {
        // Rows before the probed key are skipped rather than decoded; their flags and lengths are still checked.
        var rows = new List<RowEntry>
        {
            RowEntry.Put("a"u8.ToArray(), "1"u8.ToArray(), 3),
            RowEntry.Put("b"u8.ToArray(), "2"u8.ToArray(), 2),
            RowEntry.Put("c"u8.ToArray(), "3"u8.ToArray(), 1),
        };
        var (encoded, _) = BlockIteratorTests.Split(rows, BlockFormatVersion.V2, 65536)[0];
        BlockPointSearch.Find(Block.Decode(encoded, BlockFormatVersion.V2, "intact"), "c"u8.ToArray(), ulong.MaxValue, out var found)
            .Should().Be(PointSearchOutcome.Found);
        found.Value.ToArray().Should().Equal("3"u8.ToArray());

        // Row "a": shared 0, suffix length 1, value length 1 (a byte each), "a", "1", seq (8 bytes), then its flags.
        var badFlags = (byte[])encoded.Clone();
        badFlags[3 + 1 + 1 + 8] = 0x80;
        var act = () => BlockPointSearch.Find(Block.Decode(badFlags, BlockFormatVersion.V2, "flagged"), "c"u8.ToArray(), ulong.MaxValue, out _);
        act.Should().Throw<SlateDbException>().Where(e => e.Kind == SlateDbErrorKind.Data && e.Message.Contains("flagged") && e.Message.Contains("0x80"));

        var badLength = (byte[])encoded.Clone();
        badLength[2] = 0x7f; // row "a" claims a 127-byte value
        act = () => BlockPointSearch.Find(Block.Decode(badLength, BlockFormatVersion.V2, "long"), "c"u8.ToArray(), ulong.MaxValue, out _);
        act.Should().Throw<SlateDbException>().Where(e => e.Kind == SlateDbErrorKind.Data && e.Message.Contains("long"));
    }

    /// <summary>Bounds around each version's sequence of the probed key, plus the extremes.</summary>
    private static IEnumerable<ulong> SeqBounds(List<RowEntry> model, byte[] probe, Random random)
    {
        yield return ulong.MaxValue;
        yield return 0;
        foreach (var row in model.Where(r => r.Key.Span.SequenceEqual(probe)))
        {
            yield return row.Seq;
            if (row.Seq > 0)
            {
                yield return row.Seq - 1;
            }
        }

        yield return (ulong)random.NextInt64(0, long.MaxValue);
    }

    private static PointSearchOutcome Expected(List<RowEntry> model, byte[] probe, ulong maxSeq, out RowEntry row)
    {
        foreach (var candidate in model)
        {
            var order = candidate.Key.Span.SequenceCompareTo(probe);
            if (order > 0)
            {
                row = default;
                return PointSearchOutcome.Absent;
            }

            if (order == 0 && candidate.Seq <= maxSeq)
            {
                row = candidate;
                return PointSearchOutcome.Found;
            }
        }

        row = default;
        return PointSearchOutcome.NotPassed;
    }

    private sealed class ByteArrayEquality : IEqualityComparer<byte[]>
    {
        public static readonly ByteArrayEquality Instance = new();

        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(byte[] obj)
        {
            var hash = default(HashCode);
            hash.AddBytes(obj);
            return hash.ToHashCode();
        }
    }
}
