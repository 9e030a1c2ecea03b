using SlateDB.Storage;
using SlateDB.Testing;

namespace SlateDB.Tests.Storage.Decorators;

public sealed class FaultInjectingObjectStoreTests
{
    private static readonly byte[] Payload = [1, 2, 3, 4];

    /// <summary>Runs a fixed sequence of requests and describes what happened to each.</summary>
    private static async Task<List<string>> RunSequenceAsync(FaultInjectingObjectStore store, int count)
    {
        var outcomes = new List<string>(count);
        for (var i = 0; i < count; i++)
        {
            try
            {
                var result = await store.PutAsync($"k/{i}", Payload, PutMode.Create, default);
                outcomes.Add(result.Outcome.ToString());
            }
            catch (SlateDbException e)
            {
                outcomes.Add(e.Kind + ":" + e.Message);
            }
        }

        return outcomes;
    }

    [Fact]
    public async Task The_same_seed_gives_the_same_faults()
    {
        const int seed = 42;
        var options = new FaultInjectionOptions { TransientFailureProbability = 0.2, LostResponseProbability = 0.1, PermanentFailureProbability = 0.05 };

        var first = await RunSequenceAsync(new FaultInjectingObjectStore(new TestMemoryStore(), options, new Random(seed)), 500);
        var second = await RunSequenceAsync(new FaultInjectingObjectStore(new TestMemoryStore(), options, new Random(seed)), 500);
        var other = await RunSequenceAsync(new FaultInjectingObjectStore(new TestMemoryStore(), options, new Random(seed + 1)), 500);

        second.Should().Equal(first, $"seed {seed}");
        other.Should().NotEqual(first, "another seed gives other faults");
    }

    [Fact]
    public async Task Probabilities_are_roughly_honoured()
    {
        const int seed = 7;
        const int operations = 10_000;
        var memory = new TestMemoryStore();
        var options = new FaultInjectionOptions { TransientFailureProbability = 0.10, LostResponseProbability = 0.05, PermanentFailureProbability = 0.02 };
        var store = new FaultInjectingObjectStore(memory, options, new Random(seed));

        var outcomes = await RunSequenceAsync(store, operations);

        // Binomial standard deviations are at most 30, 22 and 14: allow about four of them.
        store.SelectedRequests.Should().Be(operations);
        store.InjectedTransientFailures.Should().BeInRange(880, 1120, $"seed {seed}");
        store.InjectedLostResponses.Should().BeInRange(410, 590, $"seed {seed}");
        store.InjectedPermanentFailures.Should().BeInRange(140, 260, $"seed {seed}");
        outcomes.Count(o => o.StartsWith("Internal:", StringComparison.Ordinal)).Should().Be((int)store.InjectedPermanentFailures);
        outcomes.Count(o => o.StartsWith("Unavailable:", StringComparison.Ordinal))
            .Should().Be((int)(store.InjectedTransientFailures + store.InjectedLostResponses));
        memory.Count.Should().Be(outcomes.Count(o => o == "Written") + (int)store.InjectedLostResponses,
            "written puts and lost responses were applied; failures before the store were not");
    }

    [Fact]
    public async Task Lost_responses_are_really_applied_and_failures_before_are_not()
    {
        var memory = new TestMemoryStore();
        var store = new FaultInjectingObjectStore(memory, new FaultInjectionOptions { LostResponseProbability = 1 });

        var put = await store.Invoking(s => s.PutAsync("wal/1.sst", Payload, PutMode.Create, default).AsTask()).Should().ThrowAsync<SlateDbException>();
        put.Which.Kind.Should().Be(SlateDbErrorKind.Unavailable);
        memory.Read("wal/1.sst").Should().Equal(Payload);

        await store.Invoking(s => s.DeleteAsync("wal/1.sst", default).AsTask()).Should().ThrowAsync<SlateDbException>();
        memory.Read("wal/1.sst").Should().BeNull();

        store.Options = new FaultInjectionOptions { TransientFailureProbability = 1 };
        await store.Invoking(s => s.PutAsync("wal/2.sst", Payload, PutMode.Create, default).AsTask()).Should().ThrowAsync<SlateDbException>();
        memory.Read("wal/2.sst").Should().BeNull();

        store.Options = new FaultInjectionOptions { PermanentFailureProbability = 1 };
        var permanent = await store.Invoking(s => s.PutAsync("wal/3.sst", Payload, PutMode.Create, default).AsTask()).Should().ThrowAsync<SlateDbException>();
        permanent.Which.Kind.Should().Be(SlateDbErrorKind.Internal);
        memory.Read("wal/3.sst").Should().BeNull();
    }

    [Fact]
    public async Task Filters_select_operations_and_paths()
    {
        var memory = new TestMemoryStore();
        var store = new FaultInjectingObjectStore(memory, new FaultInjectionOptions
        {
            TransientFailureProbability = 1,
            Operations = FaultOperations.ConditionalPuts,
            PathPrefix = "db/wal/",
        });

        (await store.PutAsync("db/wal/1.sst", Payload, PutMode.Overwrite, default)).IsWritten.Should().BeTrue("overwrites are not selected");
        (await store.PutAsync("db/manifest/1", Payload, PutMode.Create, default)).IsWritten.Should().BeTrue("other paths are not selected");
        (await store.GetAsync("db/wal/1.sst", default)).Should().NotBeNull("reads are not selected");
        await store.Invoking(s => s.PutAsync("db/wal/2.sst", Payload, PutMode.Create, default).AsTask()).Should().ThrowAsync<SlateDbException>();
        store.SelectedRequests.Should().Be(1);

        store.Options = new FaultInjectionOptions { TransientFailureProbability = 1, Operations = FaultOperations.List, PathPrefix = "db/wal/" };
        var listAll = async () =>
        {
            await foreach (var _ in store.ListAsync("", default))
            {
            }
        };
        await listAll.Should().ThrowAsync<SlateDbException>("a listing of everything covers db/wal/");
        var listed = 0;
        await foreach (var _ in store.ListAsync("db/manifest/", default))
        {
            listed++;
        }

        listed.Should().Be(1, "a listing elsewhere is not selected");
    }

    [Fact]
    public async Task FailAll_simulates_an_outage_and_can_be_toggled()
    {
        var memory = new TestMemoryStore();
        var store = new FaultInjectingObjectStore(memory) { FailAll = true };

        var thrown = await store.Invoking(s => s.PutAsync("a", Payload, PutMode.Overwrite, default).AsTask()).Should().ThrowAsync<SlateDbException>();
        thrown.Which.Kind.Should().Be(SlateDbErrorKind.Unavailable);
        await store.Invoking(s => s.HeadAsync("a", default).AsTask()).Should().ThrowAsync<SlateDbException>();
        memory.Count.Should().Be(0);
        store.OutageFailures.Should().Be(2);

        store.FailAll = false;
        (await store.PutAsync("a", Payload, PutMode.Overwrite, default)).IsWritten.Should().BeTrue();
        (await store.HeadAsync("a", default))!.Size.Should().Be(Payload.Length);
    }

    [Fact]
    public async Task Latency_runs_on_the_time_provider()
    {
        var clock = new DelayRecordingTimeProvider();
        var store = new FaultInjectingObjectStore(
            new TestMemoryStore(),
            new FaultInjectionOptions { Latency = TimeSpan.FromMilliseconds(20), LatencyJitter = TimeSpan.FromMilliseconds(10) },
            new Random(3),
            clock);

        var put = store.PutAsync("a", Payload, PutMode.Create, default).AsTask();
        put.IsCompleted.Should().BeFalse("the put waits for its latency");
        var waits = await clock.DriveAsync(put);

        (await put).IsWritten.Should().BeTrue();
        waits.Should().ContainSingle().Which.TotalMilliseconds.Should().BeInRange(20, 30);
    }

    [Fact]
    public void Options_are_validated()
    {
        var inner = new TestMemoryStore();
        FluentActions.Invoking(() => new FaultInjectingObjectStore(inner, new FaultInjectionOptions { TransientFailureProbability = 1.5 })).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => new FaultInjectingObjectStore(inner, new FaultInjectionOptions { TransientFailureProbability = 0.6, LostResponseProbability = 0.6 })).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => new FaultInjectingObjectStore(inner, new FaultInjectionOptions { Latency = TimeSpan.FromSeconds(-1) })).Should().Throw<ArgumentException>();
        var store = new FaultInjectingObjectStore(inner);
        FluentActions.Invoking(() => store.Options = new FaultInjectionOptions { PermanentFailureProbability = -0.1 }).Should().Throw<ArgumentException>();
    }
}
