using System.Buffers.Binary;
using Google.FlatBuffers;
using SlateDB.Common;
using SlateDB.Format;
using SlateDB.Manifest;
using SlateDB.Manifest.Codec;
using Fb = SlateDB.Format.FlatBuffers;
using ManifestCodec = SlateDB.Manifest.Codec.ManifestCodec;

namespace SlateDB.Tests.Manifest;

internal static class ManifestFixtures
{
    public static byte[] WithVersion(ushort version, byte[] flatbuffer)
    {
        var bytes = new byte[flatbuffer.Length + 2];
        BinaryPrimitives.WriteUInt16BigEndian(bytes, version);
        flatbuffer.CopyTo(bytes, 2);
        return bytes;
    }
}

/// <summary>Manifests written field by field with the generated builders, to pin down which field maps where.</summary>
public sealed class HandBuiltManifestTests
{
    private const string Name = "manifest/00000000000000000002.manifest";
    private static readonly Ulid SstA = Ulid.Parse("01J79C21YKR31J2BS1EFXJZ7MR");
    private static readonly Ulid SstB = Ulid.Parse("01J79C21YKR31J2BS1EFXJZ7MS");
    private static readonly Guid CheckpointId = Guid.Parse("a1a2a3a4-b1b2-c1c2-d1d2-d3d4d5d6d7d8");

    [Fact]
    public void Version_1_fields_map_to_the_model()
    {
        var builder = new FlatBufferBuilder(1024);
        var l0 = Fb.ManifestV1.CreateL0Vector(builder, [CompactedSst(builder, SstA, "a", "m", formatVersion: null, withRange: true)]);
        var run = Fb.SortedRun.CreateSortedRun(builder, 7, Fb.SortedRun.CreateSstsVector(builder, [CompactedSst(builder, SstB, "n", "z", formatVersion: 2, withRange: false)]));
        var compacted = Fb.ManifestV1.CreateCompactedVector(builder, [run]);
        var checkpoints = Fb.ManifestV1.CreateCheckpointsVector(builder, [CheckpointEntry(builder)]);
        var external = Fb.ManifestV1.CreateExternalDbsVector(builder, [ExternalDbEntry(builder)]);
        var uri = builder.CreateString("file:///wal");
        var tracker = Fb.ManifestV1.CreateSequenceTrackerVectorBlock(builder, SequenceTracker.Empty.Record(42, DateTimeOffset.FromUnixTimeSeconds(1_700_000_000)).ToBytes());
        var lastCompacted = Fb.Ulid.CreateUlid(builder, SstA.High, SstA.Low);
        var root = Fb.ManifestV1.CreateManifestV1(
            builder,
            manifest_id: 99,
            external_dbsOffset: external,
            initialized: true,
            writer_epoch: 3,
            compactor_epoch: 4,
            replay_after_wal_id: 5,
            wal_id_last_seen: 6,
            l0_last_compactedOffset: lastCompacted,
            l0Offset: l0,
            compactedOffset: compacted,
            last_l0_clock_tick: -8,
            checkpointsOffset: checkpoints,
            last_l0_seq: 9,
            wal_object_store_uriOffset: uri,
            recent_snapshot_min_seq: 10,
            sequence_trackerOffset: tracker);
        builder.Finish(root.Value);

        var manifest = ManifestCodec.Decode(ManifestFixtures.WithVersion(1, builder.SizedByteArray()), Name);

        manifest.WriterEpoch.Should().Be(3);
        manifest.CompactorEpoch.Should().Be(4);
        var core = manifest.Core;
        core.Initialized.Should().BeTrue();
        core.ReplayAfterWalId.Should().Be(5);
        core.NextWalSstId.Should().Be(7, "the file stores the last seen WAL id, one less than the next");
        core.LastL0ClockTick.Should().Be(-8);
        core.LastL0Seq.Should().Be(9);
        core.RecentSnapshotMinSeq.Should().Be(10);
        core.WalObjectStoreUri.Should().Be("file:///wal");
        core.SequenceTracker.SequenceNumbers.Should().Equal(42UL);
        core.SequenceTracker.Timestamps.Should().Equal(1_700_000_000L);
        core.Segments.Should().BeEmpty();
        core.SegmentExtractorName.Should().BeNull();
        core.Tree.LastCompactedL0SstId.Should().Be(SstA);
        core.Tree.LastCompactedL0SstViewId.Should().Be(SstA);

        var l0View = core.Tree.L0.Single();
        l0View.Id.Should().Be(SstA);
        l0View.Sst.Id.Should().Be(SsTableId.Compacted(SstA));
        l0View.Sst.FormatVersion.Should().Be(1, "an absent format version means the original format");
        l0View.VisibleRange.Should().Be(new BytesRange(BytesBound.Included("b"u8.ToArray()), BytesBound.Unbounded));
        CheckInfo(l0View.Sst.Info, "a", "m");

        var sortedRun = core.Tree.Compacted.Single();
        sortedRun.Id.Should().Be(7);
        var runView = sortedRun.Views.Single();
        runView.Id.Should().Be(SstB);
        runView.Sst.FormatVersion.Should().Be(2);
        runView.VisibleRange.Should().BeNull();
        CheckInfo(runView.Sst.Info, "n", "z");

        CheckCheckpoint(core.Checkpoints.Single());
        CheckExternalDb(manifest.ExternalDbs.Single());
    }

    [Fact]
    public void Absent_optional_fields_take_their_defaults()
    {
        var builder = new FlatBufferBuilder(256);
        var root = Fb.ManifestV1.CreateManifestV1(
            builder,
            l0Offset: Fb.ManifestV1.CreateL0Vector(builder, []),
            compactedOffset: Fb.ManifestV1.CreateCompactedVector(builder, []),
            checkpointsOffset: Fb.ManifestV1.CreateCheckpointsVector(builder, []));
        builder.Finish(root.Value);
        var manifest = ManifestCodec.Decode(ManifestFixtures.WithVersion(1, builder.SizedByteArray()), Name);
        manifest.Should().Be(new DbManifest([], new ManifestCore { Initialized = false, LastL0ClockTick = 0 }, 0, 0));
    }

    [Fact]
    public void Version_2_fields_map_to_the_model()
    {
        var builder = new FlatBufferBuilder(1024);
        var viewL0 = Ulid.Parse("01ARZ3NDEKTSV4RRFFQ69G5FAV");
        var viewRun = Ulid.Parse("01ARZ3NDEKTSV4RRFFQ69G5FAW");
        var viewSegment = Ulid.Parse("01ARZ3NDEKTSV4RRFFQ69G5FAX");
        var ssts = Fb.ManifestV2.CreateSstsVector(builder, [CompactedSstV2(builder, SstA, "a", "m"), CompactedSstV2(builder, SstB, "n", "z")]);
        var l0 = Fb.ManifestV2.CreateL0Vector(builder, [View(builder, viewL0, SstA, withRange: true)]);
        var run = Fb.SortedRunV2.CreateSortedRunV2(builder, 4, Fb.SortedRunV2.CreateSstsVector(builder, [View(builder, viewRun, SstB, withRange: false)]));
        var compacted = Fb.ManifestV2.CreateCompactedVector(builder, [run]);
        var segmentL0 = Fb.Segment.CreateL0Vector(builder, [View(builder, viewSegment, SstB, withRange: false)]);
        var segmentRuns = Fb.Segment.CreateCompactedVector(builder, []);
        var segmentLast = Fb.Ulid.CreateUlid(builder, viewSegment.High, viewSegment.Low);
        // Segments out of prefix order: the decoder sorts them.
        var segmentZ = Fb.Segment.CreateSegment(builder, Fb.Segment.CreatePrefixVectorBlock(builder, "zz"u8.ToArray()), default, Fb.Segment.CreateL0Vector(builder, []), Fb.Segment.CreateCompactedVector(builder, []));
        var segmentA = Fb.Segment.CreateSegment(builder, Fb.Segment.CreatePrefixVectorBlock(builder, "aa"u8.ToArray()), segmentLast, segmentL0, segmentRuns);
        var segments = Fb.ManifestV2.CreateSegmentsVector(builder, [segmentZ, segmentA]);
        var checkpoints = Fb.ManifestV2.CreateCheckpointsVector(builder, [CheckpointEntry(builder)]);
        var external = Fb.ManifestV2.CreateExternalDbsVector(builder, [ExternalDbEntry(builder)]);
        var extractor = builder.CreateString("fixed-2");
        var lastCompacted = Fb.Ulid.CreateUlid(builder, viewL0.High, viewL0.Low);
        var root = Fb.ManifestV2.CreateManifestV2(
            builder,
            manifest_id: 0,
            external_dbsOffset: external,
            initialized: false,
            writer_epoch: 13,
            compactor_epoch: 14,
            replay_after_wal_id: 15,
            wal_id_last_seen: 16,
            last_compacted_l0_sst_view_idOffset: lastCompacted,
            sstsOffset: ssts,
            l0Offset: l0,
            compactedOffset: compacted,
            last_l0_clock_tick: 18,
            checkpointsOffset: checkpoints,
            last_l0_seq: 19,
            recent_snapshot_min_seq: 20,
            segmentsOffset: segments,
            segment_extractor_nameOffset: extractor);
        builder.Finish(root.Value);

        var manifest = ManifestCodec.Decode(ManifestFixtures.WithVersion(2, builder.SizedByteArray()), Name);

        manifest.WriterEpoch.Should().Be(13);
        manifest.CompactorEpoch.Should().Be(14);
        var core = manifest.Core;
        core.Initialized.Should().BeFalse();
        core.ReplayAfterWalId.Should().Be(15);
        core.NextWalSstId.Should().Be(17);
        core.LastL0ClockTick.Should().Be(18);
        core.LastL0Seq.Should().Be(19);
        core.RecentSnapshotMinSeq.Should().Be(20);
        core.SequenceTracker.Should().Be(SequenceTracker.Empty, "an absent tracker is an empty one");
        core.WalObjectStoreUri.Should().BeNull();
        core.SegmentExtractorName.Should().Be("fixed-2");
        core.Tree.LastCompactedL0SstViewId.Should().Be(viewL0);
        core.Tree.LastCompactedL0SstId.Should().BeNull();

        var l0View = core.Tree.L0.Single();
        l0View.Id.Should().Be(viewL0);
        l0View.Sst.Id.Should().Be(SsTableId.Compacted(SstA));
        l0View.Sst.FormatVersion.Should().Be(2);
        l0View.VisibleRange.Should().Be(new BytesRange(BytesBound.Included("b"u8.ToArray()), BytesBound.Unbounded));
        CheckInfo(l0View.Sst.Info, "a", "m");
        core.Tree.Compacted.Single().Id.Should().Be(4);
        core.Tree.Compacted.Single().Views.Single().Should().Be(new SsTableView(viewRun, core.Tree.Compacted.Single().Views.Single().Sst, null));
        CheckInfo(core.Tree.Compacted.Single().Views.Single().Sst.Info, "n", "z");

        core.Segments.Select(s => System.Text.Encoding.ASCII.GetString(s.Prefix.Span)).Should().Equal("aa", "zz");
        core.Segments[0].Tree.LastCompactedL0SstViewId.Should().Be(viewSegment);
        core.Segments[0].Tree.L0.Single().Sst.Id.Should().Be(SsTableId.Compacted(SstB));
        core.Segments[1].Tree.Should().Be(new LsmTreeState(null, null, [], []));

        CheckCheckpoint(core.Checkpoints.Single());
        CheckExternalDb(manifest.ExternalDbs.Single());
    }

    private static Offset<Fb.CompactedSsTable> CompactedSst(FlatBufferBuilder builder, Ulid id, string first, string last, ushort? formatVersion, bool withRange)
    {
        var idOffset = Fb.Ulid.CreateUlid(builder, id.High, id.Low);
        var info = Info(builder, first, last);
        var range = withRange ? Range(builder) : default;
        return Fb.CompactedSsTable.CreateCompactedSsTable(builder, idOffset, info, range, formatVersion);
    }

    private static Offset<Fb.CompactedSsTableV2> CompactedSstV2(FlatBufferBuilder builder, Ulid id, string first, string last)
    {
        var idOffset = Fb.Ulid.CreateUlid(builder, id.High, id.Low);
        var info = Info(builder, first, last);
        return Fb.CompactedSsTableV2.CreateCompactedSsTableV2(builder, idOffset, info, 2);
    }

    private static Offset<Fb.CompactedSsTableView> View(FlatBufferBuilder builder, Ulid viewId, Ulid sstId, bool withRange)
    {
        var id = Fb.Ulid.CreateUlid(builder, viewId.High, viewId.Low);
        var sst = Fb.Ulid.CreateUlid(builder, sstId.High, sstId.Low);
        var range = withRange ? Range(builder) : default;
        return Fb.CompactedSsTableView.CreateCompactedSsTableView(builder, id, sst, range);
    }

    private static Offset<Fb.SsTableInfo> Info(FlatBufferBuilder builder, string first, string last)
        => Fb.SsTableInfo.CreateSsTableInfo(
            builder,
            Fb.SsTableInfo.CreateFirstEntryVectorBlock(builder, System.Text.Encoding.ASCII.GetBytes(first)),
            index_offset: 100,
            index_len: 20,
            filter_offset: 80,
            filter_len: 20,
            compression_format: Fb.CompressionFormat.Zstd,
            sst_type: Fb.SstType.Compacted,
            last_entryOffset: Fb.SsTableInfo.CreateLastEntryVectorBlock(builder, System.Text.Encoding.ASCII.GetBytes(last)),
            stats_offset: 120,
            stats_len: 30,
            filter_format: Fb.FilterFormat.Composite);

    private static Offset<Fb.BytesRange> Range(FlatBufferBuilder builder)
    {
        var start = Fb.BytesBound.CreateBytesBound(builder, Fb.BytesBound.CreateKeyVectorBlock(builder, "b"u8.ToArray()), Fb.BoundType.Included);
        var end = Fb.BytesBound.CreateBytesBound(builder, default, Fb.BoundType.Unbounded);
        return Fb.BytesRange.CreateBytesRange(builder, start, end);
    }

    private static Offset<Fb.Checkpoint> CheckpointEntry(FlatBufferBuilder builder)
    {
        var (high, low) = UuidParts.ToPair(CheckpointId);
        var id = Fb.Uuid.CreateUuid(builder, high, low);
        var metadata = Fb.WriterCheckpoint.CreateWriterCheckpoint(builder, 5);
        var name = builder.CreateString("nightly");
        return Fb.Checkpoint.CreateCheckpoint(builder, id, 21, 1_800_000_000, 1_700_000_000, Fb.CheckpointMetadata.WriterCheckpoint, metadata.Value, name);
    }

    private static Offset<Fb.ExternalDb> ExternalDbEntry(FlatBufferBuilder builder)
    {
        var path = builder.CreateString("parent");
        var source = Fb.Uuid.CreateUuid(builder, 1, 2);
        var sstIds = Fb.ExternalDb.CreateSstIdsVector(builder, [Fb.Ulid.CreateUlid(builder, SstA.High, SstA.Low)]);
        return Fb.ExternalDb.CreateExternalDb(builder, path, source, default, sstIds);
    }

    private static void CheckInfo(SsTableInfoModel info, string first, string last)
        => info.Should().Be(new SsTableInfoModel
        {
            FirstEntry = System.Text.Encoding.ASCII.GetBytes(first),
            LastEntry = System.Text.Encoding.ASCII.GetBytes(last),
            IndexOffset = 100,
            IndexLen = 20,
            FilterOffset = 80,
            FilterLen = 20,
            Compression = SstCompression.Zstd,
            SstType = SstKind.Compacted,
            StatsOffset = 120,
            StatsLen = 30,
            FilterFormat = SstFilterFormat.Composite,
        });

    private static void CheckCheckpoint(Checkpoint checkpoint)
        => checkpoint.Should().Be(new Checkpoint(CheckpointId, 21, DateTimeOffset.FromUnixTimeSeconds(1_800_000_000), DateTimeOffset.FromUnixTimeSeconds(1_700_000_000), "nightly"));

    private static void CheckExternalDb(ExternalDb db)
        => db.Should().Be(new ExternalDb("parent", UuidParts.FromPair(1, 2), null, [SsTableId.Compacted(SstA)]));
}
