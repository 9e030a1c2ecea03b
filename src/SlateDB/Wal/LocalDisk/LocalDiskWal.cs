using SlateDB.Format;
using SlateDB.Sst;

namespace SlateDB.Wal.LocalDisk;

/// <summary>
/// A WAL on a local (or network block) disk: append-only segment files in one directory, each WAL object one record
/// (<see cref="LocalWalRecord"/>) made durable with one fsync before its writers are told it is durable. The WAL
/// flusher already writes one object at a time and groups everything appended meanwhile into the next one, so one
/// fsync serves a whole group of writers (group commit).
/// <para>Fencing: one process at a time holds the directory's exclusive lock (<c>LOCK</c>, taken at open, released at
/// close or when the process dies), so no second writer can append. The manifest's writer epoch still fences writers
/// that use another directory, at their next manifest update.</para>
/// <para>Recovery reads every segment and checks every record's checksum: a torn record at the end of the last
/// segment (a crash during its write, never acknowledged) is cut off; a damaged record anywhere else is a Data error.
/// The directory's identity (<c>IDENTITY</c>) is what the manifest records, so a database never opens with another
/// database's WAL directory or an empty one in place of its own.</para>
/// </summary>
internal sealed class LocalDiskWal : IWal, IDisposable
{
    private const string LockFileName = "LOCK";
    private const string IdentityFileName = "IDENTITY";
    private const string UriScheme = "local-wal://";

    private readonly string _directory;
    private readonly LocalWalOptions _options;
    private readonly SstBuildSettings _settings;
    private readonly TimeProvider _time;
    private readonly Random _random;
    private readonly Lock _gate = new();
    private readonly SortedDictionary<ulong, Entry> _index = [];
    private readonly List<LocalWalSegment> _segments = [];
    private FileStream? _lock;
    private FileStream? _active;
    private ulong _lastId;
    private string? _identity;

    public LocalDiskWal(string directory, LocalWalOptions options, SstBuildSettings settings, TimeProvider time, Random random)
    {
        _directory = Path.GetFullPath(directory);
        _options = options;
        _settings = settings;
        _time = time;
        _random = random;
    }

    /// <summary>Whether a manifest's <c>wal_object_store_uri</c> says the WAL is a local-disk WAL.</summary>
    public static bool IsLocalWalUri(string? uri) => uri?.StartsWith(UriScheme, StringComparison.Ordinal) == true;

    /// <inheritdoc/>
    public string? ManifestUri => _identity ?? throw NotAcquired();

    /// <inheritdoc/>
    /// <exception cref="SlateDbException">Unavailable: another process (or database instance) holds the directory.</exception>
    public ValueTask AcquireAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_lock is not null)
            {
                return ValueTask.CompletedTask;
            }

            Directory.CreateDirectory(_directory);
            FileStream held;
            try
            {
                held = new FileStream(Path.Combine(_directory, LockFileName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite);
            }
            catch (IOException e)
            {
                throw Locked(e);
            }

            if (!DirectorySync.TryLockExclusive(held))
            {
                held.Dispose();
                throw Locked(null);
            }

            try
            {
                _identity = ReadOrCreateIdentity();
                Load();
                _lock = held;
            }
            catch
            {
                held.Dispose();
                _active?.Dispose();
                _active = null;
                throw;
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public Task<long?> TryWriteAsync(ulong walId, IReadOnlyList<RowEntry> rows, long estimatedSize, CancellationToken cancellationToken)
    {
        var builder = new SstBuilder(_settings, SstKind.Wal, estimatedSize);
        foreach (var row in rows)
        {
            builder.Add(row);
        }

        var payload = builder.Finish().Bytes;
        return Task.FromResult(Append(walId, payload.Span) ? (long?)payload.Length : null);
    }

    /// <inheritdoc/>
    public Task<bool> TryWriteFenceAsync(ulong walId, CancellationToken cancellationToken) => Task.FromResult(Append(walId, []));

    /// <inheritdoc/>
    public Task<IReadOnlyList<WalObjectInfo>> ListAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            ThrowIfNotAcquired();
            IReadOnlyList<WalObjectInfo> listed = _index.Select(pair => Info(pair.Key, pair.Value)).ToList();
            return Task.FromResult(listed);
        }
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<RowEntry>?> ReadAsync(ulong walId, CancellationToken cancellationToken)
    {
        Entry entry;
        lock (_gate)
        {
            ThrowIfNotAcquired();
            if (!_index.TryGetValue(walId, out entry))
            {
                return null;
            }
        }

        var record = new byte[LocalWalRecord.HeaderSize + entry.Length];
        try
        {
            using var handle = File.OpenHandle(entry.Segment.Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            var read = 0;
            while (read < record.Length)
            {
                var n = await RandomAccess.ReadAsync(handle, record.AsMemory(read), entry.Offset + read, cancellationToken).ConfigureAwait(false);
                if (n == 0)
                {
                    break;
                }

                read += n;
            }
        }
        catch (FileNotFoundException)
        {
            return null;
        }

        if (!LocalWalRecord.Verify(record))
        {
            throw new SlateDbException(SlateDbErrorKind.Data, $"Local WAL record {walId} at offset {entry.Offset} of '{entry.Segment.Path}' is damaged (checksum mismatch).");
        }

        var payload = record.AsMemory(LocalWalRecord.HeaderSize);
        return payload.IsEmpty ? [] : SstFile.Open(payload, LocationOf(walId)).ReadAllRows(payload);
    }

    /// <inheritdoc/>
    /// <remarks>A local record holds one WAL flush (bounded by the WAL buffer), read whole as <see cref="ReadAsync"/> reads it.</remarks>
    public async Task<ulong?> MaxSeqAsync(WalObjectInfo wal, CancellationToken cancellationToken) =>
        await ReadAsync(wal.Id, cancellationToken).ConfigureAwait(false) is { Count: > 0 } rows ? rows.Max(row => row.Seq) : null;

    /// <inheritdoc/>
    public Task<WalObjectInfo?> StatAsync(ulong walId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            ThrowIfNotAcquired();
            return Task.FromResult(_index.TryGetValue(walId, out var entry) ? Info(walId, entry) : (WalObjectInfo?)null);
        }
    }

    /// <inheritdoc/>
    public string LocationOf(ulong walId)
    {
        lock (_gate)
        {
            return _index.TryGetValue(walId, out var entry)
                ? $"{entry.Segment.Path}#{walId}"
                : $"{_directory}{Path.DirectorySeparatorChar}#{walId}";
        }
    }

    /// <inheritdoc/>
    /// <remarks>Only a record with no rows (a fence) has an empty payload: every WAL flush writes at least one row.</remarks>
    public ValueTask<bool?> IsFenceAsync(WalObjectInfo info, CancellationToken cancellationToken) => new(info.Size == 0);

    /// <inheritdoc/>
    /// <remarks>
    /// The record is forgotten at once; its segment file is deleted when none of its records is left and it is not the
    /// segment being appended to. (After a restart the records of a partly collected segment are listed again until
    /// the collector deletes them again: they are still obsolete.)
    /// </remarks>
    public ValueTask DeleteAsync(ulong walId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            ThrowIfNotAcquired();
            if (!_index.Remove(walId, out var entry))
            {
                return ValueTask.CompletedTask;
            }

            var segment = entry.Segment;
            segment.Live--;
            if (segment.Live == 0 && !ReferenceEquals(segment, _segments[^1]))
            {
                File.Delete(segment.Path);
                _segments.Remove(segment);
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Releases the directory's lock (and the active segment).</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _active?.Dispose();
            _active = null;
            _lock?.Dispose();
            _lock = null;
        }
    }

    private SlateDbException Locked(Exception? inner) => new(
        SlateDbErrorKind.Unavailable,
        $"The local WAL directory '{_directory}' is locked by another writer (only one process, and one database in it, may write a local WAL).",
        inner);

    private static WalObjectInfo Info(ulong walId, Entry entry) => new(walId, entry.Length, entry.WrittenAt);

    private static SlateDbException NotAcquired() => new(SlateDbErrorKind.Invalid, "The local WAL is used before its directory was opened.");

    private void ThrowIfNotAcquired()
    {
        if (_lock is null)
        {
            throw NotAcquired();
        }
    }

    /// <summary>Appends WAL object <paramref name="walId"/> and fsyncs it; false when the id is already used.</summary>
    private bool Append(ulong walId, ReadOnlySpan<byte> payload)
    {
        lock (_gate)
        {
            ThrowIfNotAcquired();
            if (walId <= _lastId && _lastId != 0 || _index.ContainsKey(walId))
            {
                return false;
            }

            var now = _time.GetUtcNow();
            var record = LocalWalRecord.Encode(walId, now.ToUnixTimeMilliseconds(), payload);
            var segment = ActiveSegmentFor(walId);
            _active!.Write(record);
            _active.Flush(flushToDisk: true);
            var entry = new Entry(segment, segment.Length, payload.Length, DateTimeOffset.FromUnixTimeMilliseconds(now.ToUnixTimeMilliseconds()));
            segment.Length += record.Length;
            segment.Live++;
            _index[walId] = entry;
            _lastId = walId;
            return true;
        }
    }

    /// <summary>The segment the next record goes to: the last one, or a new one (named <paramref name="walId"/>) when it is full.</summary>
    private LocalWalSegment ActiveSegmentFor(ulong walId)
    {
        if (_active is not null && _segments.Count > 0 && _segments[^1].Length < _options.SegmentSizeBytes)
        {
            return _segments[^1];
        }

        _active?.Dispose();
        _active = null;
        if (_segments.Count > 0 && _segments[^1].Live == 0)
        {
            // A full segment whose records were all collected while it was active.
            File.Delete(_segments[^1].Path);
            _segments.RemoveAt(_segments.Count - 1);
        }

        var segment = new LocalWalSegment(walId, Path.Combine(_directory, LocalWalSegment.FileName(walId)));
        _active = new FileStream(segment.Path, FileMode.CreateNew, FileAccess.Write, FileShare.Read | FileShare.Delete, bufferSize: 0);
        DirectorySync.Fsync(_directory);
        _segments.Add(segment);
        return segment;
    }

    private string ReadOrCreateIdentity()
    {
        var path = Path.Combine(_directory, IdentityFileName);
        if (File.Exists(path))
        {
            var text = File.ReadAllText(path).Trim();
            if (!IsLocalWalUri(text))
            {
                throw new SlateDbException(SlateDbErrorKind.Data, $"The local WAL directory's identity file '{path}' is damaged.");
            }

            return text;
        }

        // Seeded randomness alone would give two directories the same identity under one seed (tests): the
        // directory's path and the creation time go in too.
        var seed = new byte[16];
        _random.NextBytes(seed);
        var material = System.Text.Encoding.UTF8.GetBytes($"{Convert.ToHexString(seed)}|{_directory}|{_time.GetUtcNow().UtcTicks}");
        var identity = UriScheme + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(material).AsSpan(0, 16));
        var temporary = path + ".tmp";
        using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            file.Write(System.Text.Encoding.ASCII.GetBytes(identity));
            file.Flush(flushToDisk: true);
        }

        File.Move(temporary, path);
        DirectorySync.Fsync(_directory);
        return identity;
    }

    /// <summary>Reads every segment, checking each record; cuts a torn record at the end of the last one.</summary>
    private void Load()
    {
        var files = new List<(ulong FirstId, string Path)>();
        foreach (var file in Directory.EnumerateFiles(_directory))
        {
            if (LocalWalSegment.TryParseName(Path.GetFileName(file), out var firstId))
            {
                files.Add((firstId, file));
            }
        }

        files.Sort((a, b) => a.FirstId.CompareTo(b.FirstId));
        for (var i = 0; i < files.Count; i++)
        {
            var segment = new LocalWalSegment(files[i].FirstId, files[i].Path);
            var bytes = File.ReadAllBytes(segment.Path);
            long offset = 0;
            while (LocalWalRecord.TryParse(bytes, offset) is { } record)
            {
                if (record.WalId <= _lastId && _index.Count > 0)
                {
                    throw new SlateDbException(SlateDbErrorKind.Data, $"Local WAL segment '{segment.Path}' holds WAL id {record.WalId} after id {_lastId}: ids must ascend.");
                }

                _index[record.WalId] = new Entry(segment, offset, record.Length, DateTimeOffset.FromUnixTimeMilliseconds(record.WrittenAtMs));
                _lastId = record.WalId;
                segment.Live++;
                offset = record.PayloadOffset + record.Length;
            }

            var last = i == files.Count - 1;
            if (offset < bytes.Length)
            {
                if (!last || LocalWalRecord.AnyRecordAfter(bytes, offset))
                {
                    throw new SlateDbException(SlateDbErrorKind.Data, $"Local WAL segment '{segment.Path}' is damaged at offset {offset} (a record with a bad checksum before later records).");
                }

                // A torn write: the crash came before its fsync returned, so no writer was told it was durable.
                using var cut = new FileStream(segment.Path, FileMode.Open, FileAccess.Write, FileShare.Read);
                cut.SetLength(offset);
                cut.Flush(flushToDisk: true);
            }

            segment.Length = offset;
            if (segment.Live == 0 && !last)
            {
                File.Delete(segment.Path);
                continue;
            }

            _segments.Add(segment);
        }

        if (_segments.Count > 0)
        {
            var tail = _segments[^1];
            _active = new FileStream(tail.Path, FileMode.Open, FileAccess.Write, FileShare.Read | FileShare.Delete, bufferSize: 0);
            _active.Seek(tail.Length, SeekOrigin.Begin);
        }
    }

    private readonly record struct Entry(LocalWalSegment Segment, long Offset, int Length, DateTimeOffset WrittenAt);
}
