using System.Buffers.Binary;
using System.IO.Hashing;
using SlateDB.Format;
using SlateDB.Format.Blocks;
using SlateDB.Format.Compression;

namespace SlateDB.Tests.Format.Golden;

/// <summary>
/// Data blocks of SSTs written by the real SlateDB 0.12.1 (TestData/golden/slatedb-0.12.1, made by its
/// generate.mjs): one L0 SST per compression codec and one WAL SST, all SST format version 2 with V2 blocks.
/// Without the SST metadata (another layer), each block is found by its trailing checksum. Checks that we read
/// SlateDB's blocks, that our V2 builder splits and encodes the same rows into the same bytes, and that our
/// compressors reproduce SlateDB's compressed bytes where the codec is deterministic.
/// </summary>
public sealed class RealSlateDbBlockTests
{
    private static string Folder => Path.Combine(AppContext.BaseDirectory, "TestData", "golden", "slatedb-0.12.1");

    public static TheoryData<string, string> Files => new()
    {
        { "l0-none.sst", "None" },
        { "l0-snappy.sst", "Snappy" },
        { "l0-zlib.sst", "Zlib" },
        { "l0-lz4.sst", "Lz4" },
        { "l0-zstd.sst", "Zstd" },
        { "wal-lz4.sst", "Lz4" },
    };

    [Theory]
    [MemberData(nameof(Files))]
    public void Blocks_written_by_slatedb_read_and_rebuild_identically(string file, string codecName)
    {
        var codec = Enum.Parse<BlockCodec>(codecName);
        var sst = File.ReadAllBytes(Path.Combine(Folder, file));
        BinaryPrimitives.ReadUInt16BigEndian(sst.AsSpan(^2)).Should().Be(2, "SlateDB 0.12.1 writes SST format version 2");
        var version = BlockFormatVersions.FromSstFormatVersion(2, file);
        var expected = LoadExpectedRows();

        var stored = new List<byte[]>();
        var rawBlocks = new List<byte[]>();
        var rows = new List<RowEntry>();
        var position = 0;
        while (rows.Count < expected.Count)
        {
            var length = NextChecksummedLength(sst, position);
            var payload = Checksum.Verify(sst.AsMemory(position, length), file);
            stored.Add(payload.ToArray());
            var raw = BlockCompression.Decompress(codec, payload, file).ToArray();
            rawBlocks.Add(raw);
            var iterator = Block.Decode(raw, version, file).CreateIterator();
            for (iterator.SeekToFirst(); iterator.IsValid; iterator.Next())
            {
                rows.Add(iterator.Current);
            }

            position += length;
        }

        rawBlocks.Count.Should().BeGreaterThan(1, "the fixture spans several 4 KiB blocks");
        rows.Count.Should().Be(expected.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            var (key, value, ttl) = expected[i];
            var row = rows[i];
            var because = $"{file}, row {i}";
            row.Key.ToArray().Should().Equal(key, because);
            row.Kind.Should().Be(value is null ? RowKind.Tombstone : RowKind.Value, because);
            row.Value.ToArray().Should().Equal(value ?? [], because);
            row.CreateTs.Should().NotBeNull(because);
            row.ExpireTs.HasValue.Should().Be(ttl, because);
            row.Seq.Should().Be(rows[0].Seq, because + ": all rows come from one write batch, which takes one sequence number");
        }

        // Our V2 builder, fed the same rows with SlateDB's 4 KiB target, cuts and encodes the same blocks.
        var rebuilt = new List<byte[]>();
        var builder = BlockBuilder.Create(version);
        foreach (var row in rows)
        {
            if (!builder.TryAdd(row))
            {
                rebuilt.Add(builder.Build());
                builder.Reset();
                builder.TryAdd(row).Should().BeTrue();
            }
        }

        rebuilt.Add(builder.Build());
        rebuilt.Should().HaveCount(rawBlocks.Count);
        for (var i = 0; i < rawBlocks.Count; i++)
        {
            rebuilt[i].Should().Equal(rawBlocks[i], $"{file}, block {i}");
        }

        // Zstd gives SlateDB's exact bytes; zlib's, Snappy's and LZ4's encoders choose other matches, so their blocks
        // must decode back to the same raw block (the real SlateDB decoding them is the compatibility suite's job).
        for (var i = 0; i < rawBlocks.Count; i++)
        {
            var compressed = BlockCompression.Compress(codec, rawBlocks[i]);
            if (codec is BlockCodec.None or BlockCodec.Zstd)
            {
                compressed.Should().Equal(stored[i], $"{file}, block {i} compressed with {codec}");
            }
            else
            {
                BlockCompression.Decompress(codec, compressed, file).ToArray().Should().Equal(rawBlocks[i], $"{file}, block {i} compressed with {codec}");
            }
        }
    }

    /// <summary>The length of the checksummed range starting at <paramref name="start"/>: the first end whose last four bytes are the CRC-32 of what precedes them.</summary>
    private static int NextChecksummedLength(byte[] sst, int start)
    {
        var crc = new Crc32();
        for (var end = start; end + 4 <= sst.Length; end++)
        {
            if (end > start && crc.GetCurrentHashAsUInt32() == BinaryPrimitives.ReadUInt32BigEndian(sst.AsSpan(end)))
            {
                return end + 4 - start;
            }

            crc.Append(sst.AsSpan(end, 1));
        }

        throw new InvalidOperationException($"No checksummed block starts at {start}.");
    }

    private static List<(byte[] Key, byte[]? Value, bool Ttl)> LoadExpectedRows()
        => File.ReadLines(Path.Combine(Folder, "expected-rows.txt"))
            .Where(line => line.Length > 0)
            .Select(line => line.Split(' '))
            .Select(parts => (
                Convert.FromHexString(parts[0]),
                parts[1] == "tombstone" ? null : Convert.FromHexString(parts[1]),
                parts.Length > 2 && parts[2] == "ttl"))
            .ToList();
}
