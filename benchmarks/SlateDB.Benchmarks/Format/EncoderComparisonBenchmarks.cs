using System.Buffers.Binary;
using BenchmarkDotNet.Attributes;
using K4os.Compression.LZ4;
using SlateDB.Format.Blocks;
using SlateDB.Format.Compression;

namespace SlateDB.Benchmarks.Format;

/// <summary>
/// The cost of byte-identical output: our ports of lz4_flex's and snap's encoders (which match SlateDB's
/// bytes) against the library encoders (K4os LZ4, Snappier), which produce different valid bytes.
/// </summary>
[MemoryDiagnoser]
public class EncoderComparisonBenchmarks
{
    private byte[] _block = [];
    private byte[] _output = [];

    [GlobalSetup]
    public void Setup()
    {
        _block = BenchmarkRows.OneBlock(BlockFormatVersion.V2).Block;
        _output = new byte[2 * _block.Length + 64];
    }

    [Benchmark(Baseline = true)]
    public int Lz4_SlateDbCompatible() => Lz4BlockCodec.Compress(_block, _output);

    [Benchmark]
    public int Lz4_K4os()
    {
        BinaryPrimitives.WriteInt32LittleEndian(_output, _block.Length);
        return 4 + LZ4Codec.Encode(_block, _output.AsSpan(4), LZ4Level.L00_FAST);
    }

    [Benchmark]
    public int Snappy_SlateDbCompatible() => SnappyBlockCodec.Compress(_block, _output);

    [Benchmark]
    public int Snappy_Snappier() => Snappier.Snappy.Compress(_block, _output);
}
