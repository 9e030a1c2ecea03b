using System.Collections.Immutable;
using SlateDB.Manifest;
using SlateDB.Memtable;

namespace SlateDB.Readers;

/// <summary>
/// A table of rows a reader replayed from the WAL, with the last WAL id whose rows it fully holds. Only the reader's
/// refresh writes into the newest one; reads never look above their view's <see cref="ReaderView.VisibleSeq"/>, so a
/// WAL object half inserted is invisible until the view that includes it is published.
/// </summary>
internal sealed record ReplayedTable(KvTable Table, ulong LastWalId);

/// <summary>
/// What a reader's reads see, swapped whole: the manifest version it follows (or its checkpoint's), the tables
/// replayed from the WAL after that version's replay point (newest first), the last WAL id replayed and the highest
/// sequence visible. Readers take one reference and use it throughout.
/// </summary>
internal sealed record ReaderView(ulong ManifestId, ManifestCore Core, ImmutableList<ReplayedTable> Tables, ulong LastWalId, ulong VisibleSeq, Guid? CheckpointId)
{
    public long ReplayedBytes => Tables.Sum(table => table.Table.EstimatedSize);
}
