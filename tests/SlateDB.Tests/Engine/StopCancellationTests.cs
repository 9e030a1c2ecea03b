using SlateDB.Compaction;
using SlateDB.GarbageCollection;
using SlateDB.Storage;

namespace SlateDB.Tests.Engine;

/// <summary>
/// <c>StopAsync(CancellationToken)</c> on the compactor and the garbage collector: a stop held up by a request that
/// ignores cancellation can be given up on; the component still stops once the request returns.
/// </summary>
public sealed class StopCancellationTests
{
    private static readonly SlateDbOptions WriterOptions = SlateDbOptions.Default with
    {
        FlushInterval = null,
        CompactorOptions = null,
        GarbageCollectorOptions = null,
    };

    [Fact]
    public async Task Cancelling_a_compactor_stop_abandons_the_wait_and_the_compactor_still_stops()
    {
        var store = new UncancellableGateStore(new InMemoryObjectStore(), "db/compacted/") { GatePuts = true };
        await using (var db = await SlateDb.OpenAsync("db", store, WriterOptions))
        {
            for (var i = 0; i < 2; i++)
            {
                await db.PutAsync($"key{i}", "v");
                await db.FlushAsync(new FlushOptions { FlushType = FlushType.MemTable });
            }
        }

        await using var compactor = await Compactor.Builder("db", store).WithPollingDisabled().StartAsync();
        store.Close();
        var compaction = compactor.CompactFullAsync();
        await store.Reached.WaitAsync(TimeSpan.FromSeconds(10));

        // Opened whatever happens, so that disposing the compactor cannot hang on a failed assertion.
        using var openAtEnd = new GateOpener(store);
        using var giveUp = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var stop = () => compactor.StopAsync(giveUp.Token).WaitAsync(TimeSpan.FromSeconds(10));

        await stop.Should().ThrowAsync<OperationCanceledException>();
        compactor.StopAsync().IsCompleted.Should().BeFalse("the compaction's output is still being written");
        store.Open();
        await compactor.StopAsync().WaitAsync(TimeSpan.FromSeconds(10));
        await FluentActions.Awaiting(() => compaction).Should().ThrowAsync<Exception>("the stop abandoned the compaction");
        await compactor.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Cancelling_a_garbage_collector_stop_abandons_the_wait_and_the_collector_still_stops()
    {
        var store = new UncancellableGateStore(new InMemoryObjectStore(), "db/") { GateLists = true };
        await using (var db = await SlateDb.OpenAsync("db", store, WriterOptions))
        {
            await db.PutAsync("k", "v");
        }

        var every = new GarbageCollectorDirectoryOptions { Interval = TimeSpan.FromMilliseconds(20) };
        var options = new GarbageCollectorOptions { ManifestOptions = every, WalOptions = every, WalFenceOptions = null, CompactedOptions = every, CompactionsOptions = every };
        await using var collector = await GarbageCollector.StartAsync("db", store, options);
        store.Close();
        await store.Reached.WaitAsync(TimeSpan.FromSeconds(10));

        using var openAtEnd = new GateOpener(store);
        using var giveUp = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var stop = () => collector.StopAsync(giveUp.Token).WaitAsync(TimeSpan.FromSeconds(10));

        await stop.Should().ThrowAsync<OperationCanceledException>();
        collector.StopAsync().IsCompleted.Should().BeFalse("a listing is still under way");
        store.Open();
        await collector.StopAsync().WaitAsync(TimeSpan.FromSeconds(10));
        await collector.StopAsync(CancellationToken.None);
        await FluentActions.Invoking(() => collector.RunOnceAsync()).Should().ThrowAsync<ObjectDisposedException>();
    }

    private sealed class GateOpener(UncancellableGateStore store) : IDisposable
    {
        public void Dispose() => store.Open();
    }
}
