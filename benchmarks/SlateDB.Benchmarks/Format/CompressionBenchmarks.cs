using System.Buffers;
using BenchmarkDotNet.Attributes;
using SlateDB.Format.Blocks;
using SlateDB.Format.Compression;

namespace SlateDB.Benchmarks.Format;

/// <summary>Compressing and decompressing one 4 KiB V2 block with each codec.</summary>
[MemoryDiagnoser]
public class CompressionBenchmarks
{
    private readonly ArrayBufferWriter<byte> _writer = new(16 * 1024);
    private byte[] _block = [];
    private byte[] _compressed = [];
    private BlockCodec _codec;

    [Params("Snappy", "Zlib", "Lz4", "Zstd")]
    public string Codec { get; set; } = "Lz4";

    [GlobalSetup]
    public void Setup()
    {
        _codec = Enum.Parse<BlockCodec>(Codec);
        _block = BenchmarkRows.OneBlock(BlockFormatVersion.V2).Block;
        _compressed = BlockCompression.Compress(_codec, _block);
    }

    /// <summary>Compresses into a reused buffer.</summary>
    [Benchmark]
    public int Compress()
    {
        _writer.ResetWrittenCount();
        BlockCompression.Compress(_codec, _block, _writer);
        return _writer.WrittenCount;
    }

    /// <summary>Decompresses into a new array (what a block read does).</summary>
    [Benchmark]
    public int Decompress() => BlockCompression.Decompress(_codec, _compressed, "bench").Length;
}
