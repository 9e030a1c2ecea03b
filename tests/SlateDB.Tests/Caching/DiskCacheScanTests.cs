using Microsoft.Extensions.Time.Testing;
using SlateDB.Caching;
using SlateDB.Storage;

namespace SlateDB.Tests.Caching;

/// <summary>
/// <see cref="ObjectStoreCacheOptions.ScanInterval"/>: the cache folder is rescanned on the clock, so parts added or
/// removed behind the cache's back (another process sharing the folder, a hand clean-up) are counted and the cache is
/// evicted back under its bound.
/// </summary>
public sealed class DiskCacheScanTests : IDisposable
{
    private const string Sst = "compacted/A.sst";
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "slatedb-diskscan-" + Path.GetRandomFileName());
    private readonly InMemoryObjectStore _memory = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private DiskCachedObjectStore Cache(TimeSpan? scanInterval, long maxBytes = 1 << 30) =>
        new(_memory, new ObjectStoreCacheOptions { RootFolder = _folder, PartSizeBytes = 1024, MaxCacheSizeBytes = maxBytes, ScanInterval = scanInterval }, timeProvider: _time);

    private async Task CacheOneObjectAsync(DiskCachedObjectStore cache, int length)
    {
        await _memory.PutAsync(Sst, new byte[length], PutMode.Overwrite, default);
        (await cache.GetAsync(Sst, default))!.Data.Length.Should().Be(length);
    }

    private string[] PartFiles() => Directory.GetFiles(_folder, "*_part1kb-*", SearchOption.AllDirectories);

    [Fact]
    public async Task Parts_added_and_removed_behind_the_cache_are_counted_at_the_next_scan()
    {
        using var cache = Cache(TimeSpan.FromMinutes(10));
        await CacheOneObjectAsync(cache, 4096);
        cache.CachedBytes.Should().Be(4096);
        cache.Scans.Should().Be(1, "the folder is scanned once at creation");

        // Another process sharing the folder caches more parts; one of ours is removed by hand.
        var ours = PartFiles().Order(StringComparer.Ordinal).ToArray();
        File.Delete(ours[0]);
        for (var i = 0; i < 3; i++)
        {
            File.WriteAllBytes(Path.Combine(_folder, "compacted", $"B.sst_part1kb-{i:D9}"), new byte[1024]);
        }

        _time.Advance(TimeSpan.FromMinutes(9));
        cache.CachedBytes.Should().Be(4096, "nothing is rescanned before the interval");

        _time.Advance(TimeSpan.FromMinutes(1));
        cache.Scans.Should().Be(2);
        cache.CachedBytes.Should().Be((3 + 3) * 1024L);

        _time.Advance(TimeSpan.FromMinutes(10));
        cache.Scans.Should().Be(3, "scans repeat every interval");
    }

    [Fact]
    public async Task A_scan_evicts_down_to_the_bound()
    {
        using var cache = Cache(TimeSpan.FromMinutes(1), maxBytes: 8 * 1024);
        await CacheOneObjectAsync(cache, 4096);
        for (var i = 0; i < 10; i++)
        {
            File.WriteAllBytes(Path.Combine(_folder, "compacted", $"B.sst_part1kb-{i:D9}"), new byte[1024]);
        }

        _time.Advance(TimeSpan.FromMinutes(1));

        cache.CachedBytes.Should().BeLessThanOrEqualTo(8 * 1024);
        PartFiles().Sum(file => new FileInfo(file).Length).Should().Be(cache.CachedBytes, "evicted parts are deleted");
    }

    [Fact]
    public async Task Without_an_interval_or_once_disposed_the_folder_is_scanned_only_at_start()
    {
        using (var once = Cache(scanInterval: null))
        {
            await CacheOneObjectAsync(once, 2048);
            File.WriteAllBytes(Path.Combine(_folder, "compacted", "B.sst_part1kb-000000000"), new byte[1024]);
            _time.Advance(TimeSpan.FromDays(1));
            once.Scans.Should().Be(1);
            once.CachedBytes.Should().Be(2048);
        }

        var disposed = Cache(TimeSpan.FromMinutes(1));
        disposed.CachedBytes.Should().Be(3072, "the scan at start counts every part on disk");
        disposed.Dispose();
        _time.Advance(TimeSpan.FromMinutes(5));
        disposed.Scans.Should().Be(1);
    }

    [Fact]
    public void A_scan_interval_that_is_not_positive_is_rejected()
    {
        var act = () => Cache(TimeSpan.Zero);
        act.Should().Throw<ArgumentException>();
    }
}
