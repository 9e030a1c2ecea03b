using Google.FlatBuffers;
using SlateDB.Format;
using SlateDB.Format.FlatBuffers;
using SlateDB.Benchmarks.Sst;
using SlateDB.Manifest;
using Fb = SlateDB.Format.FlatBuffers;

namespace SlateDB.Tests.Manifest;

public sealed class SstMetadataCodecTests
{
    private const string Name = "db/compacted/01ARZ3NDEKTSV4RRFFQ69G5FAV.sst";

    [Fact]
    public void Random_infos_round_trip()
    {
        const int seed = 41;
        var generator = new ModelGenerator(seed);
        for (var i = 0; i < 500; i++)
        {
            var info = generator.Info(forView: i % 2 == 0);
            SsTableInfoCodec.Decode(SsTableInfoCodec.Encode(info), Name).Should().Be(info, $"seed {seed}, case {i}");
        }
    }

    [Fact]
    public void A_wal_sst_info_round_trips()
    {
        var info = new SsTableInfoModel { FirstEntry = new byte[] { 0, 0, 0, 0, 0, 0, 0, 42 }, SstType = SstKind.Wal, IndexOffset = 4096, IndexLen = 35 };
        var decoded = SsTableInfoCodec.Decode(SsTableInfoCodec.Encode(info), Name);
        decoded.Should().Be(info);
        decoded.LastEntry.Should().BeNull();
    }

    [Fact]
    public void An_info_without_filter_format_is_legacy()
    {
        var builder = new FlatBufferBuilder(64);
        builder.Finish(Fb.SsTableInfo.CreateSsTableInfo(builder, index_offset: 10).Value);
        var info = SsTableInfoCodec.Decode(builder.SizedByteArray(), Name);
        info.Should().Be(new SsTableInfoModel { IndexOffset = 10, FilterFormat = SstFilterFormat.Legacy });
    }

    [Fact]
    public void Unknown_enum_values_are_corrupt()
    {
        foreach (var (compression, type, filter) in new[] { (5, 0, 0), (0, 2, 0), (0, 0, 2) })
        {
            var builder = new FlatBufferBuilder(64);
            builder.Finish(Fb.SsTableInfo.CreateSsTableInfo(builder, compression_format: (CompressionFormat)compression, sst_type: (SstType)type, filter_format: (FilterFormat)filter).Value);
            var act = () => SsTableInfoCodec.Decode(builder.SizedByteArray(), Name);
            act.Should().Throw<SlateDbException>().Where(e => e.Kind == SlateDbErrorKind.Data, $"({compression}, {type}, {filter})");
        }
    }

    [Fact]
    public void Random_indexes_round_trip()
    {
        const int seed = 42;
        var generator = new ModelGenerator(seed);
        for (var i = 0; i < 200; i++)
        {
            var blocks = Enumerable.Range(0, generator.Next(0, i + 2)).Select(_ => new BlockMetaModel(generator.Ulong(), generator.Bytes(0, 20))).ToArray();
            var index = new SsTableIndexModel(blocks);
            SsTableIndexCodec.Decode(SsTableIndexCodec.Encode(index), Name).Should().Be(index, $"seed {seed}, case {i}");
        }
    }

    [Fact]
    public void Index_decoding_reads_what_the_generated_accessors_read()
    {
        // The index is read straight from the bytes (FlatBufferTables), not through Google.FlatBuffers: both must see
        // the same blocks, including a first block at offset 0 (a default the builder leaves out) and empty keys.
        var generator = new ModelGenerator(44);
        for (var i = 0; i < 100; i++)
        {
            var blocks = Enumerable.Range(0, generator.Next(1, 50))
                .Select(b => new BlockMetaModel(b == 0 ? 0 : generator.Ulong(), b == 0 ? Array.Empty<byte>() : generator.Bytes(0, 40)))
                .ToArray();
            var bytes = SsTableIndexCodec.Encode(new SsTableIndexModel(blocks));

            var generated = Fb.SsTableIndex.GetRootAsSsTableIndex(new ByteBuffer(bytes));
            var decoded = SsTableIndexCodec.Decode(bytes, Name).Blocks;

            decoded.Should().HaveCount(generated.BlockMetaLength);
            for (var b = 0; b < decoded.Count; b++)
            {
                var meta = generated.BlockMeta(b)!.Value;
                decoded[b].Offset.Should().Be(meta.Offset);
                decoded[b].FirstKey.ToArray().Should().Equal(meta.GetFirstKeyBytes()?.ToArray() ?? [], $"case {i}, block {b}");
            }
        }
    }

    [Fact]
    public void Random_stats_round_trip()
    {
        const int seed = 43;
        var generator = new ModelGenerator(seed);
        for (var i = 0; i < 200; i++)
        {
            var blocks = Enumerable.Range(0, generator.Next(0, i + 1)).Select(_ => new BlockStatsModel((ushort)generator.Next(0, 65536), (ushort)generator.Next(0, 65536), (ushort)generator.Next(0, 65536))).ToArray();
            var stats = new SstStatsModel(generator.Ulong(), generator.Ulong(), generator.Ulong(), generator.Ulong(), generator.Ulong(), blocks);
            SstStatsCodec.Decode(SstStatsCodec.Encode(stats), Name).Should().Be(stats, $"seed {seed}, case {i}");
        }
    }

    [Fact]
    public void Index_and_stats_are_the_bytes_the_flatbuffers_builder_writes()
    {
        // PerBlockMetadataBuilder stands in for Google.FlatBuffers' builder (whose bytes match SlateDB's) for speed:
        // the same bytes, padding, left-out defaults and shared vtables included, across shapes that change them.
        // Pinned first: no blocks, SlateDB's usual lone first block (offset 0, empty key), statistics of zeros only
        // (the buffer then aligns to 4, not 8). Each case is also encoded from a 64-byte buffer, which has to grow.
        var indexes = new List<SsTableIndexModel> { new([]), new([new BlockMetaModel(0, Array.Empty<byte>())]) };
        var stats = new List<SstStatsModel> { new(0, 0, 0, 0, 0, []), new(0, 0, 0, 0, 0, [new BlockStatsModel(0, 0, 0)]) };
        var generator = new ModelGenerator(46);
        for (var i = 0; i < 300; i++)
        {
            var count = generator.Next(0, i % 10 == 0 ? 2001 : 40);
            indexes.Add(new SsTableIndexModel(Enumerable.Range(0, count)
                .Select(b => new BlockMetaModel(b == 0 || generator.Next(0, 8) == 0 ? 0 : generator.Ulong() >> generator.Next(0, 64), generator.Bytes(0, generator.Next(1, 41))))
                .ToArray()));
            stats.Add(new SstStatsModel(
                generator.Next(0, 3) == 0 ? 0 : generator.Ulong(),
                generator.Next(0, 3) == 0 ? 0 : generator.Ulong(),
                generator.Next(0, 3) == 0 ? 0 : generator.Ulong(),
                generator.Ulong(),
                generator.Next(0, 3) == 0 ? 0 : generator.Ulong(),
                Enumerable.Range(0, count).Select(_ => new BlockStatsModel(Count(generator), Count(generator), Count(generator))).ToArray()));
        }

        for (var i = 0; i < indexes.Count; i++)
        {
            var index = SstMetadataBenchmarks.LibraryIndex(indexes[i]);
            SsTableIndexCodec.Encode(indexes[i]).Should().Equal(index, $"index case {i}");
            SsTableIndexCodec.Encode(indexes[i], capacity: 64).Should().Equal(index, $"index case {i}, growing buffer");
            var stat = SstMetadataBenchmarks.LibraryStats(stats[i]);
            SstStatsCodec.Encode(stats[i]).Should().Equal(stat, $"stats case {i}");
            SstStatsCodec.Encode(stats[i], capacity: 64).Should().Equal(stat, $"stats case {i}, growing buffer");
        }

        static ushort Count(ModelGenerator generator) => generator.Next(0, 3) == 0 ? (ushort)0 : (ushort)generator.Next(1, 65536);
    }

    [Fact]
    public void Stats_without_blocks_store_no_block_vector()
    {
        var bytes = SstStatsCodec.Encode(new SstStatsModel(1, 2, 3, 4, 5, []));
        var fb = Fb.SstStats.GetRootAsSstStats(new ByteBuffer(bytes));
        fb.BlockStatsLength.Should().Be(0);
        fb.NumMerges.Should().Be(3);
        SstStatsCodec.Decode(bytes, Name).NumRows.Should().Be(6);
    }

    [Fact]
    public void An_index_missing_its_required_block_list_is_corrupt()
    {
        var builder = new FlatBufferBuilder(64);
        Fb.SsTableIndex.StartSsTableIndex(builder);
        builder.Finish(builder.EndTable());
        var act = () => SsTableIndexCodec.Decode(builder.SizedByteArray(), Name);
        act.Should().Throw<SlateDbException>().Where(e => e.Kind == SlateDbErrorKind.Data && e.Message.Contains("block_meta", StringComparison.Ordinal));
    }
}
