using System.Buffers.Binary;
using SlateDB.Common;
using SlateDB.Format;
using SlateDB.Format.Filters;
using SlateDB.Format.FlatBuffers;
using SlateDB.Manifest;
using SlateDB.Manifest.Codec;
using SlateDB.Sst;
using SlateDB.Tests.Sst;

namespace SlateDB.Tests.Compatibility;

/// <summary>
/// Reads every object of the databases the real SlateDB 0.12.1 wrote (one per compression codec; see
/// TestData/fixtures/slatedb-0.12.1/README.md): every manifest, every <c>.compactions</c> file, every WAL SST and
/// every compacted SST. Decoding verifies every checksum; the tests check the structure SlateDB guarantees. The
/// other parts of this class rebuild the final state (State) and the SSTs themselves (Rebuild).
/// </summary>
public sealed partial class SlateDbFixtureTests
{
    private const int MinFilterKeys = 1000;

    public static TheoryData<string> Codecs => SlateDbFixture.CodecData();

    [Theory]
    [MemberData(nameof(Codecs))]
    public void Every_manifest_decodes_and_lists_the_ssts_as_stored(string codec)
    {
        var fixture = SlateDbFixture.Load(codec);
        fixture.Manifests.Keys.Should().Equal(Contiguous(fixture.Manifests.Count), "manifest ids start at 1 and have no gaps (GC was off)");
        DbManifest? previous = null;
        foreach (var (id, bytes) in fixture.Manifests)
        {
            var name = SlateDbFixture.ManifestName(id);
            BinaryPrimitives.ReadUInt16BigEndian(bytes).Should().Be(ManifestCodec.Version1, $"{name}: SlateDB 0.12.1 writes manifest version 1");
            var manifest = ManifestCodec.Decode(bytes, name);
            var core = manifest.Core;
            core.Initialized.Should().BeTrue(name);
            core.Segments.Should().BeEmpty(name);
            if (previous is not null)
            {
                manifest.WriterEpoch.Should().BeGreaterThanOrEqualTo(previous.WriterEpoch, name);
                manifest.CompactorEpoch.Should().BeGreaterThanOrEqualTo(previous.CompactorEpoch, name);
                core.NextWalSstId.Should().BeGreaterThanOrEqualTo(previous.Core.NextWalSstId, name);
                core.ReplayAfterWalId.Should().BeGreaterThanOrEqualTo(previous.Core.ReplayAfterWalId, name);
                core.LastL0Seq.Should().BeGreaterThanOrEqualTo(previous.Core.LastL0Seq, name);
            }

            core.ReplayAfterWalId.Should().BeLessThan(core.NextWalSstId, name);
            foreach (var view in core.Tree.AllViews)
            {
                AssertViewMatchesStoredSst(fixture, view, name);
            }

            foreach (var run in core.Tree.Compacted)
            {
                run.Views.Should().NotBeEmpty(name);
                for (var i = 1; i < run.Views.Count; i++)
                {
                    var before = run.Views[i - 1].Sst.Info.LastEntry!.Value.Span;
                    var after = run.Views[i].Sst.Info.FirstEntry!.Value.Span;
                    before.SequenceCompareTo(after).Should().BeNegative($"{name}: sorted run {run.Id} holds SSTs of disjoint key ranges in key order");
                }
            }

            // Our encoder writes what we decoded back to the same model.
            ManifestCodec.Decode(ManifestCodec.Encode(manifest), name).Should().Be(manifest, $"{name} re-encoded");
            previous = manifest;
        }

        // The latest manifest is the one the generator decoded and recorded.
        var latest = previous!.Core;
        previous.WriterEpoch.Should().Be(fixture.ExpectedWriterEpoch);
        latest.LastL0Seq.Should().Be(fixture.ExpectedLastL0Seq);
        latest.ReplayAfterWalId.Should().Be(fixture.ExpectedReplayAfterWalId);
        latest.NextWalSstId.Should().Be(fixture.ExpectedWalIdLastSeen + 1);
        latest.Tree.L0.Select(v => v.Sst.Id.CompactedId).Should().Equal(fixture.ExpectedL0);
        latest.Tree.Compacted.Select(r => r.Id).Should().Equal(fixture.ExpectedRuns.Select(r => r.Id));
        for (var i = 0; i < latest.Tree.Compacted.Count; i++)
        {
            latest.Tree.Compacted[i].Views.Select(v => v.Sst.Id.CompactedId).Should().Equal(fixture.ExpectedRuns[i].Ssts);
        }

        // Every SST the generator saw in the tree is referenced by the latest manifest, and no other.
        var referenced = latest.Tree.AllViews.Select(v => v.Sst.Id.CompactedId).ToHashSet();
        foreach (var (id, role) in fixture.ExpectedCompactedRoles)
        {
            referenced.Contains(id).Should().Be(role != "unreferenced", $"{id} has role {role}");
        }
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void Every_compactions_file_decodes_and_its_outputs_match_the_stored_ssts(string codec)
    {
        var fixture = SlateDbFixture.Load(codec);
        fixture.Compactions.Keys.Should().Equal(Contiguous(fixture.Compactions.Count), ".compactions ids start at 1 and have no gaps");
        ulong epoch = 0;
        var outputs = 0;
        foreach (var (id, bytes) in fixture.Compactions)
        {
            var name = SlateDbFixture.CompactionsName(id);
            BinaryPrimitives.ReadUInt16BigEndian(bytes).Should().Be(CompactionsCodec.Version1, $"{name}: SlateDB 0.12.1 writes version 1");
            var state = CompactionsCodec.Decode(bytes, name);
            state.CompactorEpoch.Should().BeGreaterThanOrEqualTo(epoch, name);
            epoch = state.CompactorEpoch;
            foreach (var compaction in state.Compactions)
            {
                compaction.Spec.Should().BeOfType<SlateDB.Manifest.TieredCompactionSpec>(name);
                compaction.Spec.Sources.Should().NotBeEmpty(name);
                foreach (var output in compaction.OutputSsts)
                {
                    AssertViewMatchesStoredSst(fixture, SsTableView.Identity(output), name);
                    outputs++;
                }
            }

            CompactionsCodec.Decode(CompactionsCodec.Encode(state), name).Should().Be(state, $"{name} re-encoded");
        }

        fixture.Compactions.Should().NotBeEmpty();
        outputs.Should().BePositive("finished compactions list their output SSTs");
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void Every_wal_sst_reads_in_sequence_order(string codec)
    {
        var fixture = SlateDbFixture.Load(codec);
        fixture.Wals.Keys.Should().Equal(Contiguous(fixture.Wals.Count), "WAL ids start at 1 and have no gaps");
        fixture.Wals.Keys.Should().BeEquivalentTo(fixture.ExpectedWalRows.Keys);
        ulong lastSeq = 0;
        var fences = 0;
        foreach (var (id, bytes) in fixture.Wals)
        {
            var name = SlateDbFixture.WalName(id);
            var sst = SstContents.Read(bytes, name);
            var file = sst.File;
            var rows = sst.Rows.ToList();
            rows.Should().HaveCount(fixture.ExpectedWalRows[id], $"{name}: the rows SlateDB's WAL reader found");
            file.FormatVersion.Should().Be(2, name);
            file.Info.Compression.Should().Be((SstCompression)(byte)fixture.BlockCodec, name);
            file.Info.LastEntry.Should().BeNull(name);
            file.Info.FilterLen.Should().Be(0, name);
            file.Filter.Should().BeNull(name);
            AssertLayout(file, bytes, name);
            if (rows.Count == 0)
            {
                // The fence a new writer writes. 0.12.1 flushes an empty memtable to the WAL id, so the fence is an
                // empty SST of the compacted kind: no blocks, no first entry, and statistics of zero rows.
                fences++;
                file.Info.SstType.Should().Be(SstKind.Compacted, $"{name}: 0.12.1 writes its fence with the memtable flush path");
                file.Info.FirstEntry.Should().BeNull(name);
                file.BlockCount.Should().Be(0, name);
                sst.Stats.Should().Be(new SstStatsModel(0, 0, 0, 0, 0, []), name);
                continue;
            }

            file.Info.SstType.Should().Be(SstKind.Wal, name);
            file.Info.StatsLen.Should().Be(0, $"{name}: WAL SSTs have no statistics");
            file.Info.FirstEntry!.Value.ToArray().Should().Equal(SeqBytes(rows[0].Seq), $"{name}: a WAL SST's first entry is its first sequence number");
            for (var b = 0; b < sst.Blocks.Count; b++)
            {
                sst.Blocks[b].Should().NotBeEmpty(name);
                file.Index.Blocks[b].FirstKey.ToArray().Should().Equal(SeqBytes(sst.Blocks[b][0].Seq), $"{name}, block {b}: WAL index keys are block first sequence numbers");
            }

            rows[0].Seq.Should().BeGreaterThan(lastSeq, $"{name}: WAL SSTs follow each other in sequence order");
            foreach (var row in rows)
            {
                row.Seq.Should().BeGreaterThanOrEqualTo(lastSeq, $"{name}: rows are in sequence order (a batch shares one)");
                row.CreateTs.Should().NotBeNull(name);
                lastSeq = row.Seq;
            }
        }

        fences.Should().Be(2, "writer epochs 1 and 2 each wrote an empty fence WAL SST");
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void Every_compacted_sst_reads_in_key_order_with_consistent_metadata(string codec)
    {
        var fixture = SlateDbFixture.Load(codec);
        fixture.Compacted.Keys.Should().BeEquivalentTo(fixture.ExpectedCompactedRoles.Keys);
        var filtered = 0;
        foreach (var (id, bytes) in fixture.Compacted)
        {
            var name = SlateDbFixture.CompactedName(id);
            var sst = SstContents.Read(bytes, name);
            var file = sst.File;
            var rows = sst.Rows.ToList();
            rows.Should().NotBeEmpty(name);
            file.FormatVersion.Should().Be(2, name);
            file.Info.SstType.Should().Be(SstKind.Compacted, name);
            file.Info.Compression.Should().Be((SstCompression)(byte)fixture.BlockCodec, name);
            file.Info.FilterFormat.Should().Be(SstFilterFormat.Legacy, $"{name}: 0.12.1 has no filter_format field");
            file.Info.FirstEntry!.Value.ToArray().Should().Equal(rows[0].Key.ToArray(), name);
            file.Info.LastEntry!.Value.ToArray().Should().Equal(rows[^1].Key.ToArray(), name);
            AssertLayout(file, bytes, name);
            AssertKeyOrder(rows, name);
            AssertIndexSeparators(file, sst.Blocks, name);

            // A bloom filter exactly when the SST has min_filter_keys rows; it knows every key.
            (file.Filter is not null).Should().Be(rows.Count >= MinFilterKeys, $"{name} has {rows.Count} rows");
            if (file.Filter is { } filter)
            {
                filtered++;
                rows.Should().OnlyContain(row => filter.MightMatch(FilterQuery.Point(row.Key)), $"{name}: a bloom filter has no false negatives");
            }

            AssertStats(sst.Stats, sst.Blocks, name);
        }

        filtered.Should().BePositive("some fixture SSTs are large enough for a bloom filter");
    }

    private static void AssertViewMatchesStoredSst(SlateDbFixture fixture, SsTableView view, string source)
    {
        view.VisibleRange.Should().BeNull(source);
        view.Sst.FormatVersion.Should().Be(2, source);
        var id = view.Sst.Id.CompactedId;
        view.Id.Should().Be(id, $"{source}: manifest version 1 views are identity views");
        fixture.Compacted.Should().ContainKey(id, $"{source} names SST {id}, which GC never deleted");
        var stored = SstFile.Open(fixture.Compacted[id], SlateDbFixture.CompactedName(id));
        view.Sst.Info.Should().Be(stored.Info, $"{source}: the entry for {id} records the SST's own info");
        stored.FormatVersion.Should().Be(view.Sst.FormatVersion, source);
    }

    /// <summary>Sections follow each other without gaps: data blocks, filter, index, statistics, info, footer.</summary>
    private static void AssertLayout(SstFile file, byte[] bytes, string name)
    {
        var info = file.Info;
        for (var i = 0; i < file.BlockCount; i++)
        {
            file.Index.Blocks[i].Offset.Should().Be(i == 0 ? 0 : (ulong)file.BlockRange(i - 1).End, $"{name}: blocks are contiguous and ascending");
        }

        info.FilterOffset.Should().Be(file.BlockCount == 0 ? 0 : (ulong)file.BlockRange(file.BlockCount - 1).End, $"{name}: the filter offset is where the data ends");
        info.IndexOffset.Should().Be(info.FilterOffset + info.FilterLen, name);
        var infoOffset = BinaryPrimitives.ReadUInt64BigEndian(bytes.AsSpan(^10));
        if (info.StatsLen > 0)
        {
            info.StatsOffset.Should().Be(info.IndexOffset + info.IndexLen, name);
            infoOffset.Should().Be(info.StatsOffset + info.StatsLen, name);
        }
        else
        {
            info.StatsOffset.Should().Be(0, name);
            infoOffset.Should().Be(info.IndexOffset + info.IndexLen, name);
        }
    }

    private static void AssertKeyOrder(List<RowEntry> rows, string name)
    {
        for (var i = 1; i < rows.Count; i++)
        {
            var order = rows[i - 1].Key.Span.SequenceCompareTo(rows[i].Key.Span);
            order.Should().BeLessThanOrEqualTo(0, $"{name}, row {i}: keys ascend");
            if (order == 0)
            {
                rows[i].Seq.Should().BeLessThan(rows[i - 1].Seq, $"{name}, row {i}: versions of a key are newest first");
            }
        }
    }

    private static void AssertIndexSeparators(SstFile file, IReadOnlyList<IReadOnlyList<RowEntry>> blocks, string name)
    {
        file.Index.Blocks.Should().HaveCount(blocks.Count, name);
        file.Index.Blocks[0].FirstKey.Length.Should().Be(0, $"{name}: the first block's separator is empty");
        for (var b = 1; b < blocks.Count; b++)
        {
            var separator = file.Index.Blocks[b].FirstKey.ToArray();
            var previousLast = blocks[b - 1][^1].Key.ToArray();
            var first = blocks[b][0].Key.ToArray();
            separator.Should().Equal(SstBuilder.IndexKey(previousLast, first), $"{name}, block {b}: SlateDB's compute_index_key");
            separator.AsSpan().SequenceCompareTo(first).Should().BeLessThanOrEqualTo(0, name);
            var afterPrevious = separator.AsSpan().SequenceCompareTo(previousLast);
            (afterPrevious > 0 || (afterPrevious == 0 && previousLast.AsSpan().SequenceEqual(first))).Should().BeTrue($"{name}, block {b}: the separator lies above the previous block");
            separator.AsSpan().SequenceCompareTo(file.Index.Blocks[b - 1].FirstKey.Span).Should().BeGreaterThanOrEqualTo(0, $"{name}: separators ascend");
        }
    }

    private static void AssertStats(SstStatsModel? stats, IReadOnlyList<IReadOnlyList<RowEntry>> blocks, string name)
    {
        stats.Should().NotBeNull($"{name}: compacted SSTs carry statistics");
        var rows = blocks.SelectMany(b => b).ToList();
        stats!.NumPuts.Should().Be((ulong)rows.Count(r => r.Kind == RowKind.Value), name);
        stats.NumDeletes.Should().Be((ulong)rows.Count(r => r.Kind == RowKind.Tombstone), name);
        stats.NumMerges.Should().Be((ulong)rows.Count(r => r.Kind == RowKind.Merge), name);
        stats.RawKeySize.Should().Be((ulong)rows.Sum(r => (long)r.Key.Length), name);
        stats.RawValSize.Should().Be((ulong)rows.Sum(r => (long)r.Value.Length), name);
        stats.BlockStats.Should().Equal(blocks.Select(b => new BlockStatsModel(
            (ushort)b.Count(r => r.Kind == RowKind.Value), (ushort)b.Count(r => r.Kind == RowKind.Tombstone), (ushort)b.Count(r => r.Kind == RowKind.Merge))), name);
    }

    private static IEnumerable<ulong> Contiguous(int count) => Enumerable.Range(1, count).Select(i => (ulong)i);

    private static byte[] SeqBytes(ulong seq)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, seq);
        return bytes;
    }
}
