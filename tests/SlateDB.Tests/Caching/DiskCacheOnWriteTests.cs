using SlateDB.Caching;
using SlateDB.Sst;
using SlateDB.Storage;
using static SlateDB.Tests.Read.ReadTestKit;

namespace SlateDB.Tests.Caching;

/// <summary>
/// The disk cache's <c>cache_on_flush</c> and <c>cache_on_compaction</c> (an SST is stored as it is uploaded, by who
/// wrote it) and <c>max_open_file_handles</c> (part files kept open for reads, bounded).
/// </summary>
public sealed class DiskCacheOnWriteTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "slatedb-diskcache-onwrite-" + Path.GetRandomFileName());
    private readonly InMemoryObjectStore _memory = new();

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private ObjectStoreCacheOptions CacheOptions(bool onFlush = false, bool onCompaction = false, int handles = 1000) =>
        new() { RootFolder = _folder, PartSizeBytes = 1024, CacheOnFlush = onFlush, CacheOnCompaction = onCompaction, MaxOpenFileHandles = handles };

    private static byte[] Bytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public async Task An_sst_is_cached_as_it_is_uploaded_when_its_writer_is_switched_on(bool onFlush, bool onCompaction)
    {
        using var counted = new InstrumentedObjectStore(_memory);
        using var cache = new DiskCachedObjectStore(counted, CacheOptions(onFlush, onCompaction));
        var flushed = Bytes(3_000, 1);
        var compacted = Bytes(3_000, 2);
        (await cache.PutSstAsync("db/compacted/F.sst", flushed, PutMode.Create, SstWriteSource.Flush, default)).IsWritten.Should().BeTrue();
        (await cache.PutSstAsync("db/compacted/C.sst", compacted, PutMode.Create, SstWriteSource.Compaction, default)).IsWritten.Should().BeTrue();

        cache.CachedBytes.Should().Be((onFlush ? 3_000 : 0) + (onCompaction ? 3_000 : 0));
        counted.ResetStats();
        (await cache.GetRangeAsync("db/compacted/F.sst", new ByteRange(100, 2_000), default))!.Data.ToArray().Should().Equal(flushed.AsSpan(100, 2_000).ToArray());
        (await cache.GetRangeAsync("db/compacted/C.sst", new ByteRange(100, 2_000), default))!.Data.ToArray().Should().Equal(compacted.AsSpan(100, 2_000).ToArray());
        counted.Stats.RangeGets.Should().Be((onFlush ? 0 : 3) + (onCompaction ? 0 : 3), "an SST cached on upload is read from disk; one not cached is fetched part by part");
    }

    [Fact]
    public async Task Plain_puts_follow_cache_puts_only()
    {
        using var cache = new DiskCachedObjectStore(_memory, CacheOptions(onFlush: true, onCompaction: true));
        await cache.PutAsync("db/compacted/P.sst", Bytes(2_000, 3), PutMode.Create, default);
        cache.CachedBytes.Should().Be(0, "a write the database did not tag as a flush or compaction is not cached without cache_puts");
    }

    [Fact]
    public async Task A_database_caches_its_l0_ssts_on_flush_and_compaction_output_on_compaction_as_configured()
    {
        async Task<(HashSet<string> Flushed, HashSet<string> Compacted, HashSet<string> Cached)> RunAsync(bool onFlush, bool onCompaction, string dbPath)
        {
            var options = TestOptions(minFilterKeys: 100) with
            {
                ManifestPollInterval = TimeSpan.FromHours(1),
                CompactorOptions = new CompactorOptions { PollInterval = TimeSpan.FromHours(1) },
                ObjectStoreCacheOptions = CacheOptions(onFlush, onCompaction) with { RootFolder = Path.Combine(_folder, dbPath) },
            };
            await using var db = await SlateDb.Builder(dbPath, _memory).WithOptions(options).WithBlockCacheDisabled().OpenAsync();
            for (var round = 0; round < 2; round++)
            {
                var batch = new WriteBatch();
                for (var i = 0; i < 2_000; i++)
                {
                    batch.Put(B($"key{round}-{i:D5}"), B($"value-{i:D5}"));
                }

                await db.WriteAsync(batch);
                await FlushMemtableAsync(db);
            }

            var flushed = await SstNamesAsync(dbPath);
            await db.CompactFullAsync();
            var compacted = (await SstNamesAsync(dbPath)).Except(flushed).ToHashSet();
            compacted.Should().NotBeEmpty();
            var cached = Directory.EnumerateFiles(Path.Combine(_folder, dbPath), "*_part*", SearchOption.AllDirectories)
                .Select(f => Path.GetFileName(f)[..Path.GetFileName(f).IndexOf("_part", StringComparison.Ordinal)])
                .ToHashSet();
            return (flushed, compacted, cached);
        }

        var (flushed, compacted, cached) = await RunAsync(onFlush: true, onCompaction: false, "a");
        flushed.Should().HaveCount(2).And.BeSubsetOf(cached);
        cached.Overlaps(compacted).Should().BeFalse("compaction output is not cached without cache_on_compaction");

        (flushed, compacted, cached) = await RunAsync(onFlush: false, onCompaction: true, "b");
        compacted.Should().BeSubsetOf(cached);

        // The compactor reads its inputs through the cache, so only the upload is told apart: in "b" the flushed
        // SSTs' parts come from the compaction's reads, not from the flush.
        (flushed, compacted, cached) = await RunAsync(onFlush: false, onCompaction: false, "c");
        cached.Overlaps(compacted).Should().BeFalse();
    }

    private async Task<HashSet<string>> SstNamesAsync(string dbPath)
    {
        var names = new HashSet<string>();
        await foreach (var item in _memory.ListAsync(dbPath + "/compacted/", default))
        {
            names.Add(item.Path[(item.Path.LastIndexOf('/') + 1)..]);
        }

        return names;
    }

    [Fact]
    public async Task Part_files_are_read_through_at_most_max_open_file_handles_kept_open()
    {
        var objects = Enumerable.Range(0, 6).Select(i => ($"db/compacted/{i}.sst", Bytes(2_500, 10 + i))).ToList();
        foreach (var (path, data) in objects)
        {
            await _memory.PutAsync(path, data, PutMode.Create, default);
        }

        using var bounded = new DiskCachedObjectStore(_memory, CacheOptions(handles: 2));
        for (var pass = 0; pass < 2; pass++)
        {
            foreach (var (path, data) in objects)
            {
                var read = await bounded.GetRangeAsync(path, new ByteRange(500, 1_800), default);
                read!.Data.ToArray().Should().Equal(data.AsSpan(500, 1_800).ToArray());
                bounded.OpenFileHandles.Should().BeLessThanOrEqualTo(2);
            }
        }

        bounded.Hits.Should().BeGreaterThan(0);
        if (OperatingSystem.IsLinux())
        {
            bounded.OpenFileHandles.Should().Be(2);
            using var wide = new DiskCachedObjectStore(_memory, CacheOptions(handles: 1000));
            foreach (var (path, _) in objects)
            {
                await wide.GetRangeAsync(path, new ByteRange(0, 2_500), default);
            }

            wide.OpenFileHandles.Should().Be(18, "six objects of three parts each were read from disk, each part's file kept open");
        }

        new Action(() => _ = new DiskCachedObjectStore(_memory, CacheOptions(handles: 0))).Should().Throw<ArgumentException>();
    }
}
