using SlateDB.Storage;
using SlateDB.Tests.Engine;

namespace SlateDB.Tests.Read;

/// <summary>
/// Read backpressure (<see cref="SlateDbOptions.MaxInFlightReads"/>, SlateDB issue #646): a cold start with many
/// concurrent gets keeps at most the cap of object-store reads in flight, and every get still answers.
/// </summary>
public sealed class ReadBackpressureTests
{
    private const int Rows = 20_000;

    private static byte[] Key(int i) => System.Text.Encoding.UTF8.GetBytes($"key-{i:D8}");

    private static async Task<InMemoryObjectStore> WrittenStoreAsync()
    {
        var store = new InMemoryObjectStore();
        await using var db = await EngineTestSupport.OpenAsync(store, EngineTestSupport.TestOptions(l0SstSizeBytes: 64L * 1024 * 1024));
        for (var i = 0; i < Rows; i++)
        {
            await db.PutAsync(Key(i), BitConverter.GetBytes(i), writeOptions: new WriteOptions { AwaitDurable = false });
        }

        await db.FlushAsync(new FlushOptions { FlushType = FlushType.MemTable });
        return store;
    }

    private static async Task<int> PeakReadsOfColdGetsAsync(SlateDbOptions options)
    {
        var counting = new InFlightCountingStore(await WrittenStoreAsync());
        await using var db = await EngineTestSupport.OpenAsync(counting, options);
        counting.ResetPeak();
        var random = new Random(11);
        var keys = Enumerable.Range(0, 256).Select(_ => random.Next(Rows)).ToArray();
        var values = await Task.WhenAll(keys.Select(async k =>
        {
            await Task.Yield();
            return await db.GetAsync(Key(k));
        }));
        values.Select((v, i) => BitConverter.ToInt32(v!)).Should().Equal(keys, "every get answers its own key's value under backpressure");
        return counting.PeakInFlight;
    }

    [Fact]
    public async Task A_cold_start_of_256_concurrent_gets_keeps_reads_in_flight_at_the_cap()
    {
        var capped = await PeakReadsOfColdGetsAsync(EngineTestSupport.TestOptions(l0SstSizeBytes: 64L * 1024 * 1024) with { MaxInFlightReads = 4 });
        var uncapped = await PeakReadsOfColdGetsAsync(EngineTestSupport.TestOptions(l0SstSizeBytes: 64L * 1024 * 1024));

        capped.Should().BeInRange(1, 4, "the cap holds the rest back");
        uncapped.Should().BeGreaterThan(4, "without a cap the same cold start has more reads in flight (so the first figure shows the cap working)");
    }

    [Fact]
    public void A_memory_budget_derives_a_cap_and_an_explicit_cap_wins()
    {
        var defaults = new SlateDbOptions();
        defaults.EffectiveMaxInFlightReads.Should().BeNull("no budget and no cap: reads are not limited (as SlateDB)");
        (defaults with { MemoryBudgetBytes = 256L * 1024 * 1024 }).EffectiveMaxInFlightReads.Should().Be(64);
        (defaults with { MemoryBudgetBytes = 16L * 1024 * 1024 }).EffectiveMaxInFlightReads.Should().Be(16);
        (defaults with { MemoryBudgetBytes = 64L * 1024 * 1024 * 1024 }).EffectiveMaxInFlightReads.Should().Be(256);
        (defaults with { MemoryBudgetBytes = 256L * 1024 * 1024, MaxInFlightReads = 3 }).EffectiveMaxInFlightReads.Should().Be(3);
    }

    [Fact]
    public void A_cap_below_one_is_refused_and_the_setting_round_trips_through_json()
    {
        var bad = new SlateDbOptions { MaxInFlightReads = 0 };
        bad.Invoking(o => o.Validate()).Should().Throw<SlateDbException>().WithMessage("*max_in_flight_reads*");

        var options = new SlateDbOptions { MaxInFlightReads = 12 };
        SlateDbOptions.FromJson(options.ToJson()).MaxInFlightReads.Should().Be(12);
    }
}
