using SlateDB.Storage;
using SlateDB.Testing;
using static SlateDB.Tests.Engine.EngineTestSupport;

namespace SlateDB.Tests.Engine;

/// <summary>
/// An unreliable object store: transient failures and lost responses are retried (as SlateDB retries every request),
/// and when retries run out the database closes as Failed and says so on every later call.
/// </summary>
public sealed class EngineFaultTests
{
    private static readonly WriteOptions Durable = new() { AwaitDurable = true };

    [Fact]
    public async Task Transient_failures_and_lost_responses_are_retried_and_lose_nothing()
    {
        const int Seed = 20260905;
        var inner = new InMemoryObjectStore();
        var flaky = new FaultInjectingObjectStore(
            inner,
            new FaultInjectionOptions { TransientFailureProbability = 0.05, LostResponseProbability = 0.05 },
            new Random(Seed));
        var options = TestOptions(l0SstSizeBytes: 4 * 1024);
        var db = await OpenAsync(flaky, options, seed: Seed);

        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < 40; i++)
            {
                await db.PutAsync($"w{w}-{i:D2}", new string('v', 200), writeOptions: Durable);
            }
        })).ToList();
        await Task.WhenAll(writers).WaitAsync(TimeSpan.FromSeconds(60));
        await db.FlushAsync(new FlushOptions { FlushType = FlushType.MemTable });
        await db.CloseAsync();

        (flaky.InjectedTransientFailures + flaky.InjectedLostResponses).Should().BeGreaterThan(0, $"seed {Seed}: the store did fail now and then");
        await using var reopened = await OpenAsync(inner, options, seed: Seed + 1);
        for (var w = 0; w < 4; w++)
        {
            for (var i = 0; i < 40; i++)
            {
                (await reopened.GetAsync($"w{w}-{i:D2}")).Should().Be(new string('v', 200), $"seed {Seed}: w{w}-{i:D2}");
            }
        }
    }

    [Fact]
    public async Task When_retries_run_out_the_database_closes_as_failed()
    {
        var flaky = new FaultInjectingObjectStore(new InMemoryObjectStore());
        var options = TestOptions() with { ObjectStoreMaxRetries = 0 };
        var db = await OpenAsync(flaky, options);
        await db.PutAsync("before", "x", writeOptions: Durable);

        flaky.FailAll = true;
        var failed = (await db.Invoking(d => d.PutAsync("during", "x", writeOptions: Durable).AsTask()).Should().ThrowAsync<SlateDbException>()).Which;
        failed.Kind.Should().Be(SlateDbErrorKind.Closed);
        failed.CloseReason.Should().Be(CloseReason.Failed);
        failed.InnerException.Should().BeOfType<SlateDbException>().Which.Kind.Should().Be(SlateDbErrorKind.Unavailable);

        flaky.FailAll = false;
        var later = (await db.Invoking(d => d.GetAsync("before").AsTask()).Should().ThrowAsync<SlateDbException>()).Which;
        later.CloseReason.Should().Be(CloseReason.Failed);
        var close = (await db.Invoking(d => d.CloseAsync().AsTask()).Should().ThrowAsync<SlateDbException>("the write of \"during\" never became durable")).Which;
        close.CloseReason.Should().Be(CloseReason.Failed);

        await using var reopened = await OpenAsync(flaky, options, seed: 2);
        (await reopened.GetAsync("before")).Should().Be("x");
    }
}
