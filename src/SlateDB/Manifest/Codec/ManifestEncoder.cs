using Google.FlatBuffers;
using SlateDB.Format.FlatBuffers;
using Fb = SlateDB.Format.FlatBuffers;

namespace SlateDB.Manifest.Codec;

/// <summary>Builds manifest flatbuffers the way SlateDB's encoder does (see <see cref="ManifestCodec"/>).</summary>
internal static class ManifestEncoder
{
    /// <summary>Version 1: SST entries inline in L0 and sorted runs.</summary>
    public static byte[] EncodeV1(DbManifest manifest)
    {
        var core = manifest.Core;
        var walIdLastSeen = WalIdLastSeen(core);
        var writer = new MetadataWriter(EstimateSize(core));
        var tree = core.Tree;
        var l0 = writer.OffsetVector(tree.L0.Select(view => writer.CompactedSst(view.Sst, view.VisibleRange)).ToArray());
        var lastCompacted = tree.LastCompactedL0SstId is { } sstId ? writer.Ulid(sstId) : default;
        var runs = new Offset<Fb.SortedRun>[tree.Compacted.Count];
        for (var i = 0; i < runs.Length; i++)
        {
            var run = tree.Compacted[i];
            var ssts = writer.OffsetVector(run.Views.Select(view => writer.CompactedSst(view.Sst, view.VisibleRange)).ToArray());
            runs[i] = Fb.SortedRun.CreateSortedRun(writer.Builder, run.Id, ssts);
        }

        var compacted = writer.OffsetVector(runs);
        var checkpoints = writer.Checkpoints(core.Checkpoints);
        var externalDbs = writer.ExternalDbs(manifest.ExternalDbs);
        var walObjectStoreUri = core.WalObjectStoreUri is null ? default : writer.Builder.CreateString(core.WalObjectStoreUri);
        var sequenceTracker = writer.Bytes(core.SequenceTracker.ToBytes());
        var root = ManifestV1.CreateManifestV1(
            writer.Builder,
            manifest_id: 0,
            externalDbs,
            core.Initialized,
            manifest.WriterEpoch,
            manifest.CompactorEpoch,
            core.ReplayAfterWalId,
            walIdLastSeen,
            lastCompacted,
            l0,
            compacted,
            core.LastL0ClockTick,
            checkpoints,
            core.LastL0Seq,
            walObjectStoreUri,
            core.RecentSnapshotMinSeq,
            sequenceTracker);
        return writer.Finish(root.Value, ManifestCodec.Version1);
    }

    /// <summary>Version 2: each SST once (sorted by id), views referring to them, and segments.</summary>
    public static byte[] EncodeV2(DbManifest manifest)
    {
        var core = manifest.Core;
        var walIdLastSeen = WalIdLastSeen(core);
        var writer = new MetadataWriter(EstimateSize(core));
        var unique = new SortedDictionary<Common.Ulid, SsTableHandle>();
        foreach (var view in core.Trees.SelectMany(tree => tree.AllViews))
        {
            unique.TryAdd(ManifestRecordWriter.CompactedUlid(view.Sst.Id), view.Sst);
        }

        var ssts = writer.OffsetVector(unique.Values.Select(writer.CompactedSstV2).ToArray());
        var (l0, lastCompacted, compacted) = WriteTreeV2(writer, core.Tree);
        var segments = new Offset<Fb.Segment>[core.Segments.Count];
        for (var i = 0; i < segments.Length; i++)
        {
            var segment = core.Segments[i];
            var prefix = writer.Bytes(segment.Prefix);
            var (segmentL0, segmentLastCompacted, segmentCompacted) = WriteTreeV2(writer, segment.Tree);
            segments[i] = Fb.Segment.CreateSegment(writer.Builder, prefix, segmentLastCompacted, segmentL0, segmentCompacted);
        }

        var segmentVector = writer.OffsetVector(segments);
        var extractorName = core.SegmentExtractorName is null ? default : writer.Builder.CreateString(core.SegmentExtractorName);
        var checkpoints = writer.Checkpoints(core.Checkpoints);
        var externalDbs = writer.ExternalDbs(manifest.ExternalDbs);
        var sequenceTracker = writer.Bytes(core.SequenceTracker.ToBytes());
        var root = ManifestV2.CreateManifestV2(
            writer.Builder,
            manifest_id: 0,
            externalDbs,
            core.Initialized,
            manifest.WriterEpoch,
            manifest.CompactorEpoch,
            core.ReplayAfterWalId,
            walIdLastSeen,
            lastCompacted,
            ssts,
            l0,
            compacted,
            core.LastL0ClockTick,
            checkpoints,
            core.LastL0Seq,
            core.RecentSnapshotMinSeq,
            sequenceTracker,
            segmentVector,
            extractorName);
        return writer.Finish(root.Value, ManifestCodec.Version2);
    }

    private static (VectorOffset L0, Offset<Ulid> LastCompacted, VectorOffset Compacted) WriteTreeV2(MetadataWriter writer, LsmTreeState tree)
    {
        var l0 = writer.OffsetVector(tree.L0.Select(view => View(writer, view)).ToArray());
        var lastCompacted = tree.LastCompactedL0SstViewId is { } viewId ? writer.Ulid(viewId) : default;
        var runs = new Offset<SortedRunV2>[tree.Compacted.Count];
        for (var i = 0; i < runs.Length; i++)
        {
            var run = tree.Compacted[i];
            var views = writer.OffsetVector(run.Views.Select(view => View(writer, view)).ToArray());
            runs[i] = SortedRunV2.CreateSortedRunV2(writer.Builder, run.Id, views);
        }

        return (l0, lastCompacted, writer.OffsetVector(runs));
    }

    private static Offset<CompactedSsTableView> View(MetadataWriter writer, SsTableView view)
    {
        var sstId = writer.Ulid(ManifestRecordWriter.CompactedUlid(view.Sst.Id));
        var range = view.VisibleRange is null ? default : writer.Range(view.VisibleRange);
        var id = writer.Ulid(view.Id);
        return CompactedSsTableView.CreateCompactedSsTableView(writer.Builder, id, sstId, range);
    }

    private static ulong WalIdLastSeen(ManifestCore core)
        => core.NextWalSstId == 0
            ? throw new ArgumentException("NextWalSstId must be at least 1 (the file stores it minus one).", nameof(core))
            : core.NextWalSstId - 1;

    private static int EstimateSize(ManifestCore core)
        => 1024 + (256 * core.Trees.Sum(tree => tree.L0.Count + tree.Compacted.Sum(run => run.Views.Count)));
}
