using System.Buffers.Binary;
using BenchmarkDotNet.Attributes;
using SlateDB.Format;
using SlateDB.Format.Blocks;
using SlateDB.Format.Compression;
using SlateDB.Manifest;
using SlateDB.Sst;

namespace SlateDB.Benchmarks.Sst;

/// <summary>
/// Building a 1 MB SST (16-byte keys, 100-byte values: 1 MiB of keys and values) with each codec, and opening it and
/// reading every row back. The MB/s column is that 1 MiB of keys and values over the mean time.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ThroughputConfig))]
public class SstBuildBenchmarks
{
    /// <summary>Keys and values in the SST: 1 MiB.</summary>
    public const int PayloadBytes = 1024 * 1024;

    private const int KeyLength = 16;
    private const int ValueLength = 100;
    private List<RowEntry> _rows = [];
    private byte[] _sst = [];
    private SstBuildSettings _settings = null!;

    [Params("None", "Snappy", "Zlib", "Lz4", "Zstd")]
    public string Codec { get; set; } = "None";

    [GlobalSetup]
    public void Setup()
    {
        _settings = new SstBuildSettings(BlockBuilder.DefaultBlockSize, Enum.Parse<BlockCodec>(Codec), MinFilterKeys: 1000, FilterBitsPerKey: 10);
        _rows = Rows();
        _sst = BuildSst().Bytes.ToArray();
    }

    /// <summary>Adds every row (blocks, filter, index, statistics) and finishes the object.</summary>
    [Benchmark]
    public int Build() => BuildSst().Bytes.Length;

    /// <summary>Opens the SST (footer, info, index, filter) and decodes every block and row.</summary>
    [Benchmark]
    public long OpenAndReadAll()
    {
        var sst = SstFile.Open(_sst, "bench.sst");
        long total = 0;
        for (var i = 0; i < sst.BlockCount; i++)
        {
            var range = sst.BlockRange(i);
            var iterator = sst.DecodeBlock(_sst.AsMemory((int)range.Offset, (int)range.Length)).CreateIterator();
            for (iterator.SeekToFirst(); iterator.IsValid; iterator.Next())
            {
                total += iterator.Current.Value.Length;
            }
        }

        return total;
    }

    private EncodedSst BuildSst()
    {
        var builder = new SstBuilder(_settings, SstKind.Compacted);
        foreach (var row in _rows)
        {
            builder.Add(row);
        }

        return builder.Finish();
    }

    /// <summary>Sorted 16-byte keys and compressible 100-byte values (text with a varying number), seeded.</summary>
    private static List<RowEntry> Rows()
    {
        var random = new Random(16);
        var count = PayloadBytes / (KeyLength + ValueLength);
        var rows = new List<RowEntry>(count);
        for (var i = 0; i < count; i++)
        {
            var key = new byte[KeyLength];
            "row/"u8.CopyTo(key);
            BinaryPrimitives.WriteUInt64BigEndian(key.AsSpan(8), (ulong)i * 3);
            var value = new byte[ValueLength];
            var text = $"{{\"id\":{i},\"score\":{random.Next(100_000)},\"name\":\"user-{random.Next(1000)}\",\"tags\":[\"a\",\"b\"],\"pad\":\"";
            System.Text.Encoding.ASCII.GetBytes(text, value);
            value.AsSpan(text.Length).Fill((byte)'x');
            rows.Add(RowEntry.Put(key, value, (ulong)(1_000_000 + i), createTs: 1_700_000_000_000 + i));
        }

        return rows;
    }
}
