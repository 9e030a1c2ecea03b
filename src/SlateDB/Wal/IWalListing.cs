namespace SlateDB.Wal;

/// <summary>Which WAL objects exist: shared by the reader and the garbage-collection side of a WAL.</summary>
internal interface IWalListing
{
    /// <summary>Every WAL object present, ascending by id, with its size and last write time.</summary>
    Task<IReadOnlyList<WalObjectInfo>> ListAsync(CancellationToken cancellationToken);

    /// <summary>Where WAL object <paramref name="walId"/> lives (its object path, or its file), for messages and metadata.</summary>
    string LocationOf(ulong walId);
}
