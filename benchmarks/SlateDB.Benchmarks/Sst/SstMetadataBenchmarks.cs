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
    public int FlatBuffersBuilder() => LibraryIndex(_index).Length + LibraryStats(_stats).Length;

    /// <summary>The codecs as SSTs are written: <see cref="PerBlockMetadataBuilder"/>.</summary>
    [Benchmark]
    public int PerBlockBuilder() => SsTableIndexCodec.Encode(_index).Length + SstStatsCodec.Encode(_stats).Length;

    /// <summary>
    /// The index as Google.FlatBuffers' builder writes it, as the codec wrote it before
    /// <see cref="PerBlockMetadataBuilder"/> (also the reference the codec's tests compare bytes with).
    /// </summary>
    internal static byte[] LibraryIndex(SsTableIndexModel index)
    {
        var writer = new MetadataWriter(64 + index.Blocks.Sum(block => 24 + block.FirstKey.Length));
        var metas = new Google.FlatBuffers.Offset<BlockMeta>[index.Blocks.Count];
        for (var i = 0; i < metas.Length; i++)
        {
            var block = index.Blocks[i];
            metas[i] = BlockMeta.CreateBlockMeta(writer.Builder, block.Offset, writer.Bytes(block.FirstKey));
        }

        return writer.Finish(SsTableIndex.CreateSsTableIndex(writer.Builder, writer.OffsetVector(metas)).Value);
    }

    /// <summary>The statistics as Google.FlatBuffers' builder writes them, as the codec wrote them before (no per-block vector when there are no blocks).</summary>
    internal static byte[] LibraryStats(SstStatsModel stats)
    {
        var writer = new MetadataWriter(128 + (stats.BlockStats.Count * 20));
        var blocks = default(Google.FlatBuffers.VectorOffset);
        if (stats.BlockStats.Count > 0)
        {
            var tables = new Google.FlatBuffers.Offset<BlockStats>[stats.BlockStats.Count];
            for (var i = 0; i < tables.Length; i++)
            {
                var block = stats.BlockStats[i];
                tables[i] = BlockStats.CreateBlockStats(writer.Builder, block.NumPuts, block.NumDeletes, block.NumMerges);
            }

            blocks = writer.OffsetVector(tables);
        }

        var root = SstStats.CreateSstStats(writer.Builder, stats.NumPuts, stats.NumDeletes, stats.NumMerges, stats.RawKeySize, stats.RawValSize, blocks);
        return writer.Finish(root.Value);
    }
}
