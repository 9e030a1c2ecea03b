using SlateDB.Common;
using SlateDB.Format;

namespace SlateDB.Manifest;

/// <summary>A physical SST: its id, the SST format version it was written with, and its metadata.</summary>
internal sealed record SsTableHandle(SsTableId Id, ushort FormatVersion, SsTableInfoModel Info)
{
    /// <summary>
    /// The SST format version a manifest entry means when it names none (SlateDB's original format, 1).
    /// </summary>
    public const ushort OriginalFormatVersion = 1;

    /// <summary>A rough size: the index is written last before the info block, so its end approximates the size.</summary>
    public ulong EstimatedSize => Info.IndexOffset + Info.IndexLen;
}

/// <summary>
/// A view over an SST (Rust <c>SsTableView</c>): its own id, the SST, and an optional key range that restricts
/// what is visible (clones and projections). In manifest version 1 the view id is always the SST's id.
/// </summary>
internal sealed record SsTableView(Ulid Id, SsTableHandle Sst, BytesRange? VisibleRange)
{
    /// <summary>
    /// A view that shows the whole SST, with the SST's own id (a WAL SST's id becomes a ULID whose timestamp part is
    /// the WAL id, as SlateDB does).
    /// </summary>
    public static SsTableView Identity(SsTableHandle sst)
    {
        ArgumentNullException.ThrowIfNull(sst);
        var id = sst.Id.IsWal ? Ulid.FromParts(sst.Id.WalId, 0, 0) : sst.Id.CompactedId;
        return new SsTableView(id, sst, VisibleRange: null);
    }
}
