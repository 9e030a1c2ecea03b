using System.Buffers.Binary;
using SlateDB.Format.FlatBuffers;
using Fb = SlateDB.Format.FlatBuffers;

namespace SlateDB.Manifest.Codec;

/// <summary>
/// Encodes and decodes manifest files: a 2-byte big-endian version, then a <c>ManifestV1</c> (version 1) or
/// <c>ManifestV2</c> (version 2) flatbuffer. Both versions decode into the same <see cref="DbManifest"/>. Like
/// SlateDB, <see cref="Encode"/> writes version 1 (what SlateDB 0.12.1 reads and writes) unless the state needs
/// version 2 (segments or a segment extractor).
/// </summary>
internal static class ManifestCodec
{
    /// <summary>The original manifest version: SST entries inline, view ids equal SST ids.</summary>
    public const ushort Version1 = 1;

    /// <summary>Deduplicated SST list with views, and segments (RFC-0024).</summary>
    public const ushort Version2 = 2;

    /// <summary>Encodes a manifest as version 1, or version 2 when <see cref="ManifestCore.RequiresVersion2"/>.</summary>
    public static byte[] Encode(DbManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        return manifest.Core.RequiresVersion2 ? EncodeV2(manifest) : EncodeV1(manifest);
    }

    /// <summary>
    /// Encodes a manifest as version 1. View ids are not stored (they read back as the SST ids) and the last
    /// compacted L0 is stored by SST id.
    /// </summary>
    /// <exception cref="ArgumentException">The manifest has segments, WAL SSTs in its trees, or no valid next WAL id.</exception>
    public static byte[] EncodeV1(DbManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        if (manifest.Core.RequiresVersion2)
        {
            throw new ArgumentException("Manifest version 1 cannot hold segments or a segment extractor.", nameof(manifest));
        }

        return ManifestEncoder.EncodeV1(manifest);
    }

    /// <summary>Encodes a manifest as version 2 (the WAL object store URI is not part of version 2).</summary>
    /// <exception cref="ArgumentException">The manifest has WAL SSTs in its trees or no valid next WAL id.</exception>
    public static byte[] EncodeV2(DbManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        return ManifestEncoder.EncodeV2(manifest);
    }

    /// <summary>Decodes a manifest file of either version.</summary>
    /// <exception cref="SlateDbException">Kind Data: the bytes are not a manifest this code understands.</exception>
    public static DbManifest Decode(ReadOnlyMemory<byte> bytes, string objectName)
    {
        ArgumentNullException.ThrowIfNull(objectName);
        if (bytes.Length < 2)
        {
            throw SlateDbException.Corrupt(objectName, $"a manifest needs at least 2 bytes, found {bytes.Length}.");
        }

        var version = BinaryPrimitives.ReadUInt16BigEndian(bytes.Span);
        return version switch
        {
            Version1 => FlatBufferInput.Decode(objectName, "manifest version 1", () => DecodeV1(bytes[2..])),
            Version2 => FlatBufferInput.Decode(objectName, "manifest version 2", () => DecodeV2(bytes[2..])),
            _ => throw SlateDbException.Corrupt(objectName, $"unsupported manifest version {version} (supported: 1, 2)."),
        };
    }

    private static DbManifest DecodeV1(ReadOnlyMemory<byte> payload)
    {
        var fb = ManifestV1.GetRootAsManifestV1(FlatBufferInput.Open(payload, SlateDbSchemas.ManifestV1, requireCoverage: true));
        var l0 = new SsTableView[fb.L0Length];
        for (var i = 0; i < l0.Length; i++)
        {
            l0[i] = ReadV1View(fb.L0(i).GetValueOrDefault());
        }

        var compacted = new SortedRun[fb.CompactedLength];
        for (var i = 0; i < compacted.Length; i++)
        {
            var run = fb.Compacted(i).GetValueOrDefault();
            var views = new SsTableView[run.SstsLength];
            for (var j = 0; j < views.Length; j++)
            {
                views[j] = ReadV1View(run.Ssts(j).GetValueOrDefault());
            }

            compacted[i] = new SortedRun(run.Id, views);
        }

        // Version 1 has no view ids: views take their SST's id, so the last compacted L0 names both.
        var lastCompacted = MetadataReader.ReadOptionalUlid(fb.L0LastCompacted);
        var core = new ManifestCore
        {
            Initialized = fb.Initialized,
            Tree = new LsmTreeState(lastCompacted, lastCompacted, l0, compacted),
            NextWalSstId = NextWalSstId(fb.WalIdLastSeen),
            ReplayAfterWalId = fb.ReplayAfterWalId,
            LastL0ClockTick = fb.LastL0ClockTick,
            LastL0Seq = fb.LastL0Seq,
            RecentSnapshotMinSeq = fb.RecentSnapshotMinSeq,
            SequenceTracker = ManifestRecordReader.ReadSequenceTracker(fb.GetSequenceTrackerBytes()),
            Checkpoints = ReadCheckpoints(fb.CheckpointsLength, fb.Checkpoints),
            WalObjectStoreUri = fb.WalObjectStoreUri,
        };
        return new DbManifest(ReadExternalDbs(fb.ExternalDbsLength, fb.ExternalDbs), core, fb.WriterEpoch, fb.CompactorEpoch);
    }

    private static DbManifest DecodeV2(ReadOnlyMemory<byte> payload)
    {
        var fb = ManifestV2.GetRootAsManifestV2(FlatBufferInput.Open(payload, SlateDbSchemas.ManifestV2, requireCoverage: true));
        var ssts = new Dictionary<Common.Ulid, SsTableHandle>();
        for (var i = 0; i < fb.SstsLength; i++)
        {
            var sst = ManifestRecordReader.ReadCompactedSstV2(fb.Ssts(i).GetValueOrDefault());
            ssts[sst.Id.CompactedId] = sst;
        }

        var tree = ReadTreeV2(fb.LastCompactedL0SstViewId, fb.L0Length, fb.L0, fb.CompactedLength, fb.Compacted, ssts);
        var segments = new Segment[fb.SegmentsLength];
        for (var i = 0; i < segments.Length; i++)
        {
            var segment = fb.Segments(i).GetValueOrDefault();
            var prefix = FlatBufferInput.CopyBytes(segment.GetPrefixBytes()) ?? [];
            segments[i] = new Segment(
                prefix,
                ReadTreeV2(segment.LastCompactedL0SstViewId, segment.L0Length, segment.L0, segment.CompactedLength, segment.Compacted, ssts));
        }

        // SlateDB keeps segments sorted by prefix whatever order the file has.
        Array.Sort(segments, static (a, b) => a.Prefix.Span.SequenceCompareTo(b.Prefix.Span));
        var core = new ManifestCore
        {
            Initialized = fb.Initialized,
            Tree = tree,
            Segments = segments,
            SegmentExtractorName = fb.SegmentExtractorName,
            NextWalSstId = NextWalSstId(fb.WalIdLastSeen),
            ReplayAfterWalId = fb.ReplayAfterWalId,
            LastL0ClockTick = fb.LastL0ClockTick,
            LastL0Seq = fb.LastL0Seq,
            RecentSnapshotMinSeq = fb.RecentSnapshotMinSeq,
            SequenceTracker = ManifestRecordReader.ReadSequenceTracker(fb.GetSequenceTrackerBytes()),
            Checkpoints = ReadCheckpoints(fb.CheckpointsLength, fb.Checkpoints),
        };
        return new DbManifest(ReadExternalDbs(fb.ExternalDbsLength, fb.ExternalDbs), core, fb.WriterEpoch, fb.CompactorEpoch);
    }

    private static SsTableView ReadV1View(CompactedSsTable entry)
    {
        var sst = ManifestRecordReader.ReadCompactedSst(entry);
        return ManifestRecordReader.MakeView(sst.Id.CompactedId, sst, entry.VisibleRange);
    }

    private static LsmTreeState ReadTreeV2(
        Ulid? lastCompactedViewId,
        int l0Count,
        Func<int, CompactedSsTableView?> l0Item,
        int runCount,
        Func<int, SortedRunV2?> runItem,
        Dictionary<Common.Ulid, SsTableHandle> ssts)
    {
        var l0 = new SsTableView[l0Count];
        for (var i = 0; i < l0.Length; i++)
        {
            l0[i] = ReadV2View(l0Item(i).GetValueOrDefault(), ssts);
        }

        var runs = new SortedRun[runCount];
        for (var i = 0; i < runs.Length; i++)
        {
            var run = runItem(i).GetValueOrDefault();
            var views = new SsTableView[run.SstsLength];
            for (var j = 0; j < views.Length; j++)
            {
                views[j] = ReadV2View(run.Ssts(j).GetValueOrDefault(), ssts);
            }

            runs[i] = new SortedRun(run.Id, views);
        }

        // Version 2 stores only the view id; the SST id of the last compacted L0 is not persisted.
        return new LsmTreeState(MetadataReader.ReadOptionalUlid(lastCompactedViewId), null, l0, runs);
    }

    private static SsTableView ReadV2View(CompactedSsTableView view, Dictionary<Common.Ulid, SsTableHandle> ssts)
    {
        var sstId = MetadataReader.ReadUlid(view.SstId);
        if (!ssts.TryGetValue(sstId, out var sst))
        {
            throw new FormatException($"a view references SST {sstId}, which the manifest does not list");
        }

        return ManifestRecordReader.MakeView(MetadataReader.ReadUlid(view.Id), sst, view.VisibleRange);
    }

    private static Checkpoint[] ReadCheckpoints(int count, Func<int, Fb.Checkpoint?> item)
    {
        var checkpoints = new Checkpoint[count];
        for (var i = 0; i < count; i++)
        {
            checkpoints[i] = ManifestRecordReader.ReadCheckpoint(item(i).GetValueOrDefault());
        }

        return checkpoints;
    }

    private static ExternalDb[] ReadExternalDbs(int count, Func<int, Fb.ExternalDb?> item)
    {
        var dbs = new ExternalDb[count];
        for (var i = 0; i < count; i++)
        {
            dbs[i] = ManifestRecordReader.ReadExternalDb(item(i).GetValueOrDefault());
        }

        return dbs;
    }

    private static ulong NextWalSstId(ulong walIdLastSeen)
        => walIdLastSeen == ulong.MaxValue ? throw new FormatException("wal_id_last_seen is the largest 64-bit number; no next WAL id exists") : walIdLastSeen + 1;
}
