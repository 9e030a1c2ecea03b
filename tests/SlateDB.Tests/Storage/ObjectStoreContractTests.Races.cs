using System.Diagnostics;
using SlateDB.Storage;
using Xunit.Abstractions;

namespace SlateDB.Tests.Storage;

/// <summary>Races: conditional puts started together on one key, repeated many rounds.</summary>
public abstract partial class ObjectStoreContractTests
{
    protected const int Racers = 16;

    /// <summary>How many rounds each race test runs (fewer for stores on a server, whose rounds take longer).</summary>
    protected virtual int Rounds => 50;

    /// <summary>Where race timings go (null: nowhere).</summary>
    protected ITestOutputHelper? Output { get; init; }

    [StoreFact]
    [ChecksConditionalPuts]
    public async Task Of_concurrent_creates_of_one_key_exactly_one_is_written()
    {
        var store = CreateStore();
        var watch = Stopwatch.StartNew();

        for (var round = 0; round < Rounds; round++)
        {
            var key = $"race/create/{round:D3}";
            var results = await RaceAsync(racer => store.PutAsync(key, RacerPayload(round, racer), PutMode.Create, default));

            results.Count(r => r.Outcome == PutOutcome.Written).Should().Be(1, $"round {round}");
            results.Count(r => r.Outcome == PutOutcome.AlreadyExists).Should().Be(Racers - 1, $"round {round}");
            var winner = Array.FindIndex(results, r => r.IsWritten);
            var stored = await store.GetAsync(key, default);
            stored!.Data.ToArray().Should().Equal(RacerPayload(round, winner), $"round {round}: the winner's bytes are stored");
            stored.Metadata.Version.Should().Be(results[winner].Version);
        }

        Output?.WriteLine($"{Rounds} rounds of {Racers} concurrent creates: {watch.ElapsedMilliseconds} ms");
    }

    [StoreFact]
    [ChecksConditionalPuts]
    public async Task Of_concurrent_updates_naming_one_version_exactly_one_is_written()
    {
        var store = CreateStore();
        var watch = Stopwatch.StartNew();

        for (var round = 0; round < Rounds; round++)
        {
            var key = $"race/update/{round % 5}";
            var start = await store.PutAsync(key, Bytes($"start {round}"), PutMode.Overwrite, default);
            var results = await RaceAsync(racer => store.PutAsync(key, RacerPayload(round, racer), PutMode.Update(start.Version!), default));

            results.Count(r => r.Outcome == PutOutcome.Written).Should().Be(1, $"round {round}");
            results.Count(r => r.Outcome == PutOutcome.VersionMismatch).Should().Be(Racers - 1, $"round {round}");
            var winner = Array.FindIndex(results, r => r.IsWritten);
            var stored = await store.GetAsync(key, default);
            stored!.Data.ToArray().Should().Equal(RacerPayload(round, winner), $"round {round}: the winner's bytes are stored");
            stored.Metadata.Version.Should().Be(results[winner].Version);
        }

        Output?.WriteLine($"{Rounds} rounds of {Racers} concurrent updates: {watch.ElapsedMilliseconds} ms");
    }

    [StoreFact]
    public async Task Readers_racing_overwrites_see_whole_objects_only()
    {
        var store = CreateStore();
        var versions = Enumerable.Range(0, 4).Select(i => SeededBytes(64 * 1024, seed: 100 + i)).ToArray();
        await store.PutAsync("hot", versions[0], PutMode.Overwrite, default);
        using var stop = new CancellationTokenSource();

        var writer = Task.Run(async () =>
        {
            for (var i = 1; i <= 200; i++)
            {
                await store.PutAsync("hot", versions[i % versions.Length], PutMode.Overwrite, default);
            }

            await stop.CancelAsync();
        });
        var reads = 0;
        while (!stop.IsCancellationRequested)
        {
            var got = await store.GetAsync("hot", default);
            got.Should().NotBeNull("an overwritten object never disappears");
            var data = got!.Data.ToArray();
            versions.Count(v => v.AsSpan().SequenceEqual(data)).Should().Be(1, "a read returns one whole written object");
            reads++;
        }

        await writer;
        Output?.WriteLine($"{reads} reads raced 200 overwrites");
    }

    /// <summary>Starts <see cref="Racers"/> puts at once (released together by one gate) and returns their results by racer.</summary>
    protected static async Task<PutResult[]> RaceAsync(Func<int, ValueTask<PutResult>> put)
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var tasks = Enumerable.Range(0, Racers).Select(racer => Task.Run(async () =>
        {
            await gate.Task;
            return await put(racer);
        })).ToArray();
        gate.SetResult();
        return await Task.WhenAll(tasks);
    }

    protected static byte[] RacerPayload(int round, int racer) => Bytes($"round {round} racer {racer}");
}
