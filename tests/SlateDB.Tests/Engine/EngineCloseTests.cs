using SlateDB.Storage;
using SlateDB.Testing;
using static SlateDB.Tests.Engine.EngineTestSupport;

namespace SlateDB.Tests.Engine;

/// <summary>
/// Close under races, cancellation and failure: concurrent closes share one close, a cancelled close can be retried
/// to completion without losing writes, and a close that could not persist what was written says so.
/// </summary>
public sealed class EngineCloseTests
{
    [Fact]
    public async Task Sixteen_concurrent_closes_all_await_the_same_close_and_none_throws()
    {
        for (var round = 0; round < 20; round++)
        {
            var store = new InMemoryObjectStore();
            var db = await OpenAsync(store, TestOptions());
            for (var i = 0; i < 50; i++)
            {
                await db.PutAsync($"k{i}", $"r{round}");
            }

            var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var closes = Enumerable.Range(0, 16).Select(_ => Task.Run(async () =>
            {
                await start.Task;
                await db.CloseAsync();
            })).ToList();
            start.SetResult();
            await Task.WhenAll(closes).WaitAsync(TimeSpan.FromSeconds(30));
            await db.CloseAsync();

            await using var reopened = await OpenAsync(store, TestOptions(), seed: 2);
            (await reopened.GetAsync("k49")).Should().Be($"r{round}", $"round {round}: the close wrote everything out");
        }
    }

    [Fact]
    public async Task A_close_whose_token_fires_mid_close_goes_on_and_a_retried_close_completes_with_every_write()
    {
        var memory = new InMemoryObjectStore();
        var gated = new GatedObjectStore(memory, "db/wal/");
        var options = TestOptions() with { FlushInterval = null };
        var db = await OpenAsync(gated, options);
        for (var i = 0; i < 100; i++)
        {
            await db.PutAsync($"k{i:D3}", "v");
        }

        gated.Close();
        using var cts = new CancellationTokenSource();
        var closing = db.CloseAsync(cts.Token).AsTask();
        await EventuallyAsync(() => gated.Waiting >= 1, "the close's WAL PUT to stall");
        await cts.CancelAsync();
        await closing.Invoking(c => c.WaitAsync(TimeSpan.FromSeconds(10))).Should().ThrowAsync<OperationCanceledException>("the caller stopped waiting");

        var retry = db.CloseAsync().AsTask();
        gated.Open();
        await retry.WaitAsync(TimeSpan.FromSeconds(10));
        await db.CloseAsync();

        await using var reopened = await OpenAsync(memory, options, seed: 2);
        for (var i = 0; i < 100; i++)
        {
            (await reopened.GetAsync($"k{i:D3}")).Should().Be("v", $"write {i} was committed before the close");
        }
    }

    [Fact]
    public async Task A_close_after_the_wal_writer_failed_reports_the_writes_it_lost()
    {
        var memory = new InMemoryObjectStore();
        var faulty = new FaultInjectingObjectStore(memory);
        var options = TestOptions() with { FlushInterval = null };
        var db = await OpenAsync(faulty, options);
        await db.PutAsync("durable", "v", writeOptions: new WriteOptions { AwaitDurable = false });
        await db.FlushAsync();
        for (var i = 0; i < 3; i++)
        {
            await db.PutAsync($"lost{i}", "v");
        }

        faulty.Options = new FaultInjectionOptions { Operations = FaultOperations.Puts, PermanentFailureProbability = 1 };
        var latched = (await db.Invoking(d => d.FlushAsync().AsTask()).Should().ThrowAsync<SlateDbException>()).Which;
        latched.CloseReason.Should().Be(CloseReason.Failed, latched.ToString());
        faulty.Options = FaultInjectionOptions.None;

        var close = (await db.Invoking(d => d.CloseAsync().AsTask()).Should().ThrowAsync<SlateDbException>()).Which;
        close.Kind.Should().Be(SlateDbErrorKind.Closed, close.ToString());
        close.CloseReason.Should().Be(CloseReason.Failed);
        close.Message.Should().Contain("3 committed writes");
        var again = (await db.Invoking(d => d.CloseAsync().AsTask()).Should().ThrowAsync<SlateDbException>()).Which;
        again.Should().BeSameAs(close, "every close call sees the one close's outcome");

        await using var reopened = await OpenAsync(memory, options, seed: 2);
        (await reopened.GetAsync("durable")).Should().Be("v");
        (await reopened.GetAsync("lost0")).Should().BeNull("the close said it was lost");
    }

    [Fact]
    public async Task A_close_after_a_failure_with_everything_durable_returns_normally()
    {
        var memory = new InMemoryObjectStore();
        var faulty = new FaultInjectingObjectStore(memory);
        var options = TestOptions() with { FlushInterval = TimeSpan.FromMilliseconds(5) };
        var db = await OpenAsync(faulty, options);
        await db.PutAsync("durable", "v", writeOptions: new WriteOptions { AwaitDurable = true });

        // The next manifest poll fails for good: a failure latch with nothing pending.
        faulty.Options = new FaultInjectionOptions { Operations = FaultOperations.All, PermanentFailureProbability = 1 };
        await db.Invoking(d => d.FlushAsync(new FlushOptions { FlushType = FlushType.MemTable }).AsTask()).Should().ThrowAsync<SlateDbException>();
        faulty.Options = FaultInjectionOptions.None;
        await db.CloseAsync();

        await using var reopened = await OpenAsync(memory, options, seed: 2);
        (await reopened.GetAsync("durable")).Should().Be("v");
    }
}
