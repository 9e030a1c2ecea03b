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

    /// <summary>WAL object <paramref name="walId"/>'s size and last write time; null when it does not exist.</summary>
    Task<WalObjectInfo?> StatAsync(ulong walId, CancellationToken cancellationToken);
}
