using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using Amazon.Runtime;
using SlateDB.Storage;
using SlateDB.Storage.Aws;
using Xunit.Abstractions;

namespace SlateDB.Simulation.Chaos;

/// <summary>
/// Chaos against a real S3 server (Ceph radosgw, started by scripts/test.sh) behind <see cref="ChaosProxy"/>: durable
/// writers and readers run for a while under each scenario; the writer is reopened whenever a fault closes it; at
/// the end, read straight from the server, every acknowledged write must hold its last acknowledged value (or a later
/// one that was in flight), and no read ever went back before an acknowledged write. SLATEDB_CHAOS_SECONDS sets the
/// time per scenario (default 5: about a minute for all seven). Fails, not skips, without the server under CI.
/// </summary>
[Trait("Category", "Chaos")]
public sealed class ChaosTests(ITestOutputHelper output)
{
    private const int Writers = 4;
    private const int KeysPerWriter = 8;

    public static TheoryData<string> Scenarios()
    {
        var data = new TheoryData<string>();
        foreach (var scenario in ChaosProfile.Scenarios)
        {
            data.Add(scenario.Name);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Scenarios))]
    public async Task Acknowledged_writes_survive_chaos(string scenario)
    {
        var endpoint = Environment.GetEnvironmentVariable("SLATEDB_TEST_S3_ENDPOINT");
        if (string.IsNullOrEmpty(endpoint))
        {
            if (Environment.GetEnvironmentVariable("CI") != "true" && Environment.GetEnvironmentVariable("SLATEDB_SKIP_SERVER_TESTS") == "1")
            {
                output.WriteLine("SLATEDB_SKIP_SERVER_TESTS=1 and no radosgw: chaos scenario not run");
                return;
            }

            Assert.Fail("The chaos tests need radosgw: run them through scripts/test.sh (or source scripts/test-env.d/30-radosgw.sh) so SLATEDB_TEST_S3_* are set.");
        }

        var profile = ChaosProfile.Scenarios.Single(p => p.Name == scenario);
        var seconds = double.TryParse(Environment.GetEnvironmentVariable("SLATEDB_CHAOS_SECONDS"), CultureInfo.InvariantCulture, out var s) ? s : 5;
        var seed = FaultSeed(scenario);
        var uri = new Uri(endpoint);
        var server = new IPEndPoint(IPAddress.Parse(uri.Host == "localhost" ? "127.0.0.1" : uri.Host), uri.Port);
        var prefix = $"chaos/{scenario}-{Environment.ProcessId}-{DateTime.UtcNow.Ticks}";
        await using var proxy = new ChaosProxy(server, profile, seed);
        using var chaotic = Store(proxy.Endpoint, prefix);
        using var direct = Store(uri, prefix);

        var lastAcked = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        var issued = new ConcurrentDictionary<string, ConcurrentBag<int>>(StringComparer.Ordinal);
        var violations = new ConcurrentQueue<string>();
        long acknowledged = 0, reads = 0, reopens = 0, failedWrites = 0;
        var options = new SlateDbOptions
        {
            FlushInterval = TimeSpan.FromMilliseconds(20),
            L0SstSizeBytes = 64 * 1024,
            ManifestPollInterval = TimeSpan.FromMilliseconds(500),
            CompactorOptions = new CompactorOptions { PollInterval = TimeSpan.FromMilliseconds(500) },
            GarbageCollectorOptions = null,
        };
        var watch = Stopwatch.StartNew();
        var deadline = TimeSpan.FromSeconds(seconds);
        while (watch.Elapsed < deadline)
        {
            SlateDb db;
            try
            {
                db = await SlateDb.Builder("db", chaotic).WithOptions(options).WithSeed(seed + (int)reopens).OpenAsync();
            }
            catch (SlateDbException e) when (e.Kind is SlateDbErrorKind.Unavailable or SlateDbErrorKind.Closed)
            {
                reopens++;
                await Task.Delay(100);
                continue;
            }

            using var stop = new CancellationTokenSource();
            var writers = Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
            {
                var random = new Random(seed * 31 + w + (int)reopens * 1000);
                for (var counter = 0; !stop.IsCancellationRequested && watch.Elapsed < deadline; counter++)
                {
                    var key = $"w{w}-k{random.Next(KeysPerWriter)}";
                    var version = counter + (int)(reopens * 1_000_000);
                    issued.GetOrAdd(key, _ => []).Add(version);
                    try
                    {
                        await db.PutAsync(key, $"{version}", writeOptions: new WriteOptions { AwaitDurable = true });
                        lastAcked.AddOrUpdate(key, version, (_, old) => Math.Max(old, version));
                        Interlocked.Increment(ref acknowledged);
                    }
                    catch (SlateDbException e) when (e.Kind is SlateDbErrorKind.Unavailable or SlateDbErrorKind.Closed)
                    {
                        Interlocked.Increment(ref failedWrites);
                        return; // the database closed (failed or fenced): reopen
                    }
                }
            })).ToList();
            var reader = Task.Run(async () =>
            {
                var random = new Random(seed);
                while (!writers.All(t => t.IsCompleted))
                {
                    var key = $"w{random.Next(Writers)}-k{random.Next(KeysPerWriter)}";
                    var floor = lastAcked.GetValueOrDefault(key, -1);
                    try
                    {
                        var value = await db.GetAsync(key);
                        Interlocked.Increment(ref reads);
                        var seen = value is null ? -1 : int.Parse(value, CultureInfo.InvariantCulture);
                        if (seen < floor)
                        {
                            violations.Enqueue($"read of {key} returned version {seen}, below the acknowledged {floor}");
                        }
                    }
                    catch (SlateDbException e) when (e.Kind is SlateDbErrorKind.Unavailable or SlateDbErrorKind.Closed)
                    {
                    }

                    await Task.Delay(5);
                }
            });
            await Task.WhenAll(writers);
            await stop.CancelAsync();
            await reader;
            try
            {
                await db.CloseAsync();
            }
            catch (SlateDbException e) when (e.Kind is SlateDbErrorKind.Unavailable or SlateDbErrorKind.Closed)
            {
                // What was acknowledged is durable; the rest may be lost.
            }

            reopens++;
        }

        // Verify straight from the server, without the proxy.
        await using (var check = await SlateDb.Builder("db", direct).WithOptions(options with { CompactorOptions = null }).WithSeed(seed).OpenAsync())
        {
            foreach (var (key, acked) in lastAcked)
            {
                var value = await check.GetAsync(key);
                var found = value is null ? -1 : int.Parse(value, CultureInfo.InvariantCulture);
                if (found != acked && !(found > acked && issued[key].Contains(found)))
                {
                    violations.Enqueue($"{key}: the server holds version {found}, the last acknowledged is {acked}");
                }
            }
        }

        var summary = $"SOAK-CHAOS scenario={scenario} seconds={watch.Elapsed.TotalSeconds:0.0} acknowledged={acknowledged} reads={reads} opens={reopens} failed-writes={failedWrites} faults={proxy.Faults} ({proxy})";
        output.WriteLine(summary);
        SoakReport.Append(summary);
        violations.Should().BeEmpty();
        acknowledged.Should().BeGreaterThan(0, $"some writes were acknowledged under {scenario}");
    }

    private static int FaultSeed(string scenario) => Environment.GetEnvironmentVariable("SLATEDB_CHAOS_SEED") is { Length: > 0 } text
        ? int.Parse(text, CultureInfo.InvariantCulture)
        : Harness.FaultPlan.StableHash(scenario) & 0x7fffffff;

    private static S3ObjectStore Store(Uri endpoint, string prefix) => new(new S3ObjectStoreOptions
    {
        Bucket = Environment.GetEnvironmentVariable("SLATEDB_TEST_S3_BUCKET") ?? "slatedb-test",
        Prefix = prefix,
        ServiceUrl = endpoint,
        AllowHttp = true,
        ForcePathStyle = true,
        Region = Environment.GetEnvironmentVariable("SLATEDB_TEST_S3_REGION") ?? "us-east-1",
        Credentials = new BasicAWSCredentials(
            Environment.GetEnvironmentVariable("SLATEDB_TEST_S3_ACCESS_KEY") ?? "TESTKEY",
            Environment.GetEnvironmentVariable("SLATEDB_TEST_S3_SECRET_KEY") ?? "TESTSECRET"),
        RequestTimeout = TimeSpan.FromSeconds(2),
    });
}
