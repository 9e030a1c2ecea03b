using Microsoft.Extensions.Time.Testing;
using SlateDB.GarbageCollection;
using SlateDB.Manifest;
using SlateDB.Storage;
using SlateDB.Tests.Engine;
using static SlateDB.Tests.Engine.EngineTestSupport;

namespace SlateDB.Tests.GarbageCollection;

/// <summary>
/// Risk R1 (SlateDB #1622, fixed by #1672 in 0.14): a writer stalled for longer than the WAL task's minimum age must
/// still be fenced when it wakes up, however often the collector ran meanwhile.
/// </summary>
public sealed class ZombieWriterFenceTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_writer_stalled_past_the_minimum_age_is_fenced_after_gc_and_loses_nothing_acknowledged(bool embedded)
    {
        var (store, a, zombieFlush, reopen) = await RunScenarioAsync(embedded, deleteFences: false);

        // A wakes up: its WAL PUT meets the fence, so its write is refused instead of acknowledged and lost.
        var failure = (await zombieFlush.Invoking(f => f.WaitAsync(TimeSpan.FromSeconds(10))).Should().ThrowAsync<SlateDbException>()).Which;
        failure.Kind.Should().Be(SlateDbErrorKind.Closed, failure.ToString());
        failure.CloseReason.Should().Be(CloseReason.Fenced, failure.ToString());
        await CloseMaybeFencedAsync(a);
        await using var c = await reopen();
        (await c.GetAsync("before")).Should().Be("a");
        (await c.GetAsync("b")).Should().Be("b");
        (await c.GetAsync("zombie")).Should().BeNull("A's write after B opened was refused");
        (await store.HeadAsync(new DbPaths("db").WalSstPath(3), default)).Should().NotBeNull();
    }

    /// <summary>
    /// The same run with the fence task's dry run turned off (what this library did before it had a fence task):
    /// A's write is acknowledged as durable and no later open sees it. This is why fences are kept by default.
    /// </summary>
    [Fact]
    public async Task With_fence_deletion_on_the_stalled_writer_gets_a_write_acknowledged_that_is_then_lost()
    {
        var (_, a, zombieFlush, reopen) = await RunScenarioAsync(embedded: false, deleteFences: true);

        await zombieFlush.WaitAsync(TimeSpan.FromSeconds(10));
        await CloseMaybeFencedAsync(a);
        await using var c = await reopen();
        (await c.GetAsync("b")).Should().Be("b");
        (await c.GetAsync("zombie")).Should().BeNull("recovery starts after the replay point, past A's slot");
    }

    /// <summary>
    /// Writer A stalls in its WAL PUT; writer B opens, fences A's slot, writes and flushes to L0; the collector runs
    /// with a 1 s minimum age after 2 s; A's PUT is released. Returns A's pending flush and a reopen of the database.
    /// </summary>
    private static async Task<(InMemoryObjectStore Store, SlateDb A, Task ZombieFlush, Func<Task<SlateDb>> Reopen)> RunScenarioAsync(bool embedded, bool deleteFences)
    {
        var time = NewFakeTime();
        var store = new InMemoryObjectStore(time);
        var paths = new DbPaths("db");
        var options = TestOptions() with { FlushInterval = null };
        var walTask = new GarbageCollectorDirectoryOptions { Interval = null, MinAge = TimeSpan.FromSeconds(1) };
        var gcOptions = new GarbageCollectorOptions
        {
            ManifestOptions = null,
            WalOptions = walTask,
            WalFenceOptions = deleteFences ? walTask : new GarbageCollectorDirectoryOptions { Interval = null, MinAge = TimeSpan.FromSeconds(1), DryRun = true },
            CompactedOptions = null,
            CompactionsOptions = null,
        };

        // Writer A runs on its own clock, which never moves: it never polls the manifest, so only its next WAL
        // write can tell it that it was fenced.
        var gated = new GatedObjectStore(store, "db/wal/");
        var a = await OpenAsync(gated, options, new FakeTimeProvider(Epoch), seed: 1);
        await a.PutAsync("before", "a");
        await a.FlushAsync();

        // A's next WAL PUT stalls (a paused process, a stuck connection).
        gated.Close();
        await a.PutAsync("zombie", "a");
        var zombieFlush = a.FlushAsync().AsTask();
        await EventuallyAsync(() => gated.Waiting == 1, "A's WAL PUT to stall");

        // Writer B opens: it fences A's next slot, writes, and moves the replay point past the fence.
        var b = await OpenAsync(store, options with { GarbageCollectorOptions = embedded ? gcOptions : null }, time, seed: 2);
        await b.PutAsync("b", "b");
        await b.FlushAsync();
        await b.FlushAsync(new FlushOptions { FlushType = FlushType.MemTable });
        var stalledSlot = paths.WalSstPath(3);
        (await store.HeadAsync(stalledSlot, default)).Should().NotBeNull("B fenced A's next slot");

        time.Advance(TimeSpan.FromSeconds(2));
        GarbageCollectionSummary summary;
        if (embedded)
        {
            summary = await b.EmbeddedGarbageCollector!.RunOnceAsync();
        }
        else
        {
            await using var collector = await GarbageCollector.StartAsync("db", store, gcOptions, time);
            summary = await collector.RunOnceAsync();
        }

        summary.CandidatesOf(GarbageKind.Wal).Should().Contain(paths.WalSstPath(2), "the WAL task ran and collected A's flushed WAL SST");
        summary.CandidatesOf(GarbageKind.Wal).Should().NotContain(stalledSlot);
        summary.For(GarbageKind.WalFence)!.DryRun.Should().Be(!deleteFences);
        summary.CandidatesOf(GarbageKind.WalFence).Should().Contain(stalledSlot);
        (await store.HeadAsync(stalledSlot, default) is not null).Should().Be(!deleteFences, "the fence in A's slot survives unless fences are deleted");

        gated.Open();
        await b.CloseAsync();
        return (store, a, zombieFlush, () => OpenAsync(store, options, time, seed: 3));
    }
}
