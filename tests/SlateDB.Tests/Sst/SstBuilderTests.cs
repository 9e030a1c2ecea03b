using System.Buffers.Binary;
using SlateDB.Format;
using SlateDB.Format.Compression;
using SlateDB.Format.Filters;
using SlateDB.Format.FlatBuffers;
using SlateDB.Manifest;
using SlateDB.Sst;
using SlateDB.Storage;
using SlateDB.Tests.Compatibility;
using SlateDB.Tests.Format;
using SlateDB.Wal;

namespace SlateDB.Tests.Sst;

/// <summary>
/// Round trips through <see cref="SstBuilder"/> and <see cref="SstFile"/>: compacted and WAL SSTs per codec, the
/// fence, when a filter is written, the index separators SlateDB computes, and block lookup for keys whose versions
/// span blocks.
/// </summary>
public sealed class SstBuilderTests
{
    public static TheoryData<CompressionCodec> Codecs => new(Enum.GetValues<CompressionCodec>());

    [Theory]
    [MemberData(nameof(Codecs))]
    public async Task Compacted_ssts_give_back_every_row_with_consistent_metadata(CompressionCodec codec)
    {
        var seed = 300 + (int)codec;
        var random = new Random(seed);
        var rows = RandomRows.Sorted(random, 1500);
        var settings = Settings(codec, minFilterKeys: 1000);
        var built = Build(settings, SstKind.Compacted, rows);
        var because = $"{codec}, seed {seed}";
        built.RowCount.Should().Be(rows.Count);

        var read = SstContents.Read(built.Bytes, "test/compacted.sst");
        read.File.Info.Should().Be(built.Info, because);
        read.File.BlockCount.Should().BeGreaterThan(10, because);
        RowAssert.Equal(read.Rows, rows.Select(r => RandomRows.AsDecoded(r, v1: false)), because);
        read.File.Info.FirstEntry!.Value.ToArray().Should().Equal(rows[0].Key.ToArray(), because);
        read.File.Info.LastEntry!.Value.ToArray().Should().Equal(rows[^1].Key.ToArray(), because);
        read.File.Info.Compression.Should().Be((SstCompression)codec, because);
        read.Stats.Should().Be(new SstStatsModel(
            (ulong)rows.Count(r => r.Kind == RowKind.Value),
            (ulong)rows.Count(r => r.Kind == RowKind.Tombstone),
            (ulong)rows.Count(r => r.Kind == RowKind.Merge),
            (ulong)rows.Sum(r => (long)r.Key.Length),
            (ulong)rows.Sum(r => (long)r.Value.Length),
            read.Blocks.Select(b => new BlockStatsModel(
                (ushort)b.Count(r => r.Kind == RowKind.Value), (ushort)b.Count(r => r.Kind == RowKind.Tombstone), (ushort)b.Count(r => r.Kind == RowKind.Merge))).ToList()), because);
        read.File.Filter.Should().NotBeNull(because);
        rows.Should().OnlyContain(r => read.File.Filter!.MightMatch(FilterQuery.Point(r.Key)), because);
        for (var b = 1; b < read.Blocks.Count; b++)
        {
            read.File.Index.Blocks[b].FirstKey.ToArray().Should().Equal(
                SstBuilder.IndexKey(read.Blocks[b - 1][^1].Key.ToArray(), read.Blocks[b][0].Key.Span), $"{because}, block {b}");
        }

        // The same through an object store (ranged reads), with and without the info a manifest would supply.
        var store = new InMemoryObjectStore();
        await store.PutAsync("test/compacted.sst", built.Bytes, PutMode.Create, CancellationToken.None);
        foreach (var knownInfo in new[] { null, built.Info })
        {
            var sst = await SstFile.OpenAsync(store, "test/compacted.sst", knownInfo, SstBuildSettings.FormatVersion, CancellationToken.None);
            var fromStore = new List<RowEntry>();
            for (var i = 0; i < sst.BlockCount; i++)
            {
                var iterator = (await sst.ReadBlockAsync(store, i, CancellationToken.None)).CreateIterator();
                for (iterator.SeekToFirst(); iterator.IsValid; iterator.Next())
                {
                    fromStore.Add(iterator.Current);
                }
            }

            RowAssert.Equal(fromStore, read.Rows, because);
            (await sst.ReadStatsAsync(store, CancellationToken.None)).Should().Be(read.Stats, because);
        }
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void Wal_ssts_keep_sequence_order_and_index_blocks_by_first_sequence_number(CompressionCodec codec)
    {
        var seed = 400 + (int)codec;
        var random = new Random(seed);
        var rows = new List<RowEntry>();
        var seq = (ulong)random.NextInt64(1, 1L << 40);
        while (rows.Count < 800)
        {
            // Batches share a sequence number; keys come in any order.
            var batch = random.Next(1, 6);
            for (var i = 0; i < batch; i++)
            {
                rows.Add(RandomRows.Row(random, RandomRows.Key(random), seq));
            }

            seq += (ulong)random.Next(1, 3);
        }

        var built = Build(Settings(codec, minFilterKeys: 1), SstKind.Wal, rows);
        var because = $"{codec}, seed {seed}";
        var read = SstContents.Read(built.Bytes, "test/wal.sst");
        RowAssert.Equal(read.Rows, rows.Select(r => RandomRows.AsDecoded(r, v1: false)), because);
        read.File.BlockCount.Should().BeGreaterThan(5, because);
        var info = read.File.Info;
        info.SstType.Should().Be(SstKind.Wal, because);
        info.FirstEntry!.Value.ToArray().Should().Equal(SeqBytes(rows[0].Seq), $"{because}: the first entry is the first sequence number, 8 bytes big-endian");
        info.LastEntry.Should().BeNull(because);
        info.FilterLen.Should().Be(0, $"{because}: WAL SSTs have no filter, whatever min_filter_keys says");
        info.StatsLen.Should().Be(0, $"{because}: nor statistics");
        read.File.Filter.Should().BeNull(because);
        read.Stats.Should().BeNull(because);
        for (var b = 0; b < read.Blocks.Count; b++)
        {
            read.File.Index.Blocks[b].FirstKey.ToArray().Should().Equal(SeqBytes(read.Blocks[b][0].Seq), $"{because}, block {b}");
        }
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public async Task The_fence_is_the_empty_sst_slatedb_0_12_1_writes(CompressionCodec codec)
    {
        var fixtureCodec = codec == CompressionCodec.None ? "none" : codec.ToString().ToLowerInvariant();
        var fixture = SlateDbFixture.Load(fixtureCodec);
        var theirs = fixture.Wals.First(w => w.Value.Length < 200).Value;

        var store = new InMemoryObjectStore();
        var wal = new ObjectStoreWal(store, new DbPaths("db"), SstBuildSettings.From(SlateDbOptions.Default with { CompressionCodec = codec }));
        (await wal.TryWriteFenceAsync(7, CancellationToken.None)).Should().BeTrue();
        (await wal.TryWriteFenceAsync(7, CancellationToken.None)).Should().BeFalse("the id is taken: a newer writer won");
        var ours = (await store.GetAsync("db/wal/00000000000000000007.sst", CancellationToken.None))!.Data.ToArray();
        var fence = SstContents.Read(ours, "fence");
        if (codec == CompressionCodec.Zlib)
        {
            // .NET's deflate picks other (valid) encodings than Rust's: the same content, other lengths.
            var real = SstContents.Read(theirs, "fence");
            fence.Stats.Should().Be(real.Stats);
            fence.File.Info.Should().Be(real.File.Info with { IndexLen = fence.File.Info.IndexLen, StatsOffset = fence.File.Info.StatsOffset, StatsLen = fence.File.Info.StatsLen });
        }
        else
        {
            ours.Should().Equal(theirs, $"{codec}: byte for byte what 0.12.1 wrote as its fence");
        }

        (await wal.ReadAsync(7, CancellationToken.None)).Should().BeEmpty();

        fence.File.BlockCount.Should().Be(0);
        fence.File.Info.FirstEntry.Should().BeNull();
        fence.File.Info.LastEntry.Should().BeNull();
        fence.Stats.Should().Be(new SstStatsModel(0, 0, 0, 0, 0, []));

        // An empty WAL-kind SST (what a WAL flush of nothing would be) reads back empty too.
        var emptyWal = Build(Settings(codec, 1000), SstKind.Wal, []);
        SstContents.Read(emptyWal.Bytes, "empty").RowCount.Should().Be(0);
        emptyWal.Info.FirstEntry.Should().BeNull();
    }

    [Theory]
    [InlineData(1, 49, false)]
    [InlineData(1, 50, true)]
    [InlineData(5, 49, false)]
    [InlineData(5, 50, true)]
    [InlineData(1, 1000, true)]
    public void A_filter_is_written_when_the_sst_has_min_filter_keys_rows(int versionsPerKey, int rows, bool filtered)
    {
        // SlateDB counts rows (every version, tombstones too), not distinct keys.
        var random = new Random(rows + versionsPerKey);
        var sorted = new List<RowEntry>();
        for (var k = 0; sorted.Count < rows; k++)
        {
            var key = System.Text.Encoding.ASCII.GetBytes($"key/{k:D6}");
            for (var v = 0; v < versionsPerKey && sorted.Count < rows; v++)
            {
                sorted.Add(v % 2 == 1 ? RowEntry.Delete(key, (ulong)(100 - v)) : RowEntry.Put(key, RandomRows.Value(random), (ulong)(100 - v)));
            }
        }

        var built = Build(Settings(CompressionCodec.None, minFilterKeys: 50), SstKind.Compacted, sorted);
        var sst = SstFile.Open(built.Bytes, "test.sst");
        (sst.Filter is not null).Should().Be(filtered);
        (built.Info.FilterLen > 0).Should().Be(filtered);
        built.Info.FilterFormat.Should().Be(SstFilterFormat.Legacy, "0.12.1 reads only the legacy single-filter block");
        if (sst.Filter is { } filter)
        {
            var raw = SstLayout.OpenBlock(built.Bytes.Slice((int)built.Info.FilterOffset, (int)built.Info.FilterLen), built.Info.Compression, "test.sst");
            BinaryPrimitives.ReadUInt16BigEndian(raw.Span).Should().Be(6, "10 bits per key give 6 probes");
            filter.Size.Should().Be(((rows * 10) + 7) / 8, "the filter has bits_per_key bits per row, rounded up to bytes");
            sorted.Should().OnlyContain(r => filter.MightMatch(FilterQuery.Point(r.Key)));
        }
    }

    [Theory]
    [InlineData("", "a", "")]
    [InlineData("abc", "abd", "abd")]
    [InlineData("abc", "abdzzz", "abd")]
    [InlineData("abc", "b", "b")]
    [InlineData("ab", "abc", "abc")]
    [InlineData("ab", "abcdef", "abc")]
    [InlineData("abc", "abc", "abc")]
    [InlineData("a", "a\u0001", "a\u0001")]
    [InlineData("user/0001", "user/0002x", "user/0002")]
    public void Index_separators_are_what_compute_index_key_gives(string previousLast, string first, string expected)
    {
        // SlateDB's compute_index_key (utils.rs): empty for the first block; else the shortest prefix of the first key
        // above the previous block's last key (its first differing byte; one byte past a shorter previous key; the
        // whole key when both are equal, i.e. when a key's versions span the boundary).
        byte[]? previous = previousLast.Length == 0 ? null : System.Text.Encoding.Latin1.GetBytes(previousLast);
        SstBuilder.IndexKey(previous, System.Text.Encoding.Latin1.GetBytes(first))
            .Should().Equal(System.Text.Encoding.Latin1.GetBytes(expected));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Lookups_find_keys_whose_versions_span_blocks(int seed)
    {
        var random = new Random(seed);
        var rows = new List<RowEntry>();
        foreach (var k in Enumerable.Range(0, 60).Select(k => $"k{k:D3}").Order(StringComparer.Ordinal))
        {
            // Some keys get enough versions to fill several 128-byte blocks.
            var versions = random.Next(4) == 0 ? random.Next(10, 40) : random.Next(1, 3);
            var seq = 1000UL;
            for (var v = 0; v < versions; v++)
            {
                rows.Add(RowEntry.Put(System.Text.Encoding.ASCII.GetBytes(k), System.Text.Encoding.ASCII.GetBytes($"v{v}"), seq));
                seq -= (ulong)random.Next(1, 20);
            }
        }

        var built = Build(new SstBuildSettings(128, BlockCodec.None, 1000, 10), SstKind.Compacted, rows);
        var read = SstContents.Read(built.Bytes, "db/compacted/straddle.sst");
        var straddling = Enumerable.Range(1, read.Blocks.Count - 1).Count(b => read.Blocks[b][0].Key.Span.SequenceEqual(read.Blocks[b - 1][^1].Key.Span));
        straddling.Should().BeGreaterThan(3, $"seed {seed}: the test needs keys whose versions continue in the next block");

        // The first block to read holds the first row at or above the probe, or that row opens the next block.
        var probes = rows.Select(r => r.Key.ToArray()).Distinct(global::SlateDB.Common.ByteArrayEqualityComparer.Instance)
            .Concat(Enumerable.Range(0, 200).Select(_ => System.Text.Encoding.ASCII.GetBytes($"k{random.Next(70):D3}{(random.Next(2) == 0 ? "" : "x")}")))
            .Append([]).Append([0xFF]);
        foreach (var probe in probes)
        {
            var start = read.File.FirstBlockFor(probe);
            var because = $"seed {seed}, probe {System.Text.Encoding.ASCII.GetString(probe)}";
            read.File.BlocksFor(probe, out var first, out var last);
            (first, last).Should().Be((start, read.File.LastBlockFor(probe)), $"{because}: one search finds what the two do");
            var earlier = read.Blocks.Take(start).SelectMany(b => b).Count(r => r.Key.Span.SequenceCompareTo(probe) >= 0);
            earlier.Should().Be(0, $"{because}: no earlier block holds it (start {start})");
            var (block, row) = FirstAtOrAbove(read.Blocks, probe);
            if (block >= 0)
            {
                (block == start || (block == start + 1 && row == 0)).Should().BeTrue($"{because}: start {start}, found in block {block} row {row}");
            }
        }

        // Point reads at every sequence number see the newest version at or below it, wherever it lives.
        var store = new InMemoryObjectStore();
        await store.PutAsync("db/compacted/01M853WCTAW3YC1XTGS966T3P7.sst", built.Bytes, PutMode.Create, CancellationToken.None);
        var tables = new TableStore(store, new DbPaths("db"), SlateDbOptions.Default);
        var view = SsTableView.Identity(new SsTableHandle(SsTableId.Compacted(global::SlateDB.Common.Ulid.Parse("01M853WCTAW3YC1XTGS966T3P7")), 2, built.Info));
        foreach (var group in rows.GroupBy(r => System.Text.Encoding.ASCII.GetString(r.Key.Span)))
        {
            foreach (var version in group)
            {
                var found = await tables.GetAsync(view, version.Key, version.Seq, cacheBlocks: false, CancellationToken.None);
                found.Should().NotBeNull();
                found!.Value.Seq.Should().Be(version.Seq, $"seed {seed}, {group.Key} at {version.Seq}");
                found.Value.Value.ToArray().Should().Equal(version.Value.ToArray());
            }

            (await tables.GetAsync(view, group.First().Key, group.Last().Seq - 1, cacheBlocks: false, CancellationToken.None)).Should().BeNull("nothing is that old");
        }
    }

    private static (int Block, int Row) FirstAtOrAbove(IReadOnlyList<IReadOnlyList<RowEntry>> blocks, byte[] probe)
    {
        for (var b = 0; b < blocks.Count; b++)
        {
            for (var r = 0; r < blocks[b].Count; r++)
            {
                if (blocks[b][r].Key.Span.SequenceCompareTo(probe) >= 0)
                {
                    return (b, r);
                }
            }
        }

        return (-1, -1);
    }

    private static SstBuildSettings Settings(CompressionCodec codec, int minFilterKeys)
        => new(4096, (BlockCodec)(byte)codec, minFilterKeys, 10);

    private static EncodedSst Build(SstBuildSettings settings, SstKind kind, IEnumerable<RowEntry> rows)
    {
        var builder = new SstBuilder(settings, kind);
        foreach (var row in rows)
        {
            builder.Add(row);
        }

        return builder.Finish();
    }

    private static byte[] SeqBytes(ulong seq)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, seq);
        return bytes;
    }
}
