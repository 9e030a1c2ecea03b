namespace SlateDB.Wal;

/// <summary>
/// What a garbage collector needs from a WAL (SlateDB's pluggable <c>WalGc</c>): the objects with their ages, and
/// deleting one. The collector decides which ids are obsolete.
/// </summary>
internal interface IWalGc : IWalListing
{
    /// <summary>Whether WAL object <paramref name="info"/> is a fence (no rows); null when it vanished meanwhile.</summary>
    ValueTask<bool?> IsFenceAsync(WalObjectInfo info, CancellationToken cancellationToken);

    /// <summary>Deletes WAL object <paramref name="walId"/> (nothing when it is already gone).</summary>
    ValueTask DeleteAsync(ulong walId, CancellationToken cancellationToken);
}
