using SlateDB.Format;

namespace SlateDB.Wal;

/// <summary>
/// The write side of a WAL (SlateDB's pluggable <c>WalWriter</c>): appends one flushed WAL buffer as the WAL object
/// with the next id. Every id is written at most once; losing an id to another writer means this one was fenced.
/// </summary>
internal interface IWalWriter
{
    /// <summary>
    /// Writes <paramref name="rows"/> (sequence order) as WAL object <paramref name="walId"/>; returns the object's
    /// size, or null when the id is already taken (a newer writer fenced this one).
    /// </summary>
    /// <param name="walId">The object's id.</param>
    /// <param name="rows">The rows, in sequence order.</param>
    /// <param name="estimatedSize">A size hint for the encoded object (0 when unknown).</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    Task<long?> TryWriteAsync(ulong walId, IReadOnlyList<RowEntry> rows, long estimatedSize, CancellationToken cancellationToken);
}
