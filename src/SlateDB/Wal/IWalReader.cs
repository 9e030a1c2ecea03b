using SlateDB.Format;

namespace SlateDB.Wal;

/// <summary>
/// The read side of a WAL (SlateDB's pluggable <c>WalReader</c>): which WAL objects exist and what rows one holds.
/// Recovery replays through it; a public WAL reader can be built on it.
/// </summary>
internal interface IWalReader : IWalListing
{
    /// <summary>WAL object <paramref name="walId"/>'s rows in sequence order (none for a fence); null when it does not exist.</summary>
    /// <exception cref="SlateDbException">Data: the object is damaged.</exception>
    Task<IReadOnlyList<RowEntry>?> ReadAsync(ulong walId, CancellationToken cancellationToken);

    /// <summary>
    /// The highest sequence number in the WAL object <paramref name="wal"/> (as listed); null when it holds no rows (a
    /// fence) or is gone since the listing. Its rows are not kept: an object as large as a memtable costs its transfer,
    /// not its size in memory.
    /// </summary>
    /// <exception cref="SlateDbException">Data: the object is damaged.</exception>
    Task<ulong?> MaxSeqAsync(WalObjectInfo wal, CancellationToken cancellationToken);

    /// <summary>WAL object <paramref name="walId"/>'s size and last write time; null when it does not exist.</summary>
    Task<WalObjectInfo?> StatAsync(ulong walId, CancellationToken cancellationToken);
}
