using BenchmarkDotNet.Attributes;
using SlateDB.Caching;
using SlateDB.Storage;

namespace SlateDB.Benchmarks.Db;

/// <summary>
/// Cold point reads: 1,000 gets of present keys with the block cache emptied first (as after a restart), so every
/// get reads its block (and the first one the SST's index and filter) from the store. 100,000 keys of 100-byte values
/// in one L0 SST, on the local folder store (files in the OS page cache) or the in-memory store.
/// </summary>
[MemoryDiagnoser]
public class DbColdGetBenchmarks
{
    private const int Keys = 100_000;
    private const int Probes = 1000;

    private readonly MemoryBlockCache _cache = new();
    private SlateDb _db = null!;
    private byte[][] _probes = [];
    private string? _folder;

    [Params("Local", "Memory")]
    public string Store { get; set; } = "Local";

    [GlobalSetup]
    public void Setup() => SetupAsync().GetAwaiter().GetResult();

    [GlobalCleanup]
    public void Close()
    {
        _db.CloseAsync().AsTask().GetAwaiter().GetResult();
        if (_folder is not null)
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Benchmark(OperationsPerInvoke = Probes)]
    public async Task<long> ColdGet()
    {
        _cache.Dispose(); // Empties both caches: every probe below misses.
        long total = 0;
        foreach (var key in _probes)
        {
            var value = await _db.GetAsync(key);
            total += value!.Length;
        }

        return total;
    }

    private async Task SetupAsync()
    {
        var random = new Random(5);
        IObjectStore store = new InMemoryObjectStore();
        if (Store == "Local")
        {
            _folder = Directory.CreateTempSubdirectory("slatedb-cold-get-").FullName;
            store = new LocalFileSystemObjectStore(_folder);
        }

        _db = await SlateDb.Builder("bench", store)
            .WithOptions(DbBenchmarkSupport.Options(TimeSpan.FromMilliseconds(100)))
            .WithSeed(1)
            .WithBlockCache(_cache)
            .OpenAsync();
        for (var i = 0; i < Keys; i += 100)
        {
            var batch = new WriteBatch();
            for (var j = i; j < i + 100; j++)
            {
                batch.Put(DbBenchmarkSupport.Key(j), DbBenchmarkSupport.Value(random));
            }

            await _db.WriteAsync(batch);
        }

        await _db.FlushAsync(new FlushOptions { FlushType = FlushType.MemTable });

        // Keys spread over the whole SST, each in its own block as far as possible.
        _probes = Enumerable.Range(0, Probes).Select(i => DbBenchmarkSupport.Key((long)i * (Keys / Probes))).ToArray();
    }
}
