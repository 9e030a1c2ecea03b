namespace SlateDB.Wal;

/// <summary>
/// Operations on the WAL as a whole rather than on its write path (SlateDB's pluggable <c>WalAdmin</c> and writer
/// initialisation): fencing the WAL when a new writer takes over.
/// </summary>
internal interface IWalAdmin
{
    /// <summary>
    /// What the manifest records for this WAL (<c>wal_object_store_uri</c>): null for the main object store, the
    /// separate WAL store's identity, or a local-disk WAL's identity. Known once <see cref="AcquireAsync"/> returned.
    /// </summary>
    string? ManifestUri { get; }

    /// <summary>
    /// Takes whatever hold a writer needs before it uses the WAL: nothing for an object-store WAL (its ids fence
    /// writers), the directory's exclusive lock for a local-disk WAL (which it then reads).
    /// </summary>
    /// <exception cref="SlateDbException">Unavailable: another writer holds the WAL. Data: the WAL is damaged.</exception>
    ValueTask AcquireAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Occupies WAL id <paramref name="walId"/> with a fence, so that an older writer's write of that id fails and the
    /// older writer learns it was fenced. False when the id is already taken.
    /// </summary>
    Task<bool> TryWriteFenceAsync(ulong walId, CancellationToken cancellationToken);
}
