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
/// <remarks>
/// Keys compare by path (ordinal), offset and kind. The path's hash is computed once, when the path is set, and kept
/// in the key: a cache probe does not hash the path again, and a key made from another with <c>with { Offset = … }</c>
/// keeps it (the engine makes each SST's keys so, hashing its path once per SST).
/// </remarks>
public readonly record struct BlockCacheKey(string ObjectPath, long Offset, BlockCacheEntryKind Kind)
{
    private readonly string _objectPath = ObjectPath;
    private readonly int _pathHash = PathHash(ObjectPath);

    /// <summary>The SST's path.</summary>
    public string ObjectPath
    {
        get => _objectPath;
        init
        {
            _objectPath = value;
            _pathHash = PathHash(value);
        }
    }

    /// <summary>The hash of a path as keys keep it (ordinal; 0 for null).</summary>
    private static int PathHash(string? path) => path is null ? 0 : StringComparer.Ordinal.GetHashCode(path);

    /// <summary>Prints the members in the positional order (the path first), as the record printed them.</summary>
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append("ObjectPath = ").Append(_objectPath).Append(", Offset = ").Append(Offset).Append(", Kind = ").Append(Kind);
        return true;
    }

    /// <inheritdoc/>
    public bool Equals(BlockCacheKey other) =>
        _pathHash == other._pathHash
        && Offset == other.Offset
        && Kind == other.Kind
        && string.Equals(_objectPath, other._objectPath, StringComparison.Ordinal);

    /// <inheritdoc/>
    public override int GetHashCode() =>
        _pathHash ^ (int)Kind ^ (int)((ulong)Offset * 0x9E3779B97F4A7C15UL >> 32);
}

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
