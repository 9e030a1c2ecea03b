using System.Text;
using SlateDB.Storage;

namespace SlateDB.Tests.Storage.Cloud;

/// <summary>
/// The engine itself on the real test servers (radosgw for S3, Azurite for Azure Blob, and for GCS the real Google
/// client on the in-repository strict JSON API server, Gcs/GcsTestServer.cs): a bounded model-based run with reopens,
/// and fencing between two writers.
/// </summary>
public sealed class EngineOnServerTests
{
    private static readonly SlateDbOptions s_options = SlateDbOptions.Default with
    {
        FlushInterval = TimeSpan.FromMilliseconds(20),
        L0SstSizeBytes = 16 * 1024,
        MaxUnflushedBytes = 64L * 1024 * 1024,
        L0MaxSsts = 1000,
        L0MaxSstsPerKey = 1000,
        MinFilterKeys = 10,
        CompactorOptions = null,
        GarbageCollectorOptions = null,
    };

    private IObjectStore Store(string server) => server switch
    {
        "s3" => CloudStores.S3(CloudStores.NewPrefix(this)),
        "azure" => CloudStores.Azure(CloudStores.NewPrefix(this)),
        "gcs" => Gcs.GcsStores.OnTestServer(CloudStores.NewPrefix(this)),
        _ => throw new ArgumentOutOfRangeException(nameof(server)),
    };

    [ServerTheory]
    [InlineData("s3")]
    [InlineData("azure")]
    [InlineData("gcs")]
    public Task Model_based_run_with_reopens_matches_a_dictionary(string server) => RunModelWithReopensAsync(Store(server));

    /// <summary>The bounded model-based run with reopens on <paramref name="store"/> (also used by the real-bucket tests).</summary>
    internal static async Task RunModelWithReopensAsync(IObjectStore store)
    {
        const int seed = 20261123;
        var random = new Random(seed);
        var model = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var db = await SlateDb.OpenAsync("db", store, s_options);
        try
        {
            for (var op = 0; op < 1500; op++)
            {
                var key = $"k{random.Next(400):D4}";
                switch (random.Next(10))
                {
                    case < 5:
                        var value = $"v{op}-{new string('x', random.Next(200))}";
                        await db.PutAsync(key, value);
                        model[key] = value;
                        break;
                    case 5:
                        await db.DeleteAsync(key);
                        model.Remove(key);
                        break;
                    case 6:
                        var batch = new WriteBatch();
                        for (var i = 0; i < 5; i++)
                        {
                            var batchKey = $"k{random.Next(400):D4}";
                            batch.Put(batchKey, $"b{op}-{i}");
                            model[batchKey] = $"b{op}-{i}";
                        }

                        await db.WriteAsync(batch);
                        break;
                    case 7 when random.Next(20) == 0:
                        await db.CloseAsync();
                        db = await SlateDb.OpenAsync("db", store, s_options);
                        break;
                    case 8 when random.Next(10) == 0:
                        await db.FlushAsync(new FlushOptions { FlushType = FlushType.MemTable });
                        break;
                    default:
                        (await db.GetAsync(key)).Should().Be(model.GetValueOrDefault(key), $"seed {seed}, op {op}");
                        break;
                }
            }

            await db.CloseAsync();
            db = await SlateDb.OpenAsync("db", store, s_options);
            var scanned = new List<KeyValuePair<string, string>>();
            await foreach (var kv in db.ScanAsync(KeyRange.All))
            {
                scanned.Add(new(Encoding.UTF8.GetString(kv.Key.Span), Encoding.UTF8.GetString(kv.Value.Span)));
            }

            scanned.Should().Equal(model, $"seed {seed}");
        }
        finally
        {
            await db.DisposeAsync();
        }
    }

    [ServerTheory]
    [InlineData("s3")]
    [InlineData("azure")]
    [InlineData("gcs")]
    public Task A_second_writer_fences_the_first(string server) => RunFencingAsync(Store(server));

    /// <summary>Two writers on <paramref name="store"/>: the second fences the first (also used by the real-bucket tests).</summary>
    internal static async Task RunFencingAsync(IObjectStore store)
    {
        var first = await SlateDb.OpenAsync("db", store, s_options);
        await first.PutAsync("a", "1", writeOptions: new WriteOptions { AwaitDurable = true });

        await using var second = await SlateDb.OpenAsync("db", store, s_options);
        var late = async () => await first.PutAsync("a", "zombie", writeOptions: new WriteOptions { AwaitDurable = true });
        (await late.Should().ThrowAsync<SlateDbException>()).Which.CloseReason.Should().Be(CloseReason.Fenced);

        (await second.GetAsync("a")).Should().Be("1");
        await second.PutAsync("b", "2", writeOptions: new WriteOptions { AwaitDurable = true });
        await second.CloseAsync();

        // The fenced writer's close says that its zombie write was lost.
        var close = (await first.Invoking(f => f.CloseAsync().AsTask()).Should().ThrowAsync<SlateDbException>()).Which;
        close.CloseReason.Should().Be(CloseReason.Fenced);

        await using var third = await SlateDb.OpenAsync("db", store, s_options);
        (await third.GetAsync("a")).Should().Be("1");
        (await third.GetAsync("b")).Should().Be("2");
    }
}
