using System.Collections.Concurrent;
using System.Text;
using SlateDB.Storage;
using SlateDB.Testing;

namespace SlateDB.Tests.Storage.Decorators;

public sealed class DecoratorStackTests
{
    [Fact]
    public async Task Retrying_over_a_faulty_store_reports_every_create_written_exactly_once()
    {
        const int seed = 20250101;
        const int puts = 5_000;
        const int tasks = 8;
        var memory = new TestMemoryStore();
        var faulty = new FaultInjectingObjectStore(
            memory,
            new FaultInjectionOptions { TransientFailureProbability = 0.10, LostResponseProbability = 0.05 },
            new Random(seed));
        using var counted = new InstrumentedObjectStore(faulty);
        var store = new RetryingObjectStore(counted, new RetryOptions { InitialBackoff = TimeSpan.Zero, MaxBackoff = TimeSpan.Zero }, random: new Random(seed));

        static byte[] Body(int i) => Encoding.UTF8.GetBytes($"object {i}: {new string('x', i % 97)}");

        var results = new ConcurrentDictionary<int, PutResult>();
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, tasks).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < puts)
            {
                var result = await store.PutAsync($"db/wal/{i:D20}.sst", Body(i), PutMode.Create, default);
                results.TryAdd(i, result).Should().BeTrue();
            }
        })));

        results.Should().HaveCount(puts);
        results.Values.Should().OnlyContain(r => r.Outcome == PutOutcome.Written, $"no false conflicts (seed {seed})");
        memory.Count.Should().Be(puts);
        for (var i = 0; i < puts; i++)
        {
            memory.Read($"db/wal/{i:D20}.sst").Should().Equal(Body(i), $"object {i} (seed {seed})");
            results[i].Version.Should().Be((await memory.HeadAsync($"db/wal/{i:D20}.sst", default))!.Version);
        }

        // Faults really happened, and every lost create was resolved by reading the object back.
        faulty.InjectedTransientFailures.Should().BeGreaterThan(puts / 20);
        faulty.InjectedLostResponses.Should().BeGreaterThan(puts / 50);
        counted.Stats.CreatePuts.Should().BeGreaterThan(puts);
        counted.Stats.PutConflicts.Should().BeGreaterThan(0);
        counted.Stats.RangeGets.Should().BeGreaterThanOrEqualTo(counted.Stats.PutConflicts, "every conflict was read back");
    }
}
