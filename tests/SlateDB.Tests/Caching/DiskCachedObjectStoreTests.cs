using SlateDB.Caching;
using SlateDB.Storage;

namespace SlateDB.Tests.Caching;

public sealed class DiskCachedObjectStoreTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "slatedb-diskcache-" + Path.GetRandomFileName());
    private readonly InMemoryObjectStore _memory = new();
    private readonly InstrumentedObjectStore _counted;

    public DiskCachedObjectStoreTests() => _counted = new InstrumentedObjectStore(_memory);

    public void Dispose()
    {
        _counted.Dispose();
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private DiskCachedObjectStore Cache(long maxBytes = 1 << 30, bool cachePuts = false) =>
        new(_counted, new ObjectStoreCacheOptions { RootFolder = _folder, PartSizeBytes = 1024, MaxCacheSizeBytes = maxBytes, CachePuts = cachePuts });

    private static byte[] Bytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    [Fact]
    public async Task Repeated_range_reads_cost_no_request()
    {
        var data = Bytes(10_000, 1);
        await _memory.PutAsync("db/compacted/A.sst", data, PutMode.Overwrite, default);
        var cache = Cache();

        var first = await cache.GetRangeAsync("db/compacted/A.sst", new ByteRange(1000, 3000), default);
        first!.Data.ToArray().Should().Equal(data.AsSpan(1000, 3000).ToArray());
        first.Metadata.Size.Should().Be(10_000);
        var requestsAfterFirst = _counted.Stats.Requests;
        requestsAfterFirst.Should().BeGreaterThan(0);

        var second = await cache.GetRangeAsync("db/compacted/A.sst", new ByteRange(1500, 2000), default);
        second!.Data.ToArray().Should().Equal(data.AsSpan(1500, 2000).ToArray());
        _counted.Stats.Requests.Should().Be(requestsAfterFirst, "every part of the second range is on disk");
        cache.Hits.Should().BeGreaterThan(0);

        var whole = await cache.GetAsync("db/compacted/A.sst", default);
        whole!.Data.ToArray().Should().Equal(data);
        var pastEnd = await cache.GetRangeAsync("db/compacted/A.sst", new ByteRange(9_900, 500), default);
        pastEnd!.Data.Length.Should().Be(100);
    }

    [Fact]
    public async Task Reads_into_a_buffer_take_cached_parts_from_disk_and_fetch_the_rest()
    {
        var data = Bytes(10_000, 11);
        await _memory.PutAsync("db/compacted/A.sst", data, PutMode.Overwrite, default);
        IRangeReadInto cache = Cache();
        cache.CanReadInto.Should().BeTrue();
        var destination = new byte[4_000];
        destination.AsSpan().Fill(0xEE);

        (await cache.ReadRangeIntoAsync("db/compacted/A.sst", new ByteRange(1_000, 3_000), destination, default)).Should().Be(3_000);
        destination.AsSpan(0, 3_000).SequenceEqual(data.AsSpan(1_000, 3_000)).Should().BeTrue();
        destination.AsSpan(3_000).ContainsAnyExcept((byte)0xEE).Should().BeFalse("nothing past the range is written");
        var requests = _counted.Stats.Requests;

        (await cache.ReadRangeIntoAsync("db/compacted/A.sst", new ByteRange(1_500, 2_000), destination, default)).Should().Be(2_000);
        destination.AsSpan(0, 2_000).SequenceEqual(data.AsSpan(1_500, 2_000)).Should().BeTrue();
        _counted.Stats.Requests.Should().Be(requests, "every part of the second range is on disk");
        (await cache.ReadRangeIntoAsync("db/compacted/A.sst", new ByteRange(9_900, 500), destination, default)).Should().Be(100);
        destination.AsSpan(0, 100).SequenceEqual(data.AsSpan(9_900, 100)).Should().BeTrue();
        (await cache.ReadRangeIntoAsync("db/compacted/A.sst", new ByteRange(20_000, 10), destination, default)).Should().Be(0);
        (await cache.ReadRangeIntoAsync("db/compacted/Missing.sst", new ByteRange(0, 10), destination, default)).Should().Be(-1);
        await FluentActions.Awaiting(() => cache.ReadRangeIntoAsync("db/compacted/A.sst", new ByteRange(0, 5_000), destination, default).AsTask())
            .Should().ThrowAsync<ArgumentException>().WithParameterName("destination");
    }

    [Fact]
    public async Task Reads_into_a_buffer_of_objects_not_cached_go_to_the_store_beneath()
    {
        var local = Path.Combine(_folder, "store");
        var store = new LocalFileSystemObjectStore(local);
        await store.PutAsync("db/manifest/00000000000000000001.manifest", new byte[] { 1, 2, 3, 4 }, PutMode.Create, default);
        await _memory.PutAsync("db/manifest/00000000000000000001.manifest", new byte[] { 5, 6, 7 }, PutMode.Create, default);
        var options = new ObjectStoreCacheOptions { RootFolder = Path.Combine(_folder, "cache"), PartSizeBytes = 1024 };
        IRangeReadInto overLocal = new DiskCachedObjectStore(store, options);
        var overMemory = Cache();
        var destination = new byte[4];

        (await overLocal.ReadRangeIntoAsync("db/manifest/00000000000000000001.manifest", new ByteRange(1, 3), destination, default)).Should().Be(3);
        destination[..3].Should().Equal(2, 3, 4);
        (await overLocal.ReadRangeIntoAsync("db/manifest/00000000000000000002.manifest", new ByteRange(0, 3), destination, default)).Should().Be(-1);
        (await ((IRangeReadInto)overMemory).ReadRangeIntoAsync("db/manifest/00000000000000000001.manifest", new ByteRange(0, 4), destination, default)).Should().Be(3);
        destination[..3].Should().Equal(5, 6, 7);
        overMemory.CachedBytes.Should().Be(0, "manifests are not cached");
    }

    [Fact]
    public async Task Parts_survive_a_restart_of_the_cache()
    {
        var data = Bytes(5_000, 2);
        await _memory.PutAsync("compacted/B.sst", data, PutMode.Overwrite, default);
        (await Cache().GetAsync("compacted/B.sst", default))!.Data.ToArray().Should().Equal(data);
        var requests = _counted.Stats.Requests;

        var restarted = Cache();
        (await restarted.GetAsync("compacted/B.sst", default))!.Data.ToArray().Should().Equal(data);
        _counted.Stats.Requests.Should().Be(requests);
        restarted.CachedBytes.Should().Be(5_000);
    }

    [Fact]
    public async Task The_cache_stays_within_its_bound()
    {
        var cache = Cache(maxBytes: 8 * 1024);
        for (var i = 0; i < 10; i++)
        {
            await _memory.PutAsync($"compacted/S{i}.sst", Bytes(4096, i), PutMode.Overwrite, default);
            (await cache.GetAsync($"compacted/S{i}.sst", default))!.Data.Length.Should().Be(4096);
            cache.CachedBytes.Should().BeLessThanOrEqualTo(8 * 1024);
        }

        (await cache.GetAsync("compacted/S0.sst", default))!.Data.ToArray().Should().Equal(Bytes(4096, 0), "an evicted part is fetched again");
    }

    [Fact]
    public async Task Puts_are_cached_when_asked_and_deletes_drop_parts()
    {
        var cache = Cache(cachePuts: true);
        var data = Bytes(3000, 3);
        await cache.PutAsync("compacted/C.sst", data, PutMode.Overwrite, default);
        cache.CachedBytes.Should().Be(3000);
        _counted.ResetStats();
        (await cache.GetRangeAsync("compacted/C.sst", new ByteRange(0, 3000), default))!.Data.ToArray().Should().Equal(data);
        _counted.Stats.Gets.Should().Be(0);
        _counted.Stats.RangeGets.Should().Be(0);

        await cache.DeleteAsync("compacted/C.sst", default);
        cache.CachedBytes.Should().Be(0);
        (await cache.GetAsync("compacted/C.sst", default)).Should().BeNull();
    }

    [Fact]
    public async Task Other_objects_pass_through_uncached()
    {
        var cache = Cache();
        await cache.PutAsync("db/manifest/00000000000000000001.manifest", new byte[] { 1, 2, 3 }, PutMode.Create, default);
        (await cache.GetAsync("db/manifest/00000000000000000001.manifest", default))!.Data.ToArray().Should().Equal(1, 2, 3);
        (await cache.GetAsync("db/manifest/00000000000000000001.manifest", default))!.Data.ToArray().Should().Equal(1, 2, 3);
        _counted.Stats.Gets.Should().Be(2);
        cache.CachedBytes.Should().Be(0);
    }

    [Fact]
    public async Task The_engine_reads_SSTs_through_the_disk_cache()
    {
        var options = SlateDbOptions.Default with
        {
            FlushInterval = null,
            CompactorOptions = null,
            GarbageCollectorOptions = null,
            ObjectStoreCacheOptions = new ObjectStoreCacheOptions { RootFolder = _folder, PartSizeBytes = 4096 },
        };
        await using (var db = await SlateDb.Builder("db", _counted).WithOptions(options).WithBlockCacheDisabled().OpenAsync())
        {
            for (var i = 0; i < 2000; i++)
            {
                await db.PutAsync($"key{i:D5}", $"value{i}");
            }

            await db.FlushAsync(new FlushOptions { FlushType = FlushType.MemTable });
            (await db.GetAsync("key00042")).Should().Be("value42");
            _counted.ResetStats();
            (await db.GetAsync("key00042")).Should().Be("value42");
            (_counted.Stats.Gets + _counted.Stats.RangeGets).Should().Be(0, "the block is in the disk cache although the block cache is off");
        }
    }
}
