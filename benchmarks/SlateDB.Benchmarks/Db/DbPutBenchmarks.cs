using BenchmarkDotNet.Attributes;
using SlateDB.Storage;

namespace SlateDB.Benchmarks.Db;

/// <summary>
/// Write throughput without waiting for durability (in-memory store, 100 ms flush interval): single puts, and batches
/// of 100. Each invocation writes 100,000 rows (16-byte keys, 100-byte values) into a freshly opened database; the
/// figure is per row.
/// </summary>
[MemoryDiagnoser]
public class DbPutBenchmarks
{
    private const int Rows = 100_000;
    private const int BatchSize = 100;

    private readonly byte[][] _keys = Enumerable.Range(0, Rows).Select(i => DbBenchmarkSupport.Key(i)).ToArray();
    private readonly byte[] _value = DbBenchmarkSupport.Value(new Random(1));
    private SlateDb _db = null!;

    [IterationSetup]
    public void Open() => _db = DbBenchmarkSupport.OpenAsync(new InMemoryObjectStore(), DbBenchmarkSupport.Options(TimeSpan.FromMilliseconds(100))).GetAwaiter().GetResult();

    [IterationCleanup]
    public void Close() => _db.CloseAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>One put per call.</summary>
    [Benchmark(OperationsPerInvoke = Rows)]
    public async Task Put()
    {
        foreach (var key in _keys)
        {
            await _db.PutAsync(key, _value);
        }
    }

    /// <summary>Batches of 100 puts.</summary>
    [Benchmark(OperationsPerInvoke = Rows)]
    public async Task PutBatch100()
    {
        for (var i = 0; i < Rows; i += BatchSize)
        {
            var batch = new WriteBatch();
            for (var j = i; j < i + BatchSize; j++)
            {
                batch.Put(_keys[j], _value);
            }

            await _db.WriteAsync(batch);
        }
    }
}
