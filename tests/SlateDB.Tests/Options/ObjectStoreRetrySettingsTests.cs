using Microsoft.Extensions.Time.Testing;
using SlateDB.GarbageCollection;
using SlateDB.Storage;

namespace SlateDB.Tests.Options;

/// <summary>
/// <c>garbage_collector_options.object_store_max_retries</c> and <c>compactor_options.object_store_max_retries</c>:
/// the embedded collector and compactor retry on a store of their own, bounded as they say, not as the database's.
/// </summary>
public sealed class ObjectStoreRetrySettingsTests
{
    [Theory]
    [InlineData(null, 0)]
    [InlineData(0, 1)]
    public async Task The_embedded_collector_retries_deletes_as_its_own_bound_says(int? gcMaxRetries, int expectedFailed)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero));
        var memory = new InMemoryObjectStore(time);
        var store = new FirstDeleteFails(memory);
        var quick = new GarbageCollectorDirectoryOptions { MinAge = TimeSpan.FromMinutes(1), Interval = null };
        var gc = GarbageCollectorSettingsExtras.Attach(
            new GarbageCollectorOptions { ManifestOptions = quick, WalOptions = null, WalFenceOptions = null, CompactedOptions = null, CompactionsOptions = null },
            new GarbageCollectorSettingsExtras { ObjectStoreMaxRetries = gcMaxRetries });
        var options = SlateDbOptions.Default with { FlushInterval = null, CompactorOptions = null, GarbageCollectorOptions = gc };
        options.SettingsNotActedUpon().Should().BeEmpty();
        await using var db = await SlateDb.Builder("db", store).WithOptions(options).WithTimeProvider(time).OpenAsync();
        for (var i = 0; i < 4; i++)
        {
            await db.PutAsync($"k{i}", "v");
            await db.FlushAsync(new FlushOptions { FlushType = FlushType.MemTable });
        }

        time.Advance(TimeSpan.FromHours(1));
        var retried = db.EmbeddedGarbageCollector!.RunOnceAsync();
        while (!retried.IsCompleted)
        {
            // Retry backoffs wait on the fake clock.
            time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(5);
        }

        var summary = await retried;
        var manifests = summary.For(GarbageKind.Manifest)!;
        manifests.Deleted.Should().BePositive();
        manifests.Failed.Should().Be(expectedFailed, gcMaxRetries is null ? "unbounded, as the database's: the failed delete is retried" : "no retry: the first delete's failure stands");
    }

    [Fact]
    public void The_embedded_compactor_gets_its_own_retrying_store_when_its_bound_differs()
    {
        var options = SlateDbOptions.Default with { FlushInterval = null, CompactorOptions = new CompactorOptions { ObjectStoreMaxRetries = 2 } };
        using var components = SlateDB.Composition.DbComponents.Create(new SlateDB.Composition.ComponentSettings(
            "db", new InMemoryObjectStore(), options, TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance, MeterFactory: null, Seed: 1));
        var context = new SlateDB.Compaction.CompactorContext
        {
            Components = components,
            Options = options.CompactorOptions!,
            Scheduler = SlateDB.Compaction.CompactorContext.DefaultScheduler(options.CompactorOptions!),
            ExecutorSettings = SlateDB.Compaction.CompactorContext.ExecutorSettingsFor(options.CompactorOptions!, null),
            Logger = Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance,
        }.WithOwnRetries();
        context.Tables.Should().NotBeSameAs(components.Tables);
        context.Tables.Store.Should().BeOfType<RetryingObjectStore>().Which.Options.MaxRetries.Should().Be(2);
        var own = SlateDB.Composition.OwnRetries.Store(components, 2, "test").Should().BeOfType<RetryingObjectStore>().Subject;
        own.Options.MaxRetries.Should().Be(2);
        own.Inner.Should().BeSameAs(components.Retrying!.Inner, "the database's instrumented requests, retried on their own");
        SlateDB.Composition.OwnRetries.Store(components, null, "test").Should().BeNull("the same bound as the database's shares its store");
        options.SettingsNotActedUpon().Should().BeEmpty();
        (options with { ObjectStoreCacheOptions = new ObjectStoreCacheOptions { RootFolder = "/tmp/x" } }).SettingsNotActedUpon()
            .Should().ContainSingle().Which.Should().StartWith("compactor_options.object_store_max_retries = 2");
    }

    /// <summary>The first delete fails with a transient error; every later request goes through.</summary>
    private sealed class FirstDeleteFails(IObjectStore inner) : IObjectStore
    {
        private int _deletes;

        public ValueTask<ObjectContent?> GetAsync(string path, CancellationToken cancellationToken) => inner.GetAsync(path, cancellationToken);

        public ValueTask<ObjectContent?> GetRangeAsync(string path, ByteRange range, CancellationToken cancellationToken) => inner.GetRangeAsync(path, range, cancellationToken);

        public ValueTask<ObjectMetadata?> HeadAsync(string path, CancellationToken cancellationToken) => inner.HeadAsync(path, cancellationToken);

        public ValueTask<PutResult> PutAsync(string path, ReadOnlyMemory<byte> data, PutMode mode, CancellationToken cancellationToken) => inner.PutAsync(path, data, mode, cancellationToken);

        public ValueTask DeleteAsync(string path, CancellationToken cancellationToken) =>
            Interlocked.Increment(ref _deletes) == 1 ? throw new IOException("transient") : inner.DeleteAsync(path, cancellationToken);

        public IAsyncEnumerable<ObjectMetadata> ListAsync(string prefix, CancellationToken cancellationToken) => inner.ListAsync(prefix, cancellationToken);
    }
}
