namespace SlateDB.Wal;

/// <summary>
/// Operations on the WAL as a whole rather than on its write path (SlateDB's pluggable <c>WalAdmin</c> and writer
/// initialisation): fencing the WAL when a new writer takes over.
/// </summary>
internal interface IWalAdmin
{
    /// <summary>
    /// Occupies WAL id <paramref name="walId"/> with a fence, so that an older writer's write of that id fails and the
    /// older writer learns it was fenced. False when the id is already taken.
    /// </summary>
    Task<bool> TryWriteFenceAsync(ulong walId, CancellationToken cancellationToken);
}
