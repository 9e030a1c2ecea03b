using BenchmarkDotNet.Attributes;
using SlateDB.Caching;
using SlateDB.Storage;

namespace SlateDB.Benchmarks.Read;

/// <summary>
/// Reads from SSTs on the local file system: full scans of 1,000,000 rows (reported per row) and point gets with a
/// warm block cache (reported per get). The database is built once per process, in the global setup.
/// </summary>
/// <remarks>
/// Run with <c>dotnet run -c Release --project benchmarks/SlateDB.Benchmarks -- --filter '*ReadBenchmarks*' --job short</c>.
/// Rows per second = 1e9 / (ns per row); gets per second = 1e9 / (ns per get).
/// </remarks>
[MemoryDiagnoser]
public class ReadBenchmarks
{
    /// <summary>Rows in the database.</summary>
    public const int RowCount = 1_000_000;

    private const int GetsPerInvoke = 10_000;

    private readonly byte[][] _probes = new byte[GetsPerInvoke][];
    private DirectoryInfo? _directory;
    private MemoryBlockCache? _cache;
    private SlateDb? _db;

    /// <summary>Builds the database and opens it; scans use no block cache (each scan reads the SST files).</summary>
    [GlobalSetup(Targets = [nameof(ScanBlockByBlock), nameof(ScanWithReadAhead)])]
    public Task SetupScans() => BuildAndOpenAsync(warmCache: false);

    /// <summary>Builds the database, opens it and loads every block into the cache.</summary>
    [GlobalSetup(Target = nameof(GetWarm))]
    public Task SetupGets() => BuildAndOpenAsync(warmCache: true);

    private async Task BuildAndOpenAsync(bool warmCache)
    {
        _directory = Directory.CreateTempSubdirectory("slatedb-read-bench-");
        var options = SlateDbOptions.Default with
        {
            FlushInterval = null,
            WalEnabled = false,
            CompactorOptions = null,
            GarbageCollectorOptions = null,
            L0SstSizeBytes = 16L * 1024 * 1024,
            L0MaxSsts = 1_000,
            L0MaxSstsPerKey = 1_000,
            MaxUnflushedBytes = 4L * 1024 * 1024 * 1024,
        };
        await using (var writer = await SlateDb.OpenAsync("bench", new LocalFileSystemObjectStore(_directory.FullName), options))
        {
            for (var start = 0; start < RowCount; start += 1_000)
            {
                var batch = new WriteBatch();
                for (var i = start; i < start + 1_000; i++)
                {
                    batch.Put(Key(i), Value(i));
                }

                await writer.WriteAsync(batch);
            }
        }

        // Reopened on a cache of its own, so nothing the writer cached is reused.
        _cache = new MemoryBlockCache();
        _db = await SlateDb.Builder("bench", new LocalFileSystemObjectStore(_directory.FullName)).WithOptions(options).WithBlockCache(_cache).OpenAsync();
        var random = new Random(42);
        for (var i = 0; i < GetsPerInvoke; i++)
        {
            _probes[i] = Key(random.Next(RowCount));
        }

        if (warmCache)
        {
            await foreach (var _ in _db.ScanAsync(KeyRange.All, new ScanOptions { CacheBlocks = true, ReadAheadBytes = 1024 * 1024 }))
            {
            }
        }
    }

    /// <summary>Closes the database and deletes its files.</summary>
    [GlobalCleanup]
    public async Task Cleanup()
    {
        if (_db is not null)
        {
            await _db.DisposeAsync();
        }

        _cache?.Dispose();
        _directory?.Delete(recursive: true);
    }

    /// <summary>Scans every row, one block per read and no caching (SlateDB's scan defaults).</summary>
    [Benchmark(OperationsPerInvoke = RowCount)]
    public Task<long> ScanBlockByBlock() => ScanAsync(new ScanOptions());

    /// <summary>Scans every row with 1 MiB read-ahead and two reads in flight per SST.</summary>
    [Benchmark(OperationsPerInvoke = RowCount)]
    public Task<long> ScanWithReadAhead() => ScanAsync(new ScanOptions { ReadAheadBytes = 1024 * 1024, MaxFetchTasks = 2 });

    /// <summary>Gets random present keys; every block is in the cache.</summary>
    [Benchmark(OperationsPerInvoke = GetsPerInvoke)]
    public async Task<long> GetWarm()
    {
        long bytes = 0;
        foreach (var key in _probes)
        {
            bytes += (await _db!.GetAsync(key))!.Length;
        }

        return bytes;
    }

    private async Task<long> ScanAsync(ScanOptions options)
    {
        long rows = 0;
        await foreach (var _ in _db!.ScanAsync(KeyRange.All, options))
        {
            rows++;
        }

        return rows == RowCount ? rows : throw new InvalidOperationException($"The scan returned {rows} rows, not {RowCount}.");
    }

    private static byte[] Key(int i) => System.Text.Encoding.ASCII.GetBytes($"key{i:D8}");

    private static byte[] Value(int i) => System.Text.Encoding.ASCII.GetBytes($"value-{i:D8}-0123456789abcdefghij");
}
