namespace SlateDB;

/// <summary>One SST as a manifest names it: its id and estimated size.</summary>
/// <param name="Id">The SST's id: a ULID for compacted SSTs (<c>compacted/&lt;id&gt;.sst</c>).</param>
/// <param name="EstimatedSize">Its estimated size in bytes (the index's end offset).</param>
public sealed record ManifestSst(string Id, ulong EstimatedSize);

/// <summary>A sorted run: its id and SSTs in key order.</summary>
public sealed record ManifestSortedRun(uint Id, IReadOnlyList<ManifestSst> Ssts);

/// <summary>Another database whose SSTs this one reads (a clone's parent).</summary>
/// <param name="Path">The parent database's path.</param>
/// <param name="SourceCheckpointId">The parent checkpoint the clone was made from.</param>
/// <param name="FinalCheckpointId">The checkpoint the clone holds on the parent, if any.</param>
/// <param name="SstIds">The parent SSTs still referenced.</param>
public sealed record ManifestExternalDb(string Path, Guid SourceCheckpointId, Guid? FinalCheckpointId, IReadOnlyList<string> SstIds);

/// <summary>
/// A read-only copy of one manifest version (SlateDB's <c>VersionedManifest</c>), for inspection tools: epochs, WAL
/// and sequence watermarks, the LSM tree (unsegmented), checkpoints and external databases.
/// </summary>
public sealed record ManifestInfo
{
    /// <summary>The version's id (its file name).</summary>
    public required ulong Id { get; init; }

    /// <summary>The newest writer epoch claimed.</summary>
    public required ulong WriterEpoch { get; init; }

    /// <summary>The newest compactor epoch claimed.</summary>
    public required ulong CompactorEpoch { get; init; }

    /// <summary>False only while a clone is being initialized.</summary>
    public required bool Initialized { get; init; }

    /// <summary>The id the next WAL object gets.</summary>
    public required ulong NextWalSstId { get; init; }

    /// <summary>WAL objects up to this id are in L0 and below.</summary>
    public required ulong ReplayAfterWalId { get; init; }

    /// <summary>The largest sequence number in L0 and below.</summary>
    public required ulong LastL0Sequence { get; init; }

    /// <summary>The smallest sequence number live snapshots on the writer still need.</summary>
    public required ulong RecentSnapshotMinSequence { get; init; }

    /// <summary>L0 SSTs, newest first.</summary>
    public required IReadOnlyList<ManifestSst> L0 { get; init; }

    /// <summary>Sorted runs, highest id first.</summary>
    public required IReadOnlyList<ManifestSortedRun> SortedRuns { get; init; }

    /// <summary>Open checkpoints.</summary>
    public required IReadOnlyList<CheckpointInfo> Checkpoints { get; init; }

    /// <summary>Databases whose SSTs this one reads.</summary>
    public required IReadOnlyList<ManifestExternalDb> ExternalDbs { get; init; }

    internal static ManifestInfo From(ulong id, Manifest.DbManifest manifest)
    {
        var core = manifest.Core;
        return new ManifestInfo
        {
            Id = id,
            WriterEpoch = manifest.WriterEpoch,
            CompactorEpoch = manifest.CompactorEpoch,
            Initialized = core.Initialized,
            NextWalSstId = core.NextWalSstId,
            ReplayAfterWalId = core.ReplayAfterWalId,
            LastL0Sequence = core.LastL0Seq,
            RecentSnapshotMinSequence = core.RecentSnapshotMinSeq,
            L0 = [.. core.Tree.L0.Select(Sst)],
            SortedRuns = [.. core.Tree.Compacted.Select(run => new ManifestSortedRun(run.Id, [.. run.Views.Select(Sst)]))],
            Checkpoints = [.. core.Checkpoints.Select(CheckpointInfo.From)],
            ExternalDbs = [.. manifest.ExternalDbs.Select(db => new ManifestExternalDb(db.Path, db.SourceCheckpointId, db.FinalCheckpointId, [.. db.SstIds.Select(IdText)]))],
        };
    }

    private static ManifestSst Sst(Manifest.SsTableView view) => new(IdText(view.Sst.Id), view.Sst.EstimatedSize);

    private static string IdText(Manifest.SsTableId id) => id.IsWal ? id.WalId.ToString(System.Globalization.CultureInfo.InvariantCulture) : id.CompactedId.ToString();
}
