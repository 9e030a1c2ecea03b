using System.Buffers.Binary;
using Google.FlatBuffers;
using M = SlateDB.Manifest;

namespace SlateDB.Format.FlatBuffers;

/// <summary>
/// Encodes and decodes <c>.compactions</c> files: a 2-byte big-endian version, then a <c>CompactionsV1</c>
/// flatbuffer. SlateDB 0.12.1 writes and reads only version 1; 0.15 writes version 2 (the tiered destination is
/// stored; drain-segment specs exist) and reads both, inferring a version-1 destination from the sorted-run inputs
/// (the smallest, or 0). <see cref="Encode(M.CompactionsState)"/> writes version 1 whenever that loses nothing, so 0.12.1 can read it.
/// </summary>
internal static class CompactionsCodec
{
    /// <summary>Destinations are inferred on read.</summary>
    public const ushort Version1 = 1;

    /// <summary>Destinations are stored.</summary>
    public const ushort Version2 = 2;

    /// <summary>Encodes the compactor state, as version 1 when every spec is tiered with the destination version 1 infers.</summary>
    public static byte[] Encode(M.CompactionsState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var version = state.Compactions.All(c => c.Spec is M.TieredCompactionSpec tiered && tiered.Destination == InferredDestination(tiered.Sources))
            ? Version1
            : Version2;
        return Encode(state, version);
    }

    /// <summary>Encodes the compactor state with a given version prefix.</summary>
    public static byte[] Encode(M.CompactionsState state, ushort version)
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
    public static M.CompactionsState Decode(ReadOnlyMemory<byte> bytes, string objectName)
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
            var compactions = new M.CompactionRecord[fb.RecentCompactionsLength];
            for (var i = 0; i < compactions.Length; i++)
            {
                compactions[i] = ReadCompaction(fb.RecentCompactions(i).GetValueOrDefault(), version);
            }

            return new M.CompactionsState(fb.CompactorEpoch, compactions);
        });
    }

    /// <summary>The destination version 1 implies: the smallest sorted-run input, or 0 when there is none.</summary>
    public static uint InferredDestination(IReadOnlyList<M.CompactionSource> sources)
    {
        ArgumentNullException.ThrowIfNull(sources);
        var runs = sources.Where(s => s.IsSortedRun).Select(s => s.SortedRunId).ToArray();
        return runs.Length == 0 ? 0 : runs.Min();
    }

    private static Offset<Compaction> WriteCompaction(MetadataWriter writer, M.CompactionRecord compaction)
    {
        var id = writer.Ulid(compaction.Id);
        var (specType, spec) = WriteSpec(writer, compaction.Spec);
        var worker = compaction.Worker is { } w
            ? WorkerSpec.CreateWorkerSpec(writer.Builder, writer.Builder.CreateString(w.WorkerId), w.LastHeartbeatMs)
            : default;
        var (contextType, context) = compaction.Context is { } ctx
            ? (CompactionContext.TieredCompactionContext, WriteContext(writer, ctx).Value)
            : (CompactionContext.NONE, 0);
        var outputs = writer.CompactedSsts(compaction.OutputSsts);
        return Compaction.CreateCompaction(
            writer.Builder, id, specType, spec, (CompactionStatus)compaction.Status, outputs, worker, contextType, context);
    }

    private static (CompactionSpec Type, int Offset) WriteSpec(MetadataWriter writer, M.CompactionSpec spec)
    {
        var viewIds = spec.Sources.Where(s => !s.IsSortedRun).Select(s => s.ViewId).ToArray();
        var runIds = spec.Sources.Where(s => s.IsSortedRun).Select(s => s.SortedRunId).ToArray();
        var views = viewIds.Length > 0 ? writer.Ulids(viewIds) : default;
        var runs = runIds.Length > 0 ? TieredCompactionSpec.CreateSortedRunsVectorBlock(writer.Builder, runIds) : default;
        var segment = writer.Bytes(spec.Segment);
        return spec switch
        {
            M.TieredCompactionSpec tiered => (
                CompactionSpec.TieredCompactionSpec,
                TieredCompactionSpec.CreateTieredCompactionSpec(writer.Builder, default, runs, views, segment, tiered.Destination).Value),
            M.DrainSegmentSpec => (
                CompactionSpec.DrainSegmentSpec,
                DrainSegmentSpec.CreateDrainSegmentSpec(writer.Builder, segment, views, runs).Value),
            _ => throw new ArgumentException($"Unknown compaction spec {spec.GetType().Name}.", nameof(spec)),
        };
    }

    private static Offset<TieredCompactionContext> WriteContext(MetadataWriter writer, M.CompactionContext context)
    {
        var subcompactions = default(VectorOffset);
        if (context.Subcompactions.Count > 0)
        {
            var offsets = new Offset<Subcompaction>[context.Subcompactions.Count];
            for (var i = 0; i < offsets.Length; i++)
            {
                var sub = context.Subcompactions[i];
                var range = writer.Range(sub.Range);
                var outputs = sub.OutputSsts.Count > 0 ? writer.CompactedSsts(sub.OutputSsts) : default;
                offsets[i] = Subcompaction.CreateSubcompaction(writer.Builder, range, outputs);
            }

            subcompactions = writer.OffsetVector(offsets);
        }

        return TieredCompactionContext.CreateTieredCompactionContext(writer.Builder, subcompactions, context.RetentionMinSeq);
    }

    private static M.CompactionRecord ReadCompaction(Compaction fb, ushort version)
    {
        var spec = ReadSpec(fb, version);
        var status = (byte)fb.Status is >= (byte)M.CompactionStatus.Submitted and <= (byte)M.CompactionStatus.Scheduled
            ? (M.CompactionStatus)(byte)fb.Status
            : M.CompactionStatus.Submitted; // SlateDB reads unknown codes as Submitted
        var worker = fb.Worker is { } w && w.WorkerId is { } workerId ? new M.WorkerSpec(workerId, w.LastHeartbeatMs) : null;
        M.CompactionContext? context = fb.CtxType switch
        {
            CompactionContext.NONE => null,
            CompactionContext.TieredCompactionContext => ReadContext(fb.Ctx<TieredCompactionContext>().GetValueOrDefault()),
            var other => throw new FormatException($"unknown compaction context type {(byte)other}"),
        };

        // Compactions that have not reached Compacted restart from their context; older SlateDB versions kept
        // partial outputs here, which 0.15 drops on read.
        IReadOnlyList<M.SsTableHandle> outputs = status is M.CompactionStatus.Submitted or M.CompactionStatus.Scheduled or M.CompactionStatus.Running
            ? []
            : MetadataReader.ReadCompactedSsts(fb.OutputSstsLength, fb.OutputSsts);
        return new M.CompactionRecord(MetadataReader.ReadUlid(fb.Id), spec, status, outputs, worker, context);
    }

    private static M.CompactionSpec ReadSpec(Compaction fb, ushort version)
    {
        switch (fb.SpecType)
        {
            case CompactionSpec.TieredCompactionSpec:
            {
                var spec = fb.Spec<TieredCompactionSpec>().GetValueOrDefault();
                var sources = new List<M.CompactionSource>();
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

                sources.AddRange(runs.Select(M.CompactionSource.SortedRun));
                var destination = version >= Version2 ? spec.Destination : InferredDestination(sources);
                return new M.TieredCompactionSpec(FlatBufferInput.CopyBytes(spec.GetSegmentBytes()) ?? [], sources, destination);
            }

            case CompactionSpec.DrainSegmentSpec:
            {
                var spec = fb.Spec<DrainSegmentSpec>().GetValueOrDefault();
                var sources = new List<M.CompactionSource>();
                AddViews(sources, spec.L0ViewIdsLength, spec.L0ViewIds);
                for (var i = 0; i < spec.SortedRunsLength; i++)
                {
                    sources.Add(M.CompactionSource.SortedRun(spec.SortedRuns(i)));
                }

                return new M.DrainSegmentSpec(FlatBufferInput.CopyBytes(spec.GetSegmentBytes()) ?? [], sources);
            }

            default:
                throw new FormatException($"unknown compaction spec type {(byte)fb.SpecType}");
        }
    }

    private static void AddViews(List<M.CompactionSource> sources, int count, Func<int, Ulid?> item)
    {
        for (var i = 0; i < count; i++)
        {
            sources.Add(M.CompactionSource.SstView(MetadataReader.ReadUlid(item(i))));
        }
    }

    private static M.CompactionContext ReadContext(TieredCompactionContext context)
    {
        var subcompactions = new M.Subcompaction[context.SubcompactionsLength];
        for (var i = 0; i < subcompactions.Length; i++)
        {
            var sub = context.Subcompactions(i).GetValueOrDefault();
            subcompactions[i] = new M.Subcompaction(
                MetadataReader.ReadRange(sub.Range.GetValueOrDefault()),
                MetadataReader.ReadCompactedSsts(sub.OutputSstsLength, sub.OutputSsts));
        }

        return new M.CompactionContext(subcompactions, context.RetentionMinSeq);
    }
}
