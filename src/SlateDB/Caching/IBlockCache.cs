using System.Diagnostics.CodeAnalysis;

namespace SlateDB.Caching;

/// <summary>What a block-cache entry holds.</summary>
public enum BlockCacheEntryKind
{
    /// <summary>A decoded data block.</summary>
    DataBlock,

    /// <summary>An SST's decoded metadata: info, index and bloom filter.</summary>
    Metadata,
}

/// <summary>Names a cache entry: the SST's object path and the entry's offset in it.</summary>
/// <param name="ObjectPath">The SST's path.</param>
/// <param name="Offset">The block's offset (0 for metadata).</param>
/// <param name="Kind">Data block or metadata.</param>
public readonly record struct BlockCacheKey(string ObjectPath, long Offset, BlockCacheEntryKind Kind);

/// <summary>
/// The in-memory cache of decoded SST blocks and metadata. Values are opaque to the cache: store and return them as
/// given. Implementations must be thread-safe and bound their memory by the sizes passed to <see cref="Set"/>.
/// </summary>
public interface IBlockCache
{
    /// <summary>Looks an entry up.</summary>
    bool TryGet(BlockCacheKey key, [NotNullWhen(true)] out object? value);

    /// <summary>Adds or replaces an entry of about <paramref name="sizeBytes"/> bytes.</summary>
    void Set(BlockCacheKey key, object value, long sizeBytes);

    /// <summary>Drops an entry (for example when its SST was deleted).</summary>
    void Remove(BlockCacheKey key);
}
