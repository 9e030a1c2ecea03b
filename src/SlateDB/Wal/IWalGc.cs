namespace SlateDB.Wal;

/// <summary>
/// What a garbage collector needs from a WAL (SlateDB's pluggable <c>WalGc</c>): the objects with their ages, and
/// deleting one. The collector decides which ids are obsolete.
/// </summary>
internal interface IWalGc : IWalListing
{
    /// <summary>Deletes WAL object <paramref name="walId"/> (nothing when it is already gone).</summary>
    ValueTask DeleteAsync(ulong walId, CancellationToken cancellationToken);
}
