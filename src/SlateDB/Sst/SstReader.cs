using System.Globalization;
using System.Runtime.CompilerServices;
using SlateDB.Common;
using SlateDB.Format;
using SlateDB.Format.Filters;
using SlateDB.Manifest;
using SlateDB.Sst;
using SlateDB.Storage;

namespace SlateDB;

/// <summary>
/// Opens the SSTs of a database for inspection (SlateDB's <c>SstReader</c>, RFC-0020): by compacted id (a ULID), by
/// WAL id, or by object path; each opened SST gives its info, index, filter, statistics, blocks and rows. Read only.
/// </summary>
public sealed class SstReader
{
    private readonly IObjectStore _store;
    private readonly DbPaths _paths;

    private SstReader(string path, IObjectStore store)
    {
        _store = store;
        _paths = new DbPaths(path);
    }

    /// <summary>The database's path.</summary>
    public string Path => _paths.Root;

    /// <summary>A reader for the SSTs of the database at <paramref name="path"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty or white space.</exception>
    public static SstReader For(string path, IObjectStore objectStore)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(objectStore);
        return new SstReader(path, objectStore);
    }

    /// <summary>The object path of an SST named by id: a ULID (<c>compacted/&lt;id&gt;.sst</c>) or a WAL id (<c>wal/&lt;20 digits&gt;.sst</c>).</summary>
    /// <exception cref="ArgumentException"><paramref name="id"/> is neither.</exception>
    public string ObjectPathOf(string id)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        if (Ulid.TryParse(id, out var ulid))
        {
            return _paths.CompactedSstPath(ulid);
        }

        if (ulong.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var walId))
        {
            return _paths.WalSstPath(walId);
        }

        throw new ArgumentException($"'{id}' is not an SST id: a ULID (compacted SST) or a number (WAL SST).", nameof(id));
    }

    /// <summary>Opens the SST named by <paramref name="id"/> (see <see cref="ObjectPathOf"/>), reading its footer, info, index and filter.</summary>
    /// <exception cref="SlateDbException">Data: the SST is missing or damaged (the message names it).</exception>
    public Task<SstHandle> OpenAsync(string id, CancellationToken cancellationToken = default) => OpenObjectAsync(ObjectPathOf(id), cancellationToken);

    /// <summary>Opens the SST stored at <paramref name="objectPath"/> (a full object path in the store).</summary>
    /// <exception cref="SlateDbException">Data: the SST is missing or damaged (the message names it).</exception>
    public async Task<SstHandle> OpenObjectAsync(string objectPath, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(objectPath);
        var file = await SstFile.OpenAsync(_store, objectPath, knownInfo: null, knownVersion: 0, cancellationToken).ConfigureAwait(false);
        return new SstHandle(_store, file);
    }

    /// <summary>
    /// Reads the whole object at <paramref name="objectPath"/> and checks every checksum in it (footer and info,
    /// index, filter, statistics, every data block) and that every block decodes. Damage is reported in the result,
    /// never thrown.
    /// </summary>
    /// <exception cref="SlateDbException">The store failed (not the object's bytes).</exception>
    public async Task<SstCheck> VerifyAsync(string objectPath, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(objectPath);
        var content = await _store.GetAsync(objectPath, cancellationToken).ConfigureAwait(false);
        if (content is null)
        {
            return new SstCheck(objectPath, 0, 0, 0, $"The SST '{objectPath}' is missing from the object store.");
        }

        var bytes = content.Data;
        var blocks = 0;
        long rows = 0;
        try
        {
            var file = SstFile.Open(bytes, objectPath);
            if (file.StatsRange is { } stats)
            {
                file.DecodeStats(bytes.Slice((int)stats.Offset, (int)stats.Length));
            }

            for (var i = 0; i < file.BlockCount; i++)
            {
                var range = file.BlockRange(i);
                var iterator = file.DecodeBlock(bytes.Slice((int)range.Offset, (int)range.Length)).CreateIterator();
                for (iterator.SeekToFirst(); iterator.IsValid; iterator.Next())
                {
                    rows++;
                }

                blocks++;
            }

            return new SstCheck(objectPath, bytes.Length, blocks, rows, null);
        }
        catch (SlateDbException exception) when (exception.Kind == SlateDbErrorKind.Data)
        {
            return new SstCheck(objectPath, bytes.Length, blocks, rows, exception.Message);
        }
    }
}

/// <summary>One opened SST (SlateDB's <c>SstFile</c> of RFC-0020): its metadata in memory, blocks read on demand.</summary>
public sealed class SstHandle
{
    private readonly IObjectStore _store;
    private readonly SstFile _file;

    internal SstHandle(IObjectStore store, SstFile file)
    {
        _store = store;
        _file = file;
        var info = file.Info;
        Info = new SstInfo(
            info.FirstEntry,
            info.LastEntry,
            (long)info.IndexOffset,
            (long)info.IndexLen,
            (long)info.FilterOffset,
            (long)info.FilterLen,
            (long)info.StatsOffset,
            (long)info.StatsLen,
            info.Compression.ToString().ToLowerInvariant(),
            info.SstType == SstKind.Wal ? "wal" : "compacted",
            info.FilterFormat == SstFilterFormat.Legacy ? "legacy" : "composite");
        var index = new SstIndexEntry[file.BlockCount];
        for (var i = 0; i < index.Length; i++)
        {
            var range = file.BlockRange(i);
            index[i] = new SstIndexEntry(i, range.Offset, range.Length, file.Index.Blocks[i].FirstKey);
        }

        Index = index;
        Filter = file.Filter is BloomFilter bloom ? new SstFilterInfo(bloom.Size, bloom.NumProbes) : null;
    }

    /// <summary>The SST's object path.</summary>
    public string ObjectPath => _file.Path;

    /// <summary>The object's size in bytes.</summary>
    public long Size => _file.Size;

    /// <summary>The SST format version (1 or 2).</summary>
    public int FormatVersion => _file.FormatVersion;

    /// <summary>The info record.</summary>
    public SstInfo Info { get; }

    /// <summary>The index: one entry per data block.</summary>
    public IReadOnlyList<SstIndexEntry> Index { get; }

    /// <summary>The bloom filter's shape; null when the SST has none.</summary>
    public SstFilterInfo? Filter { get; }

    /// <summary>Whether the bloom filter may hold <paramref name="key"/> (false: certainly not); true when there is no filter.</summary>
    public bool FilterMightContain(ReadOnlySpan<byte> key) => _file.Filter is not BloomFilter bloom || bloom.MightContain(key);

    /// <summary>Reads the statistics block; null when the SST has none (WAL SSTs).</summary>
    /// <exception cref="SlateDbException">Data: the block is damaged.</exception>
    public async Task<SstStatistics?> ReadStatisticsAsync(CancellationToken cancellationToken = default)
    {
        var stats = await _file.ReadStatsAsync(_store, cancellationToken).ConfigureAwait(false);
        return stats is null
            ? null
            : new SstStatistics(
                (long)stats.NumPuts,
                (long)stats.NumDeletes,
                (long)stats.NumMerges,
                (long)stats.RawKeySize,
                (long)stats.RawValSize,
                [.. stats.BlockStats.Select(b => new SstBlockStatistics(b.NumPuts, b.NumDeletes, b.NumMerges))]);
    }

    /// <summary>Reads data block <paramref name="block"/> and returns its rows in stored order.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="block"/> is not a block of this SST.</exception>
    /// <exception cref="SlateDbException">Data: the block is damaged.</exception>
    public async Task<IReadOnlyList<SstRow>> ReadBlockAsync(int block, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(block);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(block, _file.BlockCount);
        var decoded = await _file.ReadBlockAsync(_store, block, cancellationToken).ConfigureAwait(false);
        var rows = new List<SstRow>();
        var iterator = decoded.CreateIterator();
        for (iterator.SeekToFirst(); iterator.IsValid; iterator.Next())
        {
            rows.Add(SstRow.From(iterator.Current));
        }

        return rows;
    }

    /// <summary>Every row of the SST, block by block.</summary>
    /// <exception cref="SlateDbException">Data: a block is damaged.</exception>
    public async IAsyncEnumerable<SstRow> ReadRowsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        for (var i = 0; i < _file.BlockCount; i++)
        {
            foreach (var row in await ReadBlockAsync(i, cancellationToken).ConfigureAwait(false))
            {
                yield return row;
            }
        }
    }
}
