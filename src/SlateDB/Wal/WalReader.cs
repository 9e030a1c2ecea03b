using SlateDB.Manifest;
using SlateDB.Sst;
using SlateDB.Storage;
using SlateDB.Wal;

namespace SlateDB;

/// <summary>
/// Reads a database's WAL files directly (SlateDB's <c>WalReader</c>): list them by id and read each file's rows
/// (sequence, key, value, tombstone or merge operand, create and expire times). Works from the store alone, in
/// another process than the writer, and reads WAL written by SlateDB as well as by this library. For a stream of
/// changes in sequence order that follows the database, see <see cref="ChangeFeed"/>.
/// </summary>
public sealed class WalReader
{
    private readonly IWalReader _wal;

    /// <summary>A reader of the WAL of the database at <paramref name="path"/> in <paramref name="objectStore"/>.</summary>
    /// <param name="path">The database's path, as given to <see cref="SlateDb.OpenAsync"/>.</param>
    /// <param name="objectStore">The store holding the WAL (the WAL store when the database has a separate one).</param>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty or white space.</exception>
    public WalReader(string path, IObjectStore objectStore)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(objectStore);
        _wal = new ObjectStoreWal(objectStore, new DbPaths(path), SstBuildSettings.From(SlateDbOptions.Default));
    }

    internal WalReader(IWalReader wal) => _wal = wal;

    /// <summary>
    /// The WAL files present, ascending by id, from <paramref name="startId"/> (inclusive) to <paramref name="endId"/>
    /// (exclusive); null bounds are open.
    /// </summary>
    public async Task<IReadOnlyList<WalFile>> ListAsync(ulong? startId = null, ulong? endId = null, CancellationToken cancellationToken = default)
    {
        var listed = await _wal.ListAsync(cancellationToken).ConfigureAwait(false);
        var files = new List<WalFile>();
        foreach (var info in listed)
        {
            if ((startId is null || info.Id >= startId) && (endId is null || info.Id < endId))
            {
                files.Add(new WalFile(_wal, info.Id));
            }
        }

        return files;
    }

    /// <summary>A handle on WAL file <paramref name="id"/>, without checking that it exists.</summary>
    public WalFile Get(ulong id) => new(_wal, id);
}
