using SlateDB.Format;
using SlateDB.Format.Blocks;
using SlateDB.Format.Compression;
using SlateDB.Manifest;
using SlateDB.Sst;
using SlateDB.Tests.Sst;

namespace SlateDB.Tests.Compatibility;

/// <summary>
/// Our <see cref="SstBuilder"/>, fed the rows of each SST SlateDB 0.12.1 wrote (same settings: 4 KiB blocks, the
/// fixture's codec, filters from 1000 keys at 10 bits per key), writes the same object byte for byte: data blocks,
/// filter, index, statistics, info and footer, uncompressed or with zstd. Zlib, Snappy and LZ4 are the exceptions:
/// .NET's deflate, Snappier and K4os make other (equally valid) choices than the Rust crates, so compressed lengths and
/// hence every offset differ; there the decompressed content of every section and every info field but the offsets
/// and lengths must match.
/// </summary>
public sealed partial class SlateDbFixtureTests
{
    [Theory]
    [MemberData(nameof(Codecs))]
    public void Sst_builder_rebuilds_every_sst_the_real_engine_wrote(string codec)
    {
        var fixture = SlateDbFixture.Load(codec);
        var settings = new SstBuildSettings(BlockBuilder.DefaultBlockSize, fixture.BlockCodec, MinFilterKeys, 10);
        var checkedSsts = 0;
        foreach (var (id, bytes) in fixture.Compacted)
        {
            AssertRebuilds(bytes, SlateDbFixture.CompactedName(id), settings, SstKind.Compacted);
            checkedSsts++;
        }

        foreach (var (id, bytes) in fixture.Wals)
        {
            // Fences (no rows) are empty SSTs of the compacted kind; see Every_wal_sst_reads_in_sequence_order.
            var name = SlateDbFixture.WalName(id);
            AssertRebuilds(bytes, name, settings, SstFile.Open(bytes, name).Info.SstType);
            checkedSsts++;
        }

        checkedSsts.Should().Be(fixture.Compacted.Count + fixture.Wals.Count);
    }

    private static void AssertRebuilds(byte[] original, string name, SstBuildSettings settings, SstKind kind)
    {
        var read = SstContents.Read(original, name);
        var builder = new SstBuilder(settings, kind);
        foreach (var row in read.Rows)
        {
            builder.Add(row);
        }

        var rebuilt = builder.Finish();
        rebuilt.RowCount.Should().Be(read.RowCount, name);
        if (settings.Codec is BlockCodec.None or BlockCodec.Zstd)
        {
            if (!rebuilt.Bytes.Span.SequenceEqual(original))
            {
                var at = rebuilt.Bytes.Span.CommonPrefixLength(original);
                throw new Xunit.Sdk.XunitException(
                    $"{name}: rebuilt SST ({rebuilt.Bytes.Length} bytes) differs from SlateDB's ({original.Length} bytes) first at byte {at}, in the {Section(read.File, original.Length, at)}");
            }

            rebuilt.Info.Should().Be(read.File.Info, name);
            return;
        }

        // Zlib, Snappy, LZ4 (the encoder picks its own matches): same sections, same content once decompressed, same info apart from where things are.
        var again = SstContents.Read(rebuilt.Bytes.ToArray(), name);
        again.File.BlockCount.Should().Be(read.File.BlockCount, name);
        for (var i = 0; i < read.File.BlockCount; i++)
        {
            again.File.Index.Blocks[i].FirstKey.ToArray().Should().Equal(read.File.Index.Blocks[i].FirstKey.ToArray(), $"{name}, block {i} separator");
            Raw(again.File, rebuilt.Bytes.ToArray(), again.File.BlockRange(i)).Should().Equal(Raw(read.File, original, read.File.BlockRange(i)), $"{name}, block {i}");
        }

        again.Stats.Should().Be(read.Stats, name);
        (again.File.Filter is null).Should().Be(read.File.Filter is null, name);
        if (read.File.Filter is { } filter)
        {
            var ours = new byte[again.File.Filter!.EncodedLength];
            var theirs = new byte[filter.EncodedLength];
            again.File.Filter.Encode(ours);
            filter.Encode(theirs);
            ours.Should().Equal(theirs, $"{name}: bloom filter bits");
        }

        var expected = read.File.Info;
        again.File.Info.Should().Be(expected with
        {
            IndexOffset = again.File.Info.IndexOffset,
            IndexLen = again.File.Info.IndexLen,
            FilterOffset = again.File.Info.FilterOffset,
            FilterLen = again.File.Info.FilterLen,
            StatsOffset = again.File.Info.StatsOffset,
            StatsLen = again.File.Info.StatsLen,
        }, name);
    }

    private static byte[] Raw(SstFile file, byte[] bytes, SlateDB.Storage.ByteRange range)
        => SstLayout.OpenBlock(bytes.AsMemory((int)range.Offset, (int)range.Length), file.Info.Compression, file.Path).ToArray();

    private static string Section(SstFile file, long size, int at)
    {
        var info = file.Info;
        var position = (ulong)at;
        return position switch
        {
            _ when position >= (ulong)size - 10 => "footer",
            _ when info.StatsLen > 0 && position >= info.StatsOffset + info.StatsLen => "info",
            _ when info.StatsLen > 0 && position >= info.StatsOffset => "statistics",
            _ when position >= info.IndexOffset + info.IndexLen => "info",
            _ when position >= info.IndexOffset => "index",
            _ when info.FilterLen > 0 && position >= info.FilterOffset => "filter",
            _ => "data blocks",
        };
    }
}
