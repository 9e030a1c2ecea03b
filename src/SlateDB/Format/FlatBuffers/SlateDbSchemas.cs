namespace SlateDB.Format.FlatBuffers;

/// <summary>
/// SlateDB's FlatBuffers tables (tools/flatbuffers/schemas/*.fbs) described for <see cref="FlatBufferVerifier"/>.
/// Slots are the schema field order (a union takes two: type, then value). Keep in step with the schemas.
/// </summary>
internal static class SlateDbSchemas
{
    /// <summary>common.fbs <c>Uuid</c>.</summary>
    public static readonly FbTable Uuid = new("Uuid", U64(0, "high"), U64(1, "low"));

    /// <summary>common.fbs <c>Ulid</c>.</summary>
    public static readonly FbTable Ulid = new("Ulid", U64(0, "high"), U64(1, "low"));

    /// <summary>common.fbs <c>BytesBound</c>.</summary>
    public static readonly FbTable BytesBound = new("BytesBound", FbField.Vector(0, "key", 1), FbField.Scalar(1, "bound_type", 1));

    /// <summary>common.fbs <c>BytesRange</c>.</summary>
    public static readonly FbTable BytesRange = new(
        "BytesRange",
        FbField.Table(0, "start_bound", BytesBound, required: true),
        FbField.Table(1, "end_bound", BytesBound, required: true));

    /// <summary>sst.fbs <c>SsTableInfo</c>.</summary>
    public static readonly FbTable SsTableInfo = new(
        "SsTableInfo",
        FbField.Vector(0, "first_entry", 1),
        U64(1, "index_offset"),
        U64(2, "index_len"),
        U64(3, "filter_offset"),
        U64(4, "filter_len"),
        FbField.Scalar(5, "compression_format", 1),
        FbField.Scalar(6, "sst_type", 1),
        FbField.Vector(7, "last_entry", 1),
        U64(8, "stats_offset"),
        U64(9, "stats_len"),
        FbField.Scalar(10, "filter_format", 1));

    /// <summary>sst.fbs <c>BlockStats</c>.</summary>
    public static readonly FbTable BlockStats = new(
        "BlockStats", FbField.Scalar(0, "num_puts", 2), FbField.Scalar(1, "num_deletes", 2), FbField.Scalar(2, "num_merges", 2));

    /// <summary>sst.fbs <c>SstStats</c>.</summary>
    public static readonly FbTable SstStats = new(
        "SstStats",
        U64(0, "num_puts"),
        U64(1, "num_deletes"),
        U64(2, "num_merges"),
        U64(3, "raw_key_size"),
        U64(4, "raw_val_size"),
        FbField.Tables(5, "block_stats", BlockStats));

    /// <summary>sst.fbs <c>BlockMeta</c>.</summary>
    public static readonly FbTable BlockMeta = new("BlockMeta", U64(0, "offset"), FbField.Vector(1, "first_key", 1, required: true));

    /// <summary>sst.fbs <c>SsTableIndex</c>.</summary>
    public static readonly FbTable SsTableIndex = new("SsTableIndex", FbField.Tables(0, "block_meta", BlockMeta, required: true));

    /// <summary>sst.fbs <c>CompactedSsTable</c>.</summary>
    public static readonly FbTable CompactedSsTable = new(
        "CompactedSsTable",
        FbField.Table(0, "id", Ulid, required: true),
        FbField.Table(1, "info", SsTableInfo, required: true),
        FbField.Table(2, "visible_range", BytesRange),
        FbField.Scalar(3, "format_version", 2));

    /// <summary>sst.fbs <c>CompactedSsTableV2</c>.</summary>
    public static readonly FbTable CompactedSsTableV2 = new(
        "CompactedSsTableV2",
        FbField.Table(0, "id", Ulid, required: true),
        FbField.Table(1, "info", SsTableInfo, required: true),
        FbField.Scalar(2, "format_version", 2));

    /// <summary>sst.fbs <c>CompactedSsTableView</c>.</summary>
    public static readonly FbTable CompactedSsTableView = new(
        "CompactedSsTableView",
        FbField.Table(0, "id", Ulid, required: true),
        FbField.Table(1, "sst_id", Ulid, required: true),
        FbField.Table(2, "visible_range", BytesRange));

    /// <summary>sst.fbs <c>SortedRun</c>.</summary>
    public static readonly FbTable SortedRun = new(
        "SortedRun", FbField.Scalar(0, "id", 4), FbField.Tables(1, "ssts", CompactedSsTable, required: true));

    /// <summary>sst.fbs <c>SortedRunV2</c>.</summary>
    public static readonly FbTable SortedRunV2 = new(
        "SortedRunV2", FbField.Scalar(0, "id", 4), FbField.Tables(1, "ssts", CompactedSsTableView, required: true));

    /// <summary>manifest.fbs <c>ExternalDb</c>.</summary>
    public static readonly FbTable ExternalDb = new(
        "ExternalDb",
        FbField.String(0, "path", required: true),
        FbField.Table(1, "source_checkpoint_id", Uuid, required: true),
        FbField.Table(2, "final_checkpoint_id", Uuid),
        FbField.Tables(3, "sst_ids", Ulid, required: true));

    /// <summary>manifest.fbs <c>WriterCheckpoint</c>.</summary>
    public static readonly FbTable WriterCheckpoint = new("WriterCheckpoint", U64(0, "epoch"));

    /// <summary>manifest.fbs <c>Checkpoint</c>.</summary>
    public static readonly FbTable Checkpoint = new(
        "Checkpoint",
        FbField.Table(0, "id", Uuid, required: true),
        U64(1, "manifest_id"),
        FbField.Scalar(2, "checkpoint_expire_time_s", 4),
        FbField.Scalar(3, "checkpoint_create_time_s", 4),
        FbField.Union(4, 5, "metadata", [null, WriterCheckpoint]),
        FbField.String(6, "name"));

    /// <summary>manifest.fbs <c>Segment</c>.</summary>
    public static readonly FbTable Segment = new(
        "Segment",
        FbField.Vector(0, "prefix", 1, required: true),
        FbField.Table(1, "last_compacted_l0_sst_view_id", Ulid),
        FbField.Tables(2, "l0", CompactedSsTableView, required: true),
        FbField.Tables(3, "compacted", SortedRunV2, required: true));

    /// <summary>manifest.fbs <c>ManifestV1</c>.</summary>
    public static readonly FbTable ManifestV1 = new(
        "ManifestV1",
        U64(0, "manifest_id"),
        FbField.Tables(1, "external_dbs", ExternalDb),
        FbField.Scalar(2, "initialized", 1),
        U64(3, "writer_epoch"),
        U64(4, "compactor_epoch"),
        U64(5, "replay_after_wal_id"),
        U64(6, "wal_id_last_seen"),
        FbField.Table(7, "l0_last_compacted", Ulid),
        FbField.Tables(8, "l0", CompactedSsTable, required: true),
        FbField.Tables(9, "compacted", SortedRun, required: true),
        U64(10, "last_l0_clock_tick"),
        FbField.Tables(11, "checkpoints", Checkpoint, required: true),
        U64(12, "last_l0_seq"),
        FbField.String(13, "wal_object_store_uri"),
        U64(14, "recent_snapshot_min_seq"),
        FbField.Vector(15, "sequence_tracker", 1));

    /// <summary>manifest.fbs <c>ManifestV2</c>.</summary>
    public static readonly FbTable ManifestV2 = new(
        "ManifestV2",
        U64(0, "manifest_id"),
        FbField.Tables(1, "external_dbs", ExternalDb),
        FbField.Scalar(2, "initialized", 1),
        U64(3, "writer_epoch"),
        U64(4, "compactor_epoch"),
        U64(5, "replay_after_wal_id"),
        U64(6, "wal_id_last_seen"),
        FbField.Table(7, "last_compacted_l0_sst_view_id", Ulid),
        FbField.Tables(8, "ssts", CompactedSsTableV2, required: true),
        FbField.Tables(9, "l0", CompactedSsTableView, required: true),
        FbField.Tables(10, "compacted", SortedRunV2, required: true),
        U64(11, "last_l0_clock_tick"),
        FbField.Tables(12, "checkpoints", Checkpoint, required: true),
        U64(13, "last_l0_seq"),
        U64(14, "recent_snapshot_min_seq"),
        FbField.Vector(15, "sequence_tracker", 1),
        FbField.Tables(16, "segments", Segment),
        FbField.String(17, "segment_extractor_name"));

    /// <summary>compactor.fbs <c>TieredCompactionSpec</c>.</summary>
    public static readonly FbTable TieredCompactionSpec = new(
        "TieredCompactionSpec",
        FbField.Tables(0, "ssts", Ulid),
        FbField.Vector(1, "sorted_runs", 4),
        FbField.Tables(2, "l0_view_ids", Ulid),
        FbField.Vector(3, "segment", 1),
        FbField.Scalar(4, "destination", 4));

    /// <summary>compactor.fbs <c>DrainSegmentSpec</c>.</summary>
    public static readonly FbTable DrainSegmentSpec = new(
        "DrainSegmentSpec",
        FbField.Vector(0, "segment", 1, required: true),
        FbField.Tables(1, "l0_view_ids", Ulid),
        FbField.Vector(2, "sorted_runs", 4));

    /// <summary>compactor.fbs <c>WorkerSpec</c>.</summary>
    public static readonly FbTable WorkerSpec = new("WorkerSpec", FbField.String(0, "worker_id"), U64(1, "last_heartbeat_ms"));

    /// <summary>compactor.fbs <c>Subcompaction</c>.</summary>
    public static readonly FbTable Subcompaction = new(
        "Subcompaction",
        FbField.Table(0, "range", BytesRange, required: true),
        FbField.Tables(1, "output_ssts", CompactedSsTable));

    /// <summary>compactor.fbs <c>TieredCompactionContext</c>.</summary>
    public static readonly FbTable TieredCompactionContext = new(
        "TieredCompactionContext", FbField.Tables(0, "subcompactions", Subcompaction), U64(1, "retention_min_seq"));

    /// <summary>compactor.fbs <c>Compaction</c>.</summary>
    public static readonly FbTable Compaction = new(
        "Compaction",
        FbField.Table(0, "id", Ulid, required: true),
        FbField.Union(1, 2, "spec", [null, TieredCompactionSpec, DrainSegmentSpec], required: true),
        FbField.Scalar(3, "status", 1),
        FbField.Tables(4, "output_ssts", CompactedSsTable),
        FbField.Table(5, "worker", WorkerSpec),
        FbField.Union(6, 7, "ctx", [null, TieredCompactionContext]));

    /// <summary>compactor.fbs <c>CompactionsV1</c>.</summary>
    public static readonly FbTable CompactionsV1 = new(
        "CompactionsV1", U64(0, "compactor_epoch"), FbField.Tables(1, "recent_compactions", Compaction, required: true));

    private static FbField U64(int slot, string name) => FbField.Scalar(slot, name, 8);
}
