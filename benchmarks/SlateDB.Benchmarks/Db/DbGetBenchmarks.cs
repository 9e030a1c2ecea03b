using BenchmarkDotNet.Attributes;
using SlateDB.Storage;

namespace SlateDB.Benchmarks.Db;

/// <summary>
/// Point reads of present keys from the memtable, and from one L0 SST after <c>FlushAsync(MemTable)</c> (in-memory
/// store, so an L0 read costs a range GET and a block decode, without network latency). 100,000 keys of 100-byte values.
/// </summary>
[MemoryDiagnoser]
public class DbGetBenchmarks
{
    private const int Keys = 100_000;
    private const int Probes = 1000;

    private SlateDb _db = null!;
    private byte[][] _probes = [];

    [Params("MemTable", "L0")]
    public string Source { get; set; } = "MemTable";

    [GlobalSetup]
    public void Setup() => SetupAsync().GetAwaiter().GetResult();

    [GlobalCleanup]
    public void Close() => _db.CloseAsync().AsTask().GetAwaiter().GetResult();

    [Benchmark(OperationsPerInvoke = Probes)]
    public async Task<long> Get()
    {
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
        var random = new Random(3);
        _db = await DbBenchmarkSupport.OpenAsync(new InMemoryObjectStore(), DbBenchmarkSupport.Options(TimeSpan.FromMilliseconds(100)));
        for (var i = 0; i < Keys; i += 100)
        {
            var batch = new WriteBatch();
            for (var j = i; j < i + 100; j++)
            {
                batch.Put(DbBenchmarkSupport.Key(j), DbBenchmarkSupport.Value(random));
            }

            await _db.WriteAsync(batch);
        }

        if (Source == "L0")
        {
            await _db.FlushAsync(new FlushOptions { FlushType = FlushType.MemTable });
        }

        _probes = Enumerable.Range(0, Probes).Select(_ => DbBenchmarkSupport.Key(random.Next(Keys))).ToArray();
    }
}
