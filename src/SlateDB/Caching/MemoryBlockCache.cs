using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace SlateDB.Caching;

/// <summary>
/// The default block cache: two byte-bounded caches with CLOCK (second-chance) eviction, one for data blocks and one
/// for metadata, sized as SlateDB's defaults (512 MiB and 128 MiB). Lookups take no lock. Counts hits and misses.
/// </summary>
public sealed class MemoryBlockCache : IBlockCache, IDisposable
{
    /// <summary>SlateDB's default data-block budget: 512 MiB.</summary>
    public const long DefaultDataCapacityBytes = 512L * 1024 * 1024;

    /// <summary>SlateDB's default metadata budget: 128 MiB.</summary>
    public const long DefaultMetadataCapacityBytes = 128L * 1024 * 1024;

    private readonly ClockCache<BlockCacheKey> _data;
    private readonly ClockCache<BlockCacheKey> _metadata;
    private readonly MissAdmission _admission;
    private long _hits;
    private long _misses;

    /// <summary>Creates a cache with the given budgets in bytes.</summary>
    public MemoryBlockCache(long dataCapacityBytes = DefaultDataCapacityBytes, long metadataCapacityBytes = DefaultMetadataCapacityBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dataCapacityBytes);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(metadataCapacityBytes);
        _data = new ClockCache<BlockCacheKey>(dataCapacityBytes);
        _metadata = new ClockCache<BlockCacheKey>(metadataCapacityBytes);
        _admission = new MissAdmission(dataCapacityBytes);
    }

    /// <summary>The most bytes of data blocks held.</summary>
    public long DataCapacityBytes => _data.CapacityBytes;

    /// <summary>The most bytes of metadata held.</summary>
    public long MetadataCapacityBytes => _metadata.CapacityBytes;

    /// <summary>Lookups that found their entry.</summary>
    public long Hits => Interlocked.Read(ref _hits);

    /// <summary>Lookups that did not.</summary>
    public long Misses => Interlocked.Read(ref _misses);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool TryGet(BlockCacheKey key, [NotNullWhen(true)] out object? value)
    {
        if (CacheFor(key).TryGet(key, out value))
        {
            Interlocked.Increment(ref _hits);
            return true;
        }

        Interlocked.Increment(ref _misses);
        value = null;
        return false;
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Set(BlockCacheKey key, object value, long sizeBytes)
    {
        ArgumentNullException.ThrowIfNull(value);
        CacheFor(key).Set(key, value, sizeBytes);
    }

    /// <summary>
    /// As <see cref="Set"/>, for a block decoded in place over a buffer other cached blocks share: the cache charges
    /// its bytes until the last block of <paramref name="slab"/> leaves (see <see cref="CacheSlab"/>).
    /// </summary>
    internal void SetSharing(BlockCacheKey key, object value, long sizeBytes, CacheSlab slab)
    {
        ArgumentNullException.ThrowIfNull(value);
        CacheFor(key).Set(key, value, sizeBytes, slab);
    }

    /// <summary>
    /// Whether a point read that missed the data block <paramref name="key"/> puts it into the cache: always while the
    /// data blocks fill less than 15/16 of their capacity; past that, at the block's second miss
    /// (<see cref="MissAdmission"/>). Blocks read otherwise (scans, warming, flushes) are not asked about.
    /// </summary>
    internal bool AdmitsMiss(BlockCacheKey key) =>
        _data.SizeBytes < _data.CapacityBytes - (_data.CapacityBytes / 16) || _admission.SecondMiss(key.GetHashCode());

    /// <inheritdoc/>
    public void Remove(BlockCacheKey key) => CacheFor(key).Remove(key);

    /// <inheritdoc/>
    public void Dispose()
    {
        _data.Clear();
        _metadata.Clear();
    }

    /// <summary>The bytes of data blocks held.</summary>
    public long DataSizeBytes => _data.SizeBytes;

    /// <summary>The bytes of metadata held.</summary>
    public long MetadataSizeBytes => _metadata.SizeBytes;

    private ClockCache<BlockCacheKey> CacheFor(BlockCacheKey key) => key.Kind == BlockCacheEntryKind.DataBlock ? _data : _metadata;
}
