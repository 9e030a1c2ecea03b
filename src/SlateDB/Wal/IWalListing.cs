namespace SlateDB.Wal;

/// <summary>Which WAL objects exist: shared by the reader and the garbage-collection side of a WAL.</summary>
internal interface IWalListing
{
    /// <summary>Every WAL object present, ascending by id, with its size and last write time.</summary>
    Task<IReadOnlyList<WalObjectInfo>> ListAsync(CancellationToken cancellationToken);
}
