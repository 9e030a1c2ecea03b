using System.Diagnostics;
using SlateDB.Storage;
using SlateDB.Testing;
using SlateDB.Tests.Engine;
using Xunit.Abstractions;

namespace SlateDB.Tests.Read;

/// <summary>
/// Cold reads over a slow object store (20 ms per GET): a point get of a reopened database costs one GET once the
/// SST's metadata is loaded, and a cold scan keeps <see cref="ScanOptions.MaxFetchTasks"/> GETs in flight.
/// </summary>
public sealed class ColdReadLatencyTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Latency = TimeSpan.FromMilliseconds(20);

    private static async Task<InMemoryObjectStore> WrittenStoreAsync(int rows)
    {
        var store = new InMemoryObjectStore();
        await using var db = await EngineTestSupport.OpenAsync(store, EngineTestSupport.TestOptions(l0SstSizeBytes: 64L * 1024 * 1024));
        var value = new byte[100];
        for (var i = 0; i < rows; i++)
        {
            await db.PutAsync(Key(i), value, writeOptions: new WriteOptions { AwaitDurable = false });
        }

        await db.FlushAsync(new FlushOptions { FlushType = FlushType.MemTable });
        return store;
    }

    private static byte[] Key(int i) => System.Text.Encoding.UTF8.GetBytes($"key-{i:D8}");

    [Fact]
    public async Task A_cold_point_get_costs_one_GET_once_the_SST_metadata_is_loaded()
    {
        const int Rows = 20_000;
        var inner = await WrittenStoreAsync(Rows);
        var counting = new InFlightCountingStore(inner);
        var slow = new FaultInjectingObjectStore(counting, new FaultInjectionOptions { Latency = Latency, Operations = FaultOperations.GetRange });
        await using var db = await EngineTestSupport.OpenAsync(slow, EngineTestSupport.TestOptions(l0SstSizeBytes: 64L * 1024 * 1024));

        var random = new Random(7);
        var requests = new List<long>();
        var millis = new List<double>();
        for (var i = 0; i < 21; i++)
        {
            var before = counting.RangeGets;
            var clock = Stopwatch.StartNew();
            (await db.GetAsync(Key(random.Next(Rows)))).Should().NotBeNull();
            millis.Add(clock.Elapsed.TotalMilliseconds);
            requests.Add(counting.RangeGets - before);
        }

        output.WriteLine($"ranged GETs per get: {string.Join(' ', requests)}; ms: {string.Join(' ', millis.Select(m => m.ToString("F0", System.Globalization.CultureInfo.InvariantCulture)))}");
        requests.Skip(1).Should().OnlyContain(n => n <= 1, "after the first get loaded the SST's index and filter, a get of an uncached block is one GET (or none when its block is cached)");
        requests.Order().ElementAt(requests.Count / 2).Should().Be(1, "the median cold get is one round trip");
    }

    [Fact]
    public async Task A_cold_scan_keeps_MaxFetchTasks_GETs_in_flight()
    {
        var inner = await WrittenStoreAsync(20_000);
        var counting = new InFlightCountingStore(inner);
        var slow = new FaultInjectingObjectStore(counting, new FaultInjectionOptions { Latency = TimeSpan.FromMilliseconds(5), Operations = FaultOperations.GetRange });
        await using var db = await EngineTestSupport.OpenAsync(slow, EngineTestSupport.TestOptions(l0SstSizeBytes: 64L * 1024 * 1024));
        var options = new ScanOptions { MaxFetchTasks = 4, ReadAheadBytes = 4096, MaxReadAheadBytes = 0 };

        counting.ResetPeak();
        var rows = 0;
        await foreach (var row in db.ScanAsync(KeyRange.All, options))
        {
            rows++;
        }

        rows.Should().Be(20_000);
        output.WriteLine($"peak ranged GETs in flight: {counting.PeakInFlight}");
        counting.PeakInFlight.Should().Be(4);
    }
}
