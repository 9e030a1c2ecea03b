using System.Collections.Concurrent;
using System.Globalization;
using SlateDB.Sst;
using SlateDB.Storage;

namespace SlateDB.Caching;

/// <summary>
/// A local disk cache in front of an object store for immutable objects (SlateDB's object-store cache): reads of
/// cacheable objects (compacted SSTs by default) are served from fixed-size parts kept under a folder, so a repeated
/// read costs no request. The cache is bounded by <see cref="ObjectStoreCacheOptions.MaxCacheSizeBytes"/> and evicts
/// the least recently used parts. Other objects and every write, delete and listing go straight to the inner store.
/// </summary>
/// <remarks>
/// Part files are named <c>&lt;object path&gt;_part&lt;size&gt;-&lt;9-digit index&gt;</c> (size as <c>4mb</c>, <c>64kb</c>) with
/// a <c>&lt;object path&gt;_meta</c> file holding the object's size; parts are written to a temporary name and renamed, so a
/// crash never leaves a torn part visible. An overwrite or delete through this store drops the object's parts.
/// <para>As SlateDB, the folder is scanned when the cache is created and then every
/// <see cref="ObjectStoreCacheOptions.ScanInterval"/> (on the given clock): the scan recounts the cache's size from
/// the part files on disk (parts written or deleted by another process sharing the folder, or removed by hand) and
/// evicts down to the bound. Dispose the cache to stop the scans.</para>
/// </remarks>
public sealed partial class DiskCachedObjectStore : IObjectStore, IDisposable
{
    private readonly IObjectStore _inner;
    private readonly string _root;
    private readonly long _partSize;
    private readonly long _maxBytes;
    private readonly bool _cachePuts;
    private readonly bool _cacheOnFlush;
    private readonly bool _cacheOnCompaction;
    private readonly LocalReadHandles? _handles;
    private readonly Func<string, bool> _isCacheable;
    private readonly string _sizeLabel;
    private readonly ConcurrentDictionary<string, PartEntry> _parts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ObjectMetadata> _metadata = new(StringComparer.Ordinal);
    private readonly Lock _evictLock = new();
    private readonly Lock _scanLock = new();
    private readonly ITimer? _scanTimer;
    private long _totalBytes;
    private long _clock;
    private long _hits;
    private long _misses;
    private long _scans;

    /// <summary>Creates the cache over <paramref name="inner"/>.</summary>
    /// <param name="inner">The object store.</param>
    /// <param name="options">The cache settings; <see cref="ObjectStoreCacheOptions.RootFolder"/> must be set.</param>
    /// <param name="isCacheable">Which objects are immutable and cached; default: SSTs under a <c>compacted/</c> folder.</param>
    /// <param name="timeProvider">The clock the periodic folder scans run on; <see cref="TimeProvider.System"/> when null.</param>
    public DiskCachedObjectStore(IObjectStore inner, ObjectStoreCacheOptions options, Func<string, bool>? isCacheable = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrEmpty(options.RootFolder))
        {
            throw new ArgumentException("The disk cache needs a root folder.", nameof(options));
        }

        if (options.PartSizeBytes <= 0 || options.PartSizeBytes % 1024 != 0)
        {
            throw new ArgumentException("The part size must be a positive multiple of 1024 bytes.", nameof(options));
        }

        _inner = inner;
        _root = Path.GetFullPath(options.RootFolder);
        _partSize = options.PartSizeBytes;
        _maxBytes = options.MaxCacheSizeBytes ?? long.MaxValue;
        _cachePuts = options.CachePuts;
        _cacheOnFlush = options.CacheOnFlush;
        _cacheOnCompaction = options.CacheOnCompaction;
        if (options.MaxOpenFileHandles <= 0)
        {
            throw new ArgumentException("The most open file handles must be positive.", nameof(options));
        }

        // Part files are read through kept-open handles (at most MaxOpenFileHandles, least recently used closed
        // first), reading only the bytes a range needs; where files have no cheap identity, whole parts are read.
        _handles = LocalFileApi.HasFileIdentity ? new LocalReadHandles(options.MaxOpenFileHandles) : null;
        _isCacheable = isCacheable ?? IsCompactedSst;
        _sizeLabel = _partSize % (1024 * 1024) == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{_partSize / (1024 * 1024)}mb")
            : string.Create(CultureInfo.InvariantCulture, $"{_partSize / 1024}kb");
        if (options.ScanInterval is { } interval && interval <= TimeSpan.Zero)
        {
            throw new ArgumentException("The scan interval must be positive (or null to scan only at start).", nameof(options));
        }

        Directory.CreateDirectory(_root);
        ScanExistingParts();
        if (options.ScanInterval is { } scanInterval)
        {
            _scanTimer = (timeProvider ?? TimeProvider.System).CreateTimer(static state => ((DiskCachedObjectStore)state!).Rescan(), this, scanInterval, scanInterval);
        }
    }

    /// <summary>Folder scans done since creation, the one at creation included.</summary>
    internal long Scans => Interlocked.Read(ref _scans);

    /// <summary>Part reads served from disk.</summary>
    public long Hits => Interlocked.Read(ref _hits);

    /// <summary>Part reads that went to the inner store.</summary>
    public long Misses => Interlocked.Read(ref _misses);

    /// <summary>Bytes of parts on disk.</summary>
    public long CachedBytes => Interlocked.Read(ref _totalBytes);

    /// <summary>True for the objects cached by default: SSTs under a <c>compacted/</c> folder.</summary>
    public static bool IsCompactedSst(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return path.EndsWith(".sst", StringComparison.Ordinal) && (path.StartsWith("compacted/", StringComparison.Ordinal) || path.Contains("/compacted/", StringComparison.Ordinal));
    }

    /// <inheritdoc/>
    public async ValueTask<ObjectContent?> GetAsync(string path, CancellationToken cancellationToken)
    {
        if (!_isCacheable(path))
        {
            return await _inner.GetAsync(path, cancellationToken).ConfigureAwait(false);
        }

        var metadata = await MetadataAsync(path, cancellationToken).ConfigureAwait(false);
        return metadata is null ? null : await ReadAsync(path, metadata, new ByteRange(0, metadata.Size), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask<ObjectContent?> GetRangeAsync(string path, ByteRange range, CancellationToken cancellationToken)
    {
        if (!_isCacheable(path))
        {
            return await _inner.GetRangeAsync(path, range, cancellationToken).ConfigureAwait(false);
        }

        var metadata = await MetadataAsync(path, cancellationToken).ConfigureAwait(false);
        return metadata is null ? null : await ReadAsync(path, metadata, range, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public ValueTask<ObjectMetadata?> HeadAsync(string path, CancellationToken cancellationToken) => _inner.HeadAsync(path, cancellationToken);

    /// <inheritdoc/>
    public ValueTask<PutResult> PutAsync(string path, ReadOnlyMemory<byte> data, PutMode mode, CancellationToken cancellationToken) =>
        PutAsync(path, data, mode, _cachePuts, cancellationToken);

    /// <summary>
    /// Writes an SST the database built (SlateDB's tagged PUT): it is cached when <see cref="ObjectStoreCacheOptions.CachePuts"/>
    /// is on, or when <paramref name="source"/> is a flush and <see cref="ObjectStoreCacheOptions.CacheOnFlush"/> is on, or a
    /// compaction and <see cref="ObjectStoreCacheOptions.CacheOnCompaction"/> is on.
    /// </summary>
    internal ValueTask<PutResult> PutSstAsync(string path, ReadOnlyMemory<byte> data, PutMode mode, SstWriteSource source, CancellationToken cancellationToken) =>
        PutAsync(path, data, mode, _cachePuts || (source == SstWriteSource.Flush ? _cacheOnFlush : _cacheOnCompaction), cancellationToken);

    private async ValueTask<PutResult> PutAsync(string path, ReadOnlyMemory<byte> data, PutMode mode, bool admit, CancellationToken cancellationToken)
    {
        var result = await _inner.PutAsync(path, data, mode, cancellationToken).ConfigureAwait(false);
        if (result.IsWritten && _isCacheable(path))
        {
            Drop(path);
            if (admit)
            {
                for (long index = 0; index * _partSize < data.Length; index++)
                {
                    var start = (int)(index * _partSize);
                    await StorePartAsync(path, index, data.Slice(start, (int)Math.Min(_partSize, data.Length - start)), cancellationToken).ConfigureAwait(false);
                }
            }
        }

        return result;
    }

    /// <inheritdoc/>
    public async ValueTask DeleteAsync(string path, CancellationToken cancellationToken)
    {
        await _inner.DeleteAsync(path, cancellationToken).ConfigureAwait(false);
        if (_isCacheable(path))
        {
            Drop(path);
        }
    }

    /// <inheritdoc/>
    public IAsyncEnumerable<ObjectMetadata> ListAsync(string prefix, CancellationToken cancellationToken) => _inner.ListAsync(prefix, cancellationToken);

    /// <summary>Loads every part of the given objects into the cache (SlateDB's preload on open).</summary>
    public async Task PreloadAsync(IEnumerable<string> paths, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(paths);
        foreach (var path in paths)
        {
            if (Interlocked.Read(ref _totalBytes) >= _maxBytes)
            {
                return;
            }

            if (_isCacheable(path) && await MetadataAsync(path, cancellationToken).ConfigureAwait(false) is { } metadata)
            {
                for (long index = 0; index * _partSize < metadata.Size; index++)
                {
                    if (!_parts.ContainsKey(PartFile(path, index)))
                    {
                        await FetchPartAsync(path, index, cancellationToken).ConfigureAwait(false);
                    }
                }
            }
        }
    }

    private async ValueTask<ObjectContent> ReadAsync(string path, ObjectMetadata metadata, ByteRange range, CancellationToken cancellationToken)
    {
        var result = new byte[range.ClipTo(metadata.Size).Length];
        await ReadAsync(path, metadata, range, result, cancellationToken).ConfigureAwait(false);
        return new ObjectContent(result, metadata);
    }

    /// <summary>
    /// Reads <paramref name="range"/> of a cacheable object (clipped to its size) into the start of
    /// <paramref name="result"/>, part by part: from the cached part files, fetching and caching the parts missing.
    /// Returns the bytes read.
    /// </summary>
    private async ValueTask<int> ReadAsync(string path, ObjectMetadata metadata, ByteRange range, Memory<byte> result, CancellationToken cancellationToken)
    {
        var clipped = range.ClipTo(metadata.Size);
        var (start, end) = (clipped.Offset, clipped.End);
        for (var position = start; position < end;)
        {
            var index = position / _partSize;
            var offsetInPart = (int)(position - (index * _partSize));
            var wanted = (int)Math.Min(_partSize - offsetInPart, end - position);
            var target = result.Slice((int)(position - start), wanted);
            if (!TryReadCachedPart(path, index, offsetInPart, target.Span))
            {
                var part = await FetchPartAsync(path, index, cancellationToken).ConfigureAwait(false);
                var count = (int)Math.Min(part.Length - offsetInPart, wanted);
                if (count < wanted)
                {
                    throw new SlateDbException(SlateDbErrorKind.Data, $"The cached object '{path}' is shorter than its recorded size {metadata.Size}.");
                }

                part.Span.Slice(offsetInPart, count).CopyTo(target.Span);
            }

            position += wanted;
        }

        return (int)(end - start);
    }

    /// <summary>
    /// Reads <paramref name="target"/>'s length of bytes from offset <paramref name="offsetInPart"/> of a cached part;
    /// false when the part is not cached (or was evicted or damaged meanwhile: it is forgotten, to be fetched again).
    /// </summary>
    private bool TryReadCachedPart(string path, long index, int offsetInPart, Span<byte> target)
    {
        var file = PartFile(path, index);
        if (!_parts.TryGetValue(file, out var entry))
        {
            return false;
        }

        try
        {
            if (offsetInPart + target.Length <= entry.Size && ReadPartFile(file, entry.Size, offsetInPart, target))
            {
                entry.LastAccess = Interlocked.Increment(ref _clock);
                Interlocked.Increment(ref _hits);
                return true;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Evicted or damaged meanwhile: fetch it again.
        }

        Forget(file);
        return false;
    }

    /// <summary>Reads bytes of a part file whose length must be <paramref name="size"/>, through a kept-open handle where there are handles.</summary>
    private bool ReadPartFile(string file, long size, int offset, Span<byte> target)
    {
        if (_handles is null)
        {
            var bytes = File.ReadAllBytes(file);
            if (bytes.Length != size)
            {
                return false;
            }

            bytes.AsSpan(offset, target.Length).CopyTo(target);
            return true;
        }

        if (_handles.Acquire(file) is not { } lease)
        {
            return false;
        }

        using (lease)
        {
            if (lease.Stamp.Size != size)
            {
                return false;
            }

            var filled = 0;
            while (filled < target.Length)
            {
                var read = RandomAccess.Read(lease.Handle, target[filled..], offset + filled);
                if (read <= 0)
                {
                    return false;
                }

                filled += read;
            }

            return true;
        }
    }

    /// <summary>Part files held open now (at most <see cref="ObjectStoreCacheOptions.MaxOpenFileHandles"/>); 0 where parts are read whole.</summary>
    internal int OpenFileHandles => _handles?.Count ?? 0;

    private async ValueTask<ReadOnlyMemory<byte>> FetchPartAsync(string path, long index, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _misses);
        var content = await _inner.GetRangeAsync(path, new ByteRange(index * _partSize, _partSize), cancellationToken).ConfigureAwait(false)
            ?? throw new SlateDbException(SlateDbErrorKind.Data, $"The object '{path}' disappeared while being cached.");
        await StorePartAsync(path, index, content.Data, cancellationToken).ConfigureAwait(false);
        return content.Data;
    }

    private async ValueTask StorePartAsync(string path, long index, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        var file = PartFile(path, index);
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        var temp = file + ".tmp" + Environment.CurrentManagedThreadId.ToString(CultureInfo.InvariantCulture);
        try
        {
            await File.WriteAllBytesAsync(temp, data.ToArray(), cancellationToken).ConfigureAwait(false);
            File.Move(temp, file, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(temp);
            return;
        }

        if (_parts.TryAdd(file, new PartEntry(data.Length) { LastAccess = Interlocked.Increment(ref _clock) }))
        {
            Interlocked.Add(ref _totalBytes, data.Length);
        }

        EvictIfNeeded();
    }

    private async ValueTask<ObjectMetadata?> MetadataAsync(string path, CancellationToken cancellationToken)
    {
        if (_metadata.TryGetValue(path, out var cached))
        {
            return cached;
        }

        var metaFile = LocalPath(path) + "_meta";
        if (File.Exists(metaFile))
        {
            var text = await File.ReadAllTextAsync(metaFile, cancellationToken).ConfigureAwait(false);
            var parts = text.Split('\n');
            if (parts.Length >= 2 && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var size)
                && long.TryParse(parts[1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var modified))
            {
                var restored = new ObjectMetadata(path, size, DateTimeOffset.FromUnixTimeMilliseconds(modified), parts.Length > 2 && parts[2].Length > 0 ? parts[2] : null);
                return _metadata.GetOrAdd(path, restored);
            }
        }

        var metadata = await _inner.HeadAsync(path, cancellationToken).ConfigureAwait(false);
        if (metadata is null)
        {
            return null;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(metaFile)!);
        var body = string.Create(CultureInfo.InvariantCulture, $"{metadata.Size}\n{metadata.LastModified.ToUnixTimeMilliseconds()}\n{metadata.Version}");
        var temp = metaFile + ".tmp" + Environment.CurrentManagedThreadId.ToString(CultureInfo.InvariantCulture);
        await File.WriteAllTextAsync(temp, body, cancellationToken).ConfigureAwait(false);
        File.Move(temp, metaFile, overwrite: true);
        return _metadata.GetOrAdd(path, metadata);
    }

    private void EvictIfNeeded()
    {
        if (Interlocked.Read(ref _totalBytes) <= _maxBytes)
        {
            return;
        }

        lock (_evictLock)
        {
            var target = _maxBytes - (_maxBytes / 10);
            foreach (var (file, _) in _parts.OrderBy(pair => pair.Value.LastAccess).ToList())
            {
                if (Interlocked.Read(ref _totalBytes) <= target)
                {
                    break;
                }

                Forget(file);
                TryDelete(file);
            }
        }
    }

    private void Drop(string path)
    {
        _metadata.TryRemove(path, out _);
        var prefix = LocalPath(path) + "_part";
        foreach (var file in _parts.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).ToList())
        {
            Forget(file);
            TryDelete(file);
        }

        TryDelete(LocalPath(path) + "_meta");
    }

    private void Forget(string file)
    {
        _handles?.Forget(file);
        if (_parts.TryRemove(file, out var entry))
        {
            Interlocked.Add(ref _totalBytes, -entry.Size);
        }
    }

    private void ScanExistingParts() => AddPartFiles(deleteTemporaryFiles: true);

    /// <summary>Counts the part files on disk not counted yet, then evicts down to the bound.</summary>
    private void AddPartFiles(bool deleteTemporaryFiles)
    {
        Interlocked.Increment(ref _scans);
        foreach (var file in Directory.EnumerateFiles(_root, "*", SearchOption.AllDirectories))
        {
            if (file.Contains(".tmp", StringComparison.Ordinal))
            {
                if (deleteTemporaryFiles)
                {
                    TryDelete(file);
                }

                continue;
            }

            if (file.Contains("_part" + _sizeLabel + "-", StringComparison.Ordinal) && !_parts.ContainsKey(file))
            {
                var info = new FileInfo(file);
                if (!info.Exists)
                {
                    continue;
                }

                var size = info.Length;
                if (_parts.TryAdd(file, new PartEntry(size) { LastAccess = Interlocked.Increment(ref _clock) }))
                {
                    Interlocked.Add(ref _totalBytes, size);
                }
            }
        }

        EvictIfNeeded();
    }

    /// <summary>Stops the periodic folder scans; the cached parts stay on disk for the next start.</summary>
    public void Dispose() => _scanTimer?.Dispose();

    /// <summary>
    /// A periodic scan: parts on disk not yet counted are added, counted parts no longer on disk are dropped, then the
    /// cache is evicted down to its bound. Temporary files are left alone (a write may be under way). Scans never overlap.
    /// </summary>
    internal void Rescan()
    {
        if (!_scanLock.TryEnter())
        {
            return;
        }

        try
        {
            foreach (var file in _parts.Keys)
            {
                if (!File.Exists(file))
                {
                    Forget(file);
                }
            }

            AddPartFiles(deleteTemporaryFiles: false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: the folder changed under the scan; the next one counts again.
        }
        finally
        {
            _scanLock.Exit();
        }
    }

    private string LocalPath(string path) => Path.Combine(_root, path.Replace('/', Path.DirectorySeparatorChar));

    private string PartFile(string path, long index) =>
        string.Create(CultureInfo.InvariantCulture, $"{LocalPath(path)}_part{_sizeLabel}-{index:D9}");

    private static void TryDelete(string file)
    {
        try
        {
            File.Delete(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: a leftover file is found and reused or deleted at the next scan.
        }
    }

    private sealed class PartEntry(long size)
    {
        public long Size { get; } = size;

        public long LastAccess { get; set; }
    }
}
