using System.Diagnostics;
using System.Globalization;
using SlateDB.Storage;
using SlateDB.Testing;

namespace SlateDB.Bencher;

/// <summary>
/// <c>SlateDB.Bencher reader-lag [latency-ms] [poll-ms] [writes]</c>: a writer and a FollowLatest DbReader over one
/// in-memory store with injected latency. Measures the lag from a durable write's acknowledgement to the reader
/// returning it (p50/p99), then point reads per second on the writer and on the reader over the same data, alternating
/// (warm caches).
/// </summary>
internal static class ReaderLag
{
    public static async Task<int> RunAsync(string[] args)
    {
        var latencyMs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 30;
        var pollMs = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 100;
        var writes = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 200;
        var store = new FaultInjectingObjectStore(new InMemoryObjectStore(), new FaultInjectionOptions { Latency = TimeSpan.FromMilliseconds(latencyMs) }, new Random(1));
        var options = SlateDbOptions.Default with { FlushInterval = TimeSpan.FromMilliseconds(10), CompactorOptions = null, GarbageCollectorOptions = null };
        await using var db = await SlateDb.Builder("bench", store).WithOptions(options).WithSeed(1).OpenAsync();
        await db.PutAsync("warmup", "w", writeOptions: new WriteOptions { AwaitDurable = true });
        await using var reader = await DbReader.OpenAsync("bench", store, new DbReaderOptions { Mode = DbReaderMode.FollowLatest, ManifestPollInterval = TimeSpan.FromMilliseconds(pollMs) });

        var lags = new List<double>();
        for (var i = 0; i < writes; i++)
        {
            var key = $"lag{i:D6}";
            await db.PutAsync(key, "v", writeOptions: new WriteOptions { AwaitDurable = true });
            var acked = Stopwatch.GetTimestamp();
            while (await reader.GetAsync(key) is null)
            {
                await Task.Delay(1);
            }

            lags.Add(Stopwatch.GetElapsedTime(acked).TotalMilliseconds);
        }

        lags.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"reader-lag: latency={latencyMs}ms poll={pollMs}ms writes={writes}: visibility lag p50 {lags[lags.Count / 2]:F0} ms, p99 {lags[(int)(lags.Count * 0.99)]:F0} ms, max {lags[^1]:F0} ms"));

        // Point reads on the same data: 10,000 keys in L0, caches warmed by a first pass on each side.
        const int keyCount = 10_000;
        var batch = new WriteBatch();
        for (var i = 0; i < keyCount; i++)
        {
            batch.Put($"k{i:D6}", System.Text.Encoding.UTF8.GetBytes("value"));
        }

        await db.WriteAsync(batch, new WriteOptions { AwaitDurable = true });
        await db.FlushAsync(new FlushOptions { FlushType = FlushType.MemTable });
        await reader.RefreshAsync();
        async Task<double> GetsPerSecondAsync(Func<string, ValueTask<string?>> get)
        {
            var random = new Random(7);
            var watch = Stopwatch.StartNew();
            var count = 0;
            while (watch.Elapsed < TimeSpan.FromSeconds(2))
            {
                (await get($"k{random.Next(keyCount):D6}")).Should();
                count++;
            }

            return count / watch.Elapsed.TotalSeconds;
        }

        for (var i = 0; i < keyCount; i++)
        {
            await db.GetAsync($"k{i:D6}");
            await reader.GetAsync($"k{i:D6}");
        }

        for (var round = 0; round < 2; round++)
        {
            var writer = await GetsPerSecondAsync(k => db.GetAsync(k));
            var replica = await GetsPerSecondAsync(k => reader.GetAsync(k));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"gets (warm, 1 caller, round {round + 1}): writer {writer:F0}/s, reader {replica:F0}/s, reader/writer {replica / writer:F2}"));
        }

        return 0;
    }

    private static string? Should(this string? value) => value ?? throw new InvalidOperationException("A preloaded key was not found.");
}
