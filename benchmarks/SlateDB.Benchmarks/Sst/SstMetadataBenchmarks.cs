using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using SlateDB.Format.FlatBuffers;

namespace SlateDB.Benchmarks.Sst;

/// <summary>
/// Encoding the per-block metadata of a 64 MiB SST (16,000 blocks of 4 KiB, 16-byte keys: its index and statistics)
/// with <see cref="PerBlockMetadataBuilder"/>, as SSTs are written, and with Google.FlatBuffers' builder, which it
/// replaced (the same bytes). Two jobs: <c>FirstCall</c> times the first encoding in a fresh process (five processes,
/// no warm-up), JIT and unoptimized first code included, the regime of a process's first flushes and compactions;
/// <c>Warm</c> is BenchmarkDotNet's default, after warm-up.
/// </summary>
/// <remarks>
/// Run with <c>dotnet run -c Release --project benchmarks/SlateDB.Benchmarks -- --filter '*SstMetadataBenchmarks*'</c>.
/// </remarks>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.ColdStart, launchCount: 5, warmupCount: 0, iterationCount: 1, id: "FirstCall")]
[SimpleJob(id: "Warm")]
public class SstMetadataBenchmarks
{
    /// <summary>Blocks in the SST.</summary>
    public const int BlockCount = 16_000;

    private SsTableIndexModel _index = null!;
    private SstStatsModel _stats = null!;

    /// <summary>Makes the blocks' keys, offsets and counts (seeded).</summary>
    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        var blocks = new BlockMetaModel[BlockCount];
        var counts = new BlockStatsModel[BlockCount];
        for (var i = 0; i < BlockCount; i++)
        {
            var key = new byte[16];
            random.NextBytes(key);
            blocks[i] = new BlockMetaModel((ulong)i * 4096, key);
            counts[i] = new BlockStatsModel((ushort)random.Next(30, 36), 0, 0);
        }

        _index = new SsTableIndexModel(blocks);
        _stats = new SstStatsModel(BlockCount * 33UL, 0, 0, BlockCount * 33UL * 16, BlockCount * 33UL * 100, counts);
    }

    /// <summary>Google.FlatBuffers' builder, through the generated code, its buffers sized as the codecs sized them.</summary>
    [Benchmark(Baseline = true)]
    public int FlatBuffersBuilder()
    {
        var index = new MetadataWriter(64 + _index.Blocks.Sum(block => 24 + block.FirstKey.Length));
        var metas = new Google.FlatBuffers.Offset<BlockMeta>[_index.Blocks.Count];
        for (var i = 0; i < metas.Length; i++)
        {
            var block = _index.Blocks[i];
            metas[i] = BlockMeta.CreateBlockMeta(index.Builder, block.Offset, index.Bytes(block.FirstKey));
        }

        var indexBytes = index.Finish(SsTableIndex.CreateSsTableIndex(index.Builder, index.OffsetVector(metas)).Value);
        var stats = new MetadataWriter(128 + (_stats.BlockStats.Count * 20));
        var tables = new Google.FlatBuffers.Offset<BlockStats>[_stats.BlockStats.Count];
        for (var i = 0; i < tables.Length; i++)
        {
            var block = _stats.BlockStats[i];
            tables[i] = BlockStats.CreateBlockStats(stats.Builder, block.NumPuts, block.NumDeletes, block.NumMerges);
        }

        var root = SstStats.CreateSstStats(stats.Builder, _stats.NumPuts, _stats.NumDeletes, _stats.NumMerges, _stats.RawKeySize, _stats.RawValSize, stats.OffsetVector(tables));
        return indexBytes.Length + stats.Finish(root.Value).Length;
    }

    /// <summary>The codecs as SSTs are written: <see cref="PerBlockMetadataBuilder"/>.</summary>
    [Benchmark]
    public int PerBlockBuilder() => SsTableIndexCodec.Encode(_index).Length + SstStatsCodec.Encode(_stats).Length;
}
