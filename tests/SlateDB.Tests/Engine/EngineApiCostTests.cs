using SlateDB.Storage;
using Xunit.Abstractions;
using static SlateDB.Tests.Engine.EngineTestSupport;

namespace SlateDB.Tests.Engine;

/// <summary>
/// What the engine costs in object-store requests: WAL PUTs follow the flush interval, not the write rate, and an idle
/// database writes nothing. Time is a fake clock, so "5 seconds" is exact.
/// </summary>
public sealed class EngineApiCostTests(ITestOutputHelper output)
{
    private const string WalPrefix = "db/wal/";

    [Fact]
    public async Task A_steady_write_stream_for_five_seconds_makes_at_most_55_wal_puts()
    {
        var counting = new PutCountingObjectStore(new InMemoryObjectStore());
        using var store = new InstrumentedObjectStore(counting);
        var time = NewFakeTime();
        var options = TestOptions(l0SstSizeBytes: 16 * 1024 * 1024) with { FlushInterval = SlateDbOptions.Default.FlushInterval };
        options.FlushInterval.Should().Be(TimeSpan.FromMilliseconds(100));
        await using var db = await OpenAsync(store, options, time);
        var walPutsAtOpen = counting.PutsUnder(WalPrefix);
        var statsAtOpen = store.Stats;

        // One write every 2 ms of fake time for 5 s: 2,500 writes.
        const int Writes = 2500;
        for (var i = 0; i < Writes; i++)
        {
            await db.PutAsync(Bytes($"key-{i % 500:D4}"), Bytes($"value-{i}"));
            time.Advance(TimeSpan.FromMilliseconds(2));
            if (i % 10 == 9)
            {
                // Let the WAL loop run (and arm its next timer) before time moves on.
                await Task.Delay(1);
            }
        }

        var walPuts = counting.PutsUnder(WalPrefix) - walPutsAtOpen;
        var stats = store.Stats;
        output.WriteLine($"{Writes} writes over 5 s of fake time: {walPuts} WAL PUTs; all puts {stats.Puts - statsAtOpen.Puts}, gets {stats.Gets - statsAtOpen.Gets}, lists {stats.Lists - statsAtOpen.Lists}");
        walPuts.Should().BeLessThanOrEqualTo(55, "WAL objects are written once per 100 ms flush interval, not once per write");
        walPuts.Should().BeGreaterThanOrEqualTo(5, "the interval timer flushes the WAL while writes keep coming");
        (stats.Puts - statsAtOpen.Puts).Should().Be(walPuts, "the 16 MiB memtable never filled, so nothing but the WAL was written");

        await db.FlushAsync();
        (await db.GetAsync("key-0499", new ReadOptions { DurabilityFilter = DurabilityLevel.Remote })).Should().Be($"value-{Writes - 1}");
    }

    [Fact]
    public async Task Concurrent_durable_writers_share_wal_objects()
    {
        var counting = new PutCountingObjectStore(new InMemoryObjectStore());
        var time = NewFakeTime();
        var options = TestOptions() with { FlushInterval = TimeSpan.FromMilliseconds(100) };
        await using var db = await OpenAsync(counting, options, time);
        var walPutsAtOpen = counting.PutsUnder(WalPrefix);

        var writes = Enumerable.Range(0, 64).Select(i => db.PutAsync(Bytes($"k{i}"), Bytes("v"), writeOptions: new WriteOptions { AwaitDurable = true }).AsTask()).ToList();
        var all = Task.WhenAll(writes);
        for (var i = 0; i < 200 && !all.IsCompleted; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(100));
            await Task.WhenAny(all, Task.Delay(10));
        }

        await all.WaitAsync(TimeSpan.FromSeconds(5));
        // One WAL object, or two when the WAL loop's first pass (at open) took the first few writes.
        (counting.PutsUnder(WalPrefix) - walPutsAtOpen).Should().BeInRange(1, 2, "64 writes committed together share a WAL object");
    }

    [Fact]
    public async Task An_idle_database_makes_no_puts()
    {
        var counting = new PutCountingObjectStore(new InMemoryObjectStore());
        using var store = new InstrumentedObjectStore(counting);
        var time = NewFakeTime();
        var options = TestOptions() with { FlushInterval = TimeSpan.FromMilliseconds(100) };
        await using var db = await OpenAsync(store, options, time);
        await db.PutAsync("key", "value", writeOptions: new WriteOptions { AwaitDurable = false });
        await db.FlushAsync();
        var walPuts = counting.PutsUnder(WalPrefix);
        var puts = store.Stats.Puts;

        // Ten seconds of fake time: a hundred flush intervals and ten manifest polls.
        for (var i = 0; i < 100; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(100));
            if (i % 10 == 9)
            {
                await Task.Delay(2);
            }
        }

        counting.PutsUnder(WalPrefix).Should().Be(walPuts, "an empty WAL buffer is never written");
        store.Stats.Puts.Should().Be(puts, "an idle writer writes nothing at all");
    }
}
