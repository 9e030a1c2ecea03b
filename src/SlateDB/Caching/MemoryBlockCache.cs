using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Caching.Memory;

namespace SlateDB.Caching;

/// <summary>
/// The default block cache: two byte-bounded LRU-like caches (Microsoft.Extensions.Caching.Memory), one for data
/// blocks and one for metadata, sized as SlateDB's defaults (512 MiB and 128 MiB). Counts hits and misses.
/// </summary>
public sealed class MemoryBlockCache : IBlockCache, IDisposable
{
    /// <summary>SlateDB's default data-block budget: 512 MiB.</summary>
    public const long DefaultDataCapacityBytes = 512L * 1024 * 1024;

    /// <summary>SlateDB's default metadata budget: 128 MiB.</summary>
    public const long DefaultMetadataCapacityBytes = 128L * 1024 * 1024;

    private readonly MemoryCache _data;
    private readonly MemoryCache _metadata;
    private long _hits;
    private long _misses;

    /// <summary>Creates a cache with the given budgets in bytes.</summary>
    public MemoryBlockCache(long dataCapacityBytes = DefaultDataCapacityBytes, long metadataCapacityBytes = DefaultMetadataCapacityBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dataCapacityBytes);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(metadataCapacityBytes);
        _data = new MemoryCache(new MemoryCacheOptions { SizeLimit = dataCapacityBytes, CompactionPercentage = 0.10 });
        _metadata = new MemoryCache(new MemoryCacheOptions { SizeLimit = metadataCapacityBytes, CompactionPercentage = 0.10 });
    }

    /// <summary>Lookups that found their entry.</summary>
    public long Hits => Interlocked.Read(ref _hits);

    /// <summary>Lookups that did not.</summary>
    public long Misses => Interlocked.Read(ref _misses);

    /// <inheritdoc/>
    public bool TryGet(BlockCacheKey key, [NotNullWhen(true)] out object? value)
    {
        if (CacheFor(key).TryGetValue(key, out value) && value is not null)
        {
            Interlocked.Increment(ref _hits);
            return true;
        }

        Interlocked.Increment(ref _misses);
        value = null;
        return false;
    }

    /// <inheritdoc/>
    public void Set(BlockCacheKey key, object value, long sizeBytes)
    {
        ArgumentNullException.ThrowIfNull(value);
        using var entry = CacheFor(key).CreateEntry(key);
        entry.Value = value;
        entry.Size = Math.Max(1, sizeBytes);
    }

    /// <inheritdoc/>
    public void Remove(BlockCacheKey key) => CacheFor(key).Remove(key);

    /// <inheritdoc/>
    public void Dispose()
    {
        _data.Dispose();
        _metadata.Dispose();
    }

    private MemoryCache CacheFor(BlockCacheKey key) => key.Kind == BlockCacheEntryKind.DataBlock ? _data : _metadata;
}
