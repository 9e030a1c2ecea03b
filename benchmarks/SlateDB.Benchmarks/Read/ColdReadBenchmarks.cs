using BenchmarkDotNet.Attributes;
using SlateDB.Caching;
using SlateDB.Storage;

namespace SlateDB.Benchmarks.Read;

/// <summary>
/// Point gets that miss the block cache: before every iteration the database is reopened on an empty block cache, so
/// each iteration's 20,000 random gets over 1,000,000 rows (about 16,000 blocks of 4 KiB) read most of their blocks
/// from the local folder store, decode and cache them. Reported per get: the cost of block misses (store read,
/// decorators, checksum, decode, cache insert, GC of the cached blocks), without the JIT's share (BenchmarkDotNet warms
/// the code up first; benchmarks/SlateDB.ColdReadProbe measures a cold process, JIT included).
/// </summary>
/// <remarks>
/// Run with <c>dotnet run -c Release --project benchmarks/SlateDB.Benchmarks -- --filter '*ColdReadBenchmarks*' --job short</c>.
/// Compare with <see cref="ReadBenchmarks.GetWarm"/>, the same gets with every block cached.
/// </remarks>
[MemoryDiagnoser]
[InvocationCount(1)]
public class ColdReadBenchmarks
{
    /// <summary>Rows in the database.</summary>
    public const int RowCount = 1_000_000;

    private const int GetsPerInvoke = 20_000;

    private static readonly SlateDbOptions Options = SlateDbOptions.Default with
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

    private readonly byte[][] _probes = new byte[GetsPerInvoke][];
    private DirectoryInfo? _directory;
    private MemoryBlockCache? _cache;
    private SlateDb? _db;
    private int _iteration;

    /// <summary>Builds the database once.</summary>
    [GlobalSetup]
    public async Task Setup()
    {
        _directory = Directory.CreateTempSubdirectory("slatedb-cold-read-bench-");
        await using var writer = await SlateDb.OpenAsync("bench", new LocalFileSystemObjectStore(_directory.FullName), Options);
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

    /// <summary>Reopens the database on an empty block cache, and draws new keys.</summary>
    [IterationSetup]
    public void ReopenCold()
    {
        _db?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _cache?.Dispose();
        _cache = new MemoryBlockCache();
        _db = SlateDb.Builder("bench", new LocalFileSystemObjectStore(_directory!.FullName)).WithOptions(Options).WithBlockCache(_cache).OpenAsync().GetAwaiter().GetResult();
        var random = new Random(42 + _iteration++);
        for (var i = 0; i < GetsPerInvoke; i++)
        {
            _probes[i] = Key(random.Next(RowCount));
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

    /// <summary>Gets random present keys, most of them missing the (emptied) block cache.</summary>
    [Benchmark(OperationsPerInvoke = GetsPerInvoke)]
    public async Task<long> GetCold()
    {
        long bytes = 0;
        foreach (var key in _probes)
        {
            bytes += (await _db!.GetAsync(key))!.Length;
        }

        return bytes;
    }

    private static byte[] Key(int i) => System.Text.Encoding.ASCII.GetBytes($"key{i:D8}");

    private static byte[] Value(int i) => System.Text.Encoding.ASCII.GetBytes($"value-{i:D8}-0123456789abcdefghij");
}
