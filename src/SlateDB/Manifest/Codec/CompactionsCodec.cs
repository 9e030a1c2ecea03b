using System.Buffers.Binary;
using Google.FlatBuffers;
using SlateDB.Format.FlatBuffers;
using Fb = SlateDB.Format.FlatBuffers;

namespace SlateDB.Manifest.Codec;

/// <summary>
/// Encodes and decodes <c>.compactions</c> files: a 2-byte big-endian version, then a <c>CompactionsV1</c>
/// flatbuffer. SlateDB 0.12.1 writes and reads only version 1; 0.15 writes version 2 (the tiered destination is
/// stored; drain-segment specs exist) and reads both, inferring a version-1 destination from the sorted-run inputs
/// (the smallest, or 0). <see cref="Encode(CompactionsState)"/> writes version 1 whenever that loses nothing, so 0.12.1 can read it.
/// </summary>
internal static class CompactionsCodec
{
    /// <summary>Destinations are inferred on read.</summary>
    public const ushort Version1 = 1;

    /// <summary>Destinations are stored.</summary>
    public const ushort Version2 = 2;

    /// <summary>Encodes the compactor state, as version 1 when every spec is tiered with the destination version 1 infers.</summary>
    public static byte[] Encode(CompactionsState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var version = state.Compactions.All(c => c.Spec is TieredCompactionSpec tiered && tiered.Destination == InferredDestination(tiered.Sources))
            ? Version1
            : Version2;
        return Encode(state, version);
    }

    /// <summary>Encodes the compactor state with a given version prefix.</summary>
    public static byte[] Encode(CompactionsState state, ushort version)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentOutOfRangeException.ThrowIfLessThan(version, Version1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(version, Version2);
        var writer = new MetadataWriter();
        var compactions = writer.OffsetVector(state.Compactions.Select(c => WriteCompaction(writer, c)).ToArray());
        var root = CompactionsV1.CreateCompactionsV1(writer.Builder, state.CompactorEpoch, compactions);
        return writer.Finish(root.Value, version);
    }

    /// <summary>Decodes a <c>.compactions</c> file of version 1 or 2.</summary>
    /// <exception cref="SlateDbException">Kind Data: the bytes are not compactor state this code understands.</exception>
    public static CompactionsState Decode(ReadOnlyMemory<byte> bytes, string objectName)
    {
        ArgumentNullException.ThrowIfNull(objectName);
        if (bytes.Length < 2)
        {
            throw SlateDbException.Corrupt(objectName, $"compactor state needs at least 2 bytes, found {bytes.Length}.");
        }

        var version = BinaryPrimitives.ReadUInt16BigEndian(bytes.Span);
        if (version is not (Version1 or Version2))
        {
            throw SlateDbException.Corrupt(objectName, $"unsupported compactions version {version} (supported: 1, 2).");
        }

        return FlatBufferInput.Decode(objectName, $"compactions version {version}", () =>
        {
            var fb = CompactionsV1.GetRootAsCompactionsV1(FlatBufferInput.Open(bytes[2..], SlateDbSchemas.CompactionsV1));
            var compactions = new CompactionRecord[fb.RecentCompactionsLength];
            for (var i = 0; i < compactions.Length; i++)
            {
                compactions[i] = ReadCompaction(fb.RecentCompactions(i).GetValueOrDefault(), version);
            }

            return new CompactionsState(fb.CompactorEpoch, compactions);
        });
    }

    /// <summary>The destination version 1 implies: the smallest sorted-run input, or 0 when there is none.</summary>
    public static uint InferredDestination(IReadOnlyList<CompactionSource> sources)
    {
        ArgumentNullException.ThrowIfNull(sources);
        var runs = sources.Where(s => s.IsSortedRun).Select(s => s.SortedRunId).ToArray();
        return runs.Length == 0 ? 0 : runs.Min();
    }

    private static Offset<Fb.Compaction> WriteCompaction(MetadataWriter writer, CompactionRecord compaction)
    {
        var id = writer.Ulid(compaction.Id);
        var (specType, spec) = WriteSpec(writer, compaction.Spec);
        var worker = compaction.Worker is { } w
            ? Fb.WorkerSpec.CreateWorkerSpec(writer.Builder, writer.Builder.CreateString(w.WorkerId), w.LastHeartbeatMs)
            : default;
        var (contextType, context) = compaction.Context is { } ctx
            ? (Fb.CompactionContext.TieredCompactionContext, WriteContext(writer, ctx).Value)
            : (Fb.CompactionContext.NONE, 0);
        var outputs = writer.CompactedSsts(compaction.OutputSsts);
        return Fb.Compaction.CreateCompaction(
            writer.Builder, id, specType, spec, (Fb.CompactionStatus)compaction.Status, outputs, worker, contextType, context);
    }

    private static (Fb.CompactionSpec Type, int Offset) WriteSpec(MetadataWriter writer, CompactionSpec spec)
    {
        var viewIds = spec.Sources.Where(s => !s.IsSortedRun).Select(s => s.ViewId).ToArray();
        var runIds = spec.Sources.Where(s => s.IsSortedRun).Select(s => s.SortedRunId).ToArray();
        var views = viewIds.Length > 0 ? writer.Ulids(viewIds) : default;
        var runs = runIds.Length > 0 ? Fb.TieredCompactionSpec.CreateSortedRunsVectorBlock(writer.Builder, runIds) : default;
        var segment = writer.Bytes(spec.Segment);
        return spec switch
        {
            TieredCompactionSpec tiered => (
                Fb.CompactionSpec.TieredCompactionSpec,
                Fb.TieredCompactionSpec.CreateTieredCompactionSpec(writer.Builder, default, runs, views, segment, tiered.Destination).Value),
            DrainSegmentSpec => (
                Fb.CompactionSpec.DrainSegmentSpec,
                Fb.DrainSegmentSpec.CreateDrainSegmentSpec(writer.Builder, segment, views, runs).Value),
            _ => throw new ArgumentException($"Unknown compaction spec {spec.GetType().Name}.", nameof(spec)),
        };
    }

    private static Offset<TieredCompactionContext> WriteContext(MetadataWriter writer, CompactionContext context)
    {
        var subcompactions = default(VectorOffset);
        if (context.Subcompactions.Count > 0)
        {
            var offsets = new Offset<Fb.Subcompaction>[context.Subcompactions.Count];
            for (var i = 0; i < offsets.Length; i++)
            {
                var sub = context.Subcompactions[i];
                var range = writer.Range(sub.Range);
                var outputs = sub.OutputSsts.Count > 0 ? writer.CompactedSsts(sub.OutputSsts) : default;
                offsets[i] = Fb.Subcompaction.CreateSubcompaction(writer.Builder, range, outputs);
            }

            subcompactions = writer.OffsetVector(offsets);
        }

        return TieredCompactionContext.CreateTieredCompactionContext(writer.Builder, subcompactions, context.RetentionMinSeq);
    }

    private static CompactionRecord ReadCompaction(Fb.Compaction fb, ushort version)
    {
        var spec = ReadSpec(fb, version);
        var status = (byte)fb.Status is >= (byte)CompactionStatus.Submitted and <= (byte)CompactionStatus.Scheduled
            ? (CompactionStatus)(byte)fb.Status
            : CompactionStatus.Submitted; // SlateDB reads unknown codes as Submitted
        var worker = fb.Worker is { } w && w.WorkerId is { } workerId ? new WorkerSpec(workerId, w.LastHeartbeatMs) : null;
        CompactionContext? context = fb.CtxType switch
        {
            Fb.CompactionContext.NONE => null,
            Fb.CompactionContext.TieredCompactionContext => ReadContext(fb.Ctx<TieredCompactionContext>().GetValueOrDefault()),
            var other => throw new FormatException($"unknown compaction context type {(byte)other}"),
        };

        // Compactions that have not reached Compacted restart from their context; older SlateDB versions kept
        // partial outputs here, which 0.15 drops on read.
        IReadOnlyList<SsTableHandle> outputs = status is CompactionStatus.Submitted or CompactionStatus.Scheduled or CompactionStatus.Running
            ? []
            : ManifestRecordReader.ReadCompactedSsts(fb.OutputSstsLength, fb.OutputSsts);
        return new CompactionRecord(MetadataReader.ReadUlid(fb.Id), spec, status, outputs, worker, context);
    }

    private static CompactionSpec ReadSpec(Fb.Compaction fb, ushort version)
    {
        switch (fb.SpecType)
        {
            case Fb.CompactionSpec.TieredCompactionSpec:
            {
                var spec = fb.Spec<Fb.TieredCompactionSpec>().GetValueOrDefault();
                var sources = new List<CompactionSource>();
                // Specs from before view ids named the L0 SSTs themselves (SlateDB prefers the view ids when the
                // field is present; writers never store an empty view list next to SST ids, so a count suffices).
                if (spec.L0ViewIdsLength > 0)
                {
                    AddViews(sources, spec.L0ViewIdsLength, spec.L0ViewIds);
                }
                else
                {
                    AddViews(sources, spec.SstsLength, spec.Ssts);
                }

                var runs = new uint[spec.SortedRunsLength];
                for (var i = 0; i < runs.Length; i++)
                {
                    runs[i] = spec.SortedRuns(i);
                }

                sources.AddRange(runs.Select(CompactionSource.SortedRun));
                var destination = version >= Version2 ? spec.Destination : InferredDestination(sources);
                return new TieredCompactionSpec(FlatBufferInput.CopyBytes(spec.GetSegmentBytes()) ?? [], sources, destination);
            }

            case Fb.CompactionSpec.DrainSegmentSpec:
            {
                var spec = fb.Spec<Fb.DrainSegmentSpec>().GetValueOrDefault();
                var sources = new List<CompactionSource>();
                AddViews(sources, spec.L0ViewIdsLength, spec.L0ViewIds);
                for (var i = 0; i < spec.SortedRunsLength; i++)
                {
                    sources.Add(CompactionSource.SortedRun(spec.SortedRuns(i)));
                }

                return new DrainSegmentSpec(FlatBufferInput.CopyBytes(spec.GetSegmentBytes()) ?? [], sources);
            }

            default:
                throw new FormatException($"unknown compaction spec type {(byte)fb.SpecType}");
        }
    }

    private static void AddViews(List<CompactionSource> sources, int count, Func<int, Ulid?> item)
    {
        for (var i = 0; i < count; i++)
        {
            sources.Add(CompactionSource.SstView(MetadataReader.ReadUlid(item(i))));
        }
    }

    private static CompactionContext ReadContext(TieredCompactionContext context)
    {
        var subcompactions = new Subcompaction[context.SubcompactionsLength];
        for (var i = 0; i < subcompactions.Length; i++)
        {
            var sub = context.Subcompactions(i).GetValueOrDefault();
            subcompactions[i] = new Subcompaction(
                ManifestRecordReader.ReadRange(sub.Range.GetValueOrDefault()),
                ManifestRecordReader.ReadCompactedSsts(sub.OutputSstsLength, sub.OutputSsts));
        }

        return new CompactionContext(subcompactions, context.RetentionMinSeq);
    }
}
