using BenchmarkDotNet.Attributes;
using SlateDB.Format;
using SlateDB.Format.Blocks;

namespace SlateDB.Benchmarks.Format;

/// <summary>Encoding and reading one 4 KiB data block in each format.</summary>
[MemoryDiagnoser]
public class BlockBenchmarks
{
    private List<RowEntry> _rows = [];
    private byte[] _encoded = [];
    private byte[] _output = [];
    private BlockBuilder _builder = null!;
    private Block _block = null!;
    private byte[][] _probes = [];

    [Params("V1", "V2")]
    public string Format { get; set; } = "V2";

    [GlobalSetup]
    public void Setup()
    {
        var version = Enum.Parse<BlockFormatVersion>(Format);
        (_rows, _encoded) = BenchmarkRows.OneBlock(version);
        _output = new byte[_encoded.Length];
        _builder = BlockBuilder.Create(version);
        _block = Block.Decode(_encoded, version, "bench");
        var random = new Random(5);
        _probes = Enumerable.Range(0, 16).Select(_ => _rows[random.Next(_rows.Count)].Key.ToArray()).ToArray();
    }

    /// <summary>Adds the block's rows to a reused builder and writes the block out.</summary>
    [Benchmark]
    public int Encode()
    {
        _builder.Reset();
        foreach (var row in _rows)
        {
            _builder.TryAdd(row);
        }

        return _builder.WriteTo(_output);
    }

    /// <summary>Decodes the block and reads every row front to back.</summary>
    [Benchmark]
    public long DecodeAndScan()
    {
        var iterator = Block.Decode(_encoded, _block.Version, "bench").CreateIterator();
        long total = 0;
        for (iterator.SeekToFirst(); iterator.IsValid; iterator.Next())
        {
            total += iterator.Current.Value.Length;
        }

        return total;
    }

    /// <summary>Reads every row back to front.</summary>
    [Benchmark]
    public long ScanReverse()
    {
        var iterator = _block.CreateIterator();
        long total = 0;
        for (iterator.SeekToLast(); iterator.IsValid; iterator.Prev())
        {
            total += iterator.Current.Key.Length;
        }

        return total;
    }

    /// <summary>Sixteen point seeks into a decoded block.</summary>
    [Benchmark(OperationsPerInvoke = 16)]
    public long Seek16()
    {
        var iterator = _block.CreateIterator();
        long total = 0;
        foreach (var probe in _probes)
        {
            iterator.Seek(probe);
            total += iterator.Current.Seq > 0 ? 1 : 0;
        }

        return total;
    }
}
