using BenchmarkDotNet.Attributes;
using SlateDB.Storage;
using SlateDB.Testing;

namespace SlateDB.Benchmarks.Db;

/// <summary>
/// Latency of a durable put (AwaitDurable) against a store that adds 30 ms to every request, with 1 and 64 concurrent
/// writers, at the default 100 ms flush interval and at 10 ms. Each writer writes <see cref="PutsPerWriter"/> puts one
/// after another; the figure is the time one durable put takes as its writer sees it.
/// </summary>
public class DbDurablePutBenchmarks
{
    private const int PutsPerWriter = 5;

    private readonly byte[] _value = DbBenchmarkSupport.Value(new Random(2));
    private SlateDb _db = null!;
    private long _next;

    [Params(1, 64)]
    public int Writers { get; set; }

    [Params(100, 10)]
    public int FlushIntervalMs { get; set; }

    [GlobalSetup]
    public void Open()
    {
        var slow = new FaultInjectingObjectStore(new InMemoryObjectStore(), new FaultInjectionOptions { Latency = TimeSpan.FromMilliseconds(30) });
        _db = DbBenchmarkSupport.OpenAsync(slow, DbBenchmarkSupport.Options(TimeSpan.FromMilliseconds(FlushIntervalMs))).GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Close() => _db.CloseAsync().AsTask().GetAwaiter().GetResult();

    [Benchmark(OperationsPerInvoke = PutsPerWriter)]
    public Task DurablePut()
    {
        var durable = new WriteOptions { AwaitDurable = true };
        return Task.WhenAll(Enumerable.Range(0, Writers).Select(async _ =>
        {
            for (var i = 0; i < PutsPerWriter; i++)
            {
                await _db.PutAsync(DbBenchmarkSupport.Key(Interlocked.Increment(ref _next)), _value, writeOptions: durable);
            }
        }));
    }
}
