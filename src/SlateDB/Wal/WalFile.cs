using SlateDB.Wal;

namespace SlateDB;

/// <summary>
/// A handle on one WAL file by id (SlateDB's <c>WalFile</c>); the file need not exist. A fence (written when a
/// writer takes over) reads as a file with no rows.
/// </summary>
public sealed class WalFile
{
    private readonly IWalReader _wal;

    internal WalFile(IWalReader wal, ulong id)
    {
        _wal = wal;
        Id = id;
    }

    /// <summary>The WAL id.</summary>
    public ulong Id { get; }

    /// <summary>The id right after this one.</summary>
    public ulong NextId => Id + 1;

    /// <summary>A handle on the next WAL id, without checking that it exists.</summary>
    public WalFile NextFile() => new(_wal, NextId);

    /// <summary>The file's size, last write time and location; null when it does not exist (not yet written, or collected).</summary>
    public async Task<WalFileMetadata?> GetMetadataAsync(CancellationToken cancellationToken = default)
    {
        var info = await _wal.StatAsync(Id, cancellationToken).ConfigureAwait(false);
        return info is { } i ? new WalFileMetadata(Id, i.Size, i.LastModified, _wal.LocationOf(Id)) : null;
    }

    /// <summary>The file's rows in the order they are stored (this library writes them in sequence order).</summary>
    /// <exception cref="SlateDbException">Invalid: the file does not exist. Data: it is damaged.</exception>
    public async Task<IReadOnlyList<WalRow>> ReadRowsAsync(CancellationToken cancellationToken = default)
    {
        var rows = await _wal.ReadAsync(Id, cancellationToken).ConfigureAwait(false)
            ?? throw new SlateDbException(SlateDbErrorKind.Invalid, $"WAL file {Id} ({_wal.LocationOf(Id)}) does not exist.");
        var result = new WalRow[rows.Count];
        for (var i = 0; i < rows.Count; i++)
        {
            result[i] = WalRow.From(rows[i]);
        }

        return result;
    }
}
