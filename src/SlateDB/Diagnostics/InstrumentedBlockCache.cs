using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using SlateDB.Caching;

namespace SlateDB.Diagnostics;

/// <summary>
/// Counts one database's block-cache hits and misses (<c>slatedb.cache.hits</c>, <c>slatedb.cache.misses</c>, tagged
/// <c>kind</c> and <c>db</c>) in front of a cache that may be shared by several databases.
/// </summary>
internal sealed class InstrumentedBlockCache(IBlockCache inner, SlateDbMetrics metrics) : IBlockCache
{
    private static readonly TagList s_data = new() { { "kind", "data_block" } };
    private static readonly TagList s_metadata = new() { { "kind", "metadata" } };

    public IBlockCache Inner => inner;

    /// <summary>The <see cref="MemoryBlockCache"/> behind <paramref name="cache"/> (unwrapping the instrumentation), or null.</summary>
    public static MemoryBlockCache? MemoryCacheOf(IBlockCache? cache) => cache switch
    {
        InstrumentedBlockCache instrumented => MemoryCacheOf(instrumented.Inner),
        MemoryBlockCache memory => memory,
        _ => null,
    };

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool TryGet(BlockCacheKey key, [NotNullWhen(true)] out object? value)
    {
        var hit = inner.TryGet(key, out value);
        var counter = hit ? metrics.CacheHits : metrics.CacheMisses;
        if (counter.Enabled)
        {
            counter.Add(1, key.Kind == BlockCacheEntryKind.DataBlock ? s_data : s_metadata);
        }

        return hit;
    }

    public void Set(BlockCacheKey key, object value, long sizeBytes) => inner.Set(key, value, sizeBytes);

    public void Remove(BlockCacheKey key) => inner.Remove(key);
}
