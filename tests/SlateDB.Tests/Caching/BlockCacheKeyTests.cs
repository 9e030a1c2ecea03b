using SlateDB.Caching;

namespace SlateDB.Tests.Caching;

/// <summary>
/// <see cref="BlockCacheKey"/> keeps its path's hash: keys still compare exactly (path ordinal, offset, kind), equal
/// keys hash alike however they were made, and a key made with <c>with</c> is the key made afresh.
/// </summary>
public sealed class BlockCacheKeyTests
{
    private const string Path = "db/compacted/01M95VGZ40XXS0PH0GG0XJPT05.sst";

    /// <summary>A copy of <paramref name="text"/> that is not the same string instance.</summary>
    private static string Copy(string text) => new(text.AsSpan());

    [Fact]
    public void Equal_keys_made_from_different_string_instances_are_equal_and_hash_alike()
    {
        var a = new BlockCacheKey(Path, 4096, BlockCacheEntryKind.DataBlock);
        var b = new BlockCacheKey(Copy(Path), 4096, BlockCacheEntryKind.DataBlock);

        ReferenceEquals(a.ObjectPath, b.ObjectPath).Should().BeFalse();
        a.Equals(b).Should().BeTrue();
        (a == b).Should().BeTrue();
        a.Equals((object)b).Should().BeTrue();
        a.GetHashCode().Should().Be(b.GetHashCode());
    }

    [Fact]
    public void Keys_that_differ_in_path_offset_or_kind_are_unequal()
    {
        var key = new BlockCacheKey(Path, 4096, BlockCacheEntryKind.DataBlock);

        key.Should().NotBe(new BlockCacheKey(Path.Replace("05.sst", "06.sst", StringComparison.Ordinal), 4096, BlockCacheEntryKind.DataBlock));
        key.Should().NotBe(new BlockCacheKey(Path.ToUpperInvariant(), 4096, BlockCacheEntryKind.DataBlock), "paths compare ordinally");
        key.Should().NotBe(new BlockCacheKey(Path, 4097, BlockCacheEntryKind.DataBlock));
        key.Should().NotBe(new BlockCacheKey(Path, 4096, BlockCacheEntryKind.Metadata));
        (key != new BlockCacheKey(Path, 0, BlockCacheEntryKind.DataBlock)).Should().BeTrue();
    }

    [Fact]
    public void A_key_made_with_with_equals_the_key_made_afresh()
    {
        var first = new BlockCacheKey(Path, 0, BlockCacheEntryKind.DataBlock);

        var moved = first with { Offset = 8192 };
        moved.Should().Be(new BlockCacheKey(Copy(Path), 8192, BlockCacheEntryKind.DataBlock));
        moved.GetHashCode().Should().Be(new BlockCacheKey(Copy(Path), 8192, BlockCacheEntryKind.DataBlock).GetHashCode());

        var renamed = first with { ObjectPath = "db/wal/00000000000000000007.sst" };
        renamed.Should().Be(new BlockCacheKey("db/wal/00000000000000000007.sst", 0, BlockCacheEntryKind.DataBlock));
        renamed.GetHashCode().Should().Be(new BlockCacheKey("db/wal/00000000000000000007.sst", 0, BlockCacheEntryKind.DataBlock).GetHashCode(), "setting the path hashes the new path");
        renamed.Should().NotBe(first);
    }

    [Fact]
    public void The_record_shape_is_kept()
    {
        var key = new BlockCacheKey(Path, 12, BlockCacheEntryKind.Metadata);

        var (path, offset, kind) = key;
        path.Should().Be(Path);
        offset.Should().Be(12);
        kind.Should().Be(BlockCacheEntryKind.Metadata);
        key.ToString().Should().Be($"BlockCacheKey {{ ObjectPath = {Path}, Offset = 12, Kind = Metadata }}");
        default(BlockCacheKey).Should().Be(default(BlockCacheKey));
        default(BlockCacheKey).GetHashCode().Should().Be(default(BlockCacheKey).GetHashCode());
        default(BlockCacheKey).Should().NotBe(new BlockCacheKey(string.Empty, 0, BlockCacheEntryKind.DataBlock));
    }

    [Fact]
    public void A_cache_finds_an_entry_by_an_equal_key_made_elsewhere()
    {
        using var cache = new MemoryBlockCache();
        var stored = new object();
        cache.Set(new BlockCacheKey(Path, 0, BlockCacheEntryKind.DataBlock) with { Offset = 4096 }, stored, 100);

        cache.TryGet(new BlockCacheKey(Copy(Path), 4096, BlockCacheEntryKind.DataBlock), out var found).Should().BeTrue();
        found.Should().BeSameAs(stored);
        cache.TryGet(new BlockCacheKey(Path, 4096, BlockCacheEntryKind.Metadata), out _).Should().BeFalse();
        cache.TryGet(new BlockCacheKey(Path, 0, BlockCacheEntryKind.DataBlock), out _).Should().BeFalse();
    }
}
