using System.Diagnostics;
using SlateDB.Storage;
using SlateDB.Tests.Engine;
using static SlateDB.Tests.Engine.EngineTestSupport;

namespace SlateDB.Tests.Wal;

/// <summary>
/// The eager WAL flush policy: a durable write starts a WAL write at once (no interval wait), writes that arrive
/// while one is in flight go out together in the next (group commit), and the floor spaces WAL writes apart. The
/// fixed-interval policy keeps waiting for the interval.
/// </summary>
public sealed class WalFlushPolicyTests
{
    private static readonly WriteOptions Durable = new() { AwaitDurable = true };

    private static SlateDbOptions Options(WalFlushPolicy policy, TimeSpan? floor = null) => TestOptions() with
    {
        FlushInterval = TimeSpan.FromHours(1),
        WalFlushPolicy = policy,
        WalFlushMinInterval = floor ?? TimeSpan.Zero,
    };

    [Fact]
    public async Task Eager_durable_write_does_not_wait_for_the_flush_interval()
    {
        var store = new PutCountingObjectStore(new InMemoryObjectStore());
        await using var db = await OpenAsync(store, Options(WalFlushPolicy.Eager));
        var before = store.PutsUnder("db/wal/");
        var write = db.PutAsync("k", "v", writeOptions: Durable).AsTask();
        (await Task.WhenAny(write, Task.Delay(TimeSpan.FromSeconds(10)))).Should().BeSameAs(write, "an eager durable write costs one WAL PUT, not an hour's interval");
        await write;
        store.PutsUnder("db/wal/").Should().Be(before + 1);
        (await db.GetAsync("k")).Should().NotBeNull();
    }

    [Fact]
    public async Task Fixed_interval_durable_write_waits_for_the_tick()
    {
        var store = new InMemoryObjectStore();
        var db = await OpenAsync(store, Options(WalFlushPolicy.FixedInterval));
        await Task.Delay(200); // the loop's first pass (which writes whatever is buffered) is behind us
        var write = db.PutAsync("k", "v", writeOptions: Durable).AsTask();
        await Task.Delay(300);
        write.IsCompleted.Should().BeFalse("the fixed-interval policy writes the WAL only every FlushInterval");
        await db.FlushAsync(new FlushOptions { FlushType = FlushType.Wal });
        await write;
        await db.CloseAsync();
    }

    [Fact]
    public async Task Writes_arriving_during_an_in_flight_wal_put_share_the_next_put()
    {
        var inner = new InMemoryObjectStore();
        var gated = new GatedObjectStore(inner, "db/wal/");
        var counting = new PutCountingObjectStore(gated);
        await using var db = await OpenAsync(counting, Options(WalFlushPolicy.Eager));
        var before = counting.PutsUnder("db/wal/");

        gated.Close();
        var first = db.PutAsync("first", "v", writeOptions: Durable).AsTask();
        await EventuallyAsync(() => gated.Waiting == 1, "the first WAL PUT in flight");
        var rest = Enumerable.Range(0, 50).Select(i => db.PutAsync($"k{i}", "v", writeOptions: Durable).AsTask()).ToList();
        await Task.Delay(100);
        gated.Waiting.Should().Be(1, "no second WAL PUT starts while one is in flight");
        gated.Open();
        await first;
        await Task.WhenAll(rest);
        counting.PutsUnder("db/wal/").Should().BeLessThanOrEqualTo(before + 3, "the 50 waiting writes go out together");
    }

    [Fact]
    public async Task The_floor_spaces_wal_puts_apart()
    {
        var floor = TimeSpan.FromMilliseconds(150);
        await using var db = await OpenAsync(new InMemoryObjectStore(), Options(WalFlushPolicy.Eager, floor));
        await db.PutAsync("warm", "v", writeOptions: Durable);
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < 4; i++)
        {
            await db.PutAsync($"k{i}", "v", writeOptions: Durable);
        }

        // The four PUTs start at least a floor apart: three floors from the first to the last. (The first may start less
        // than a floor after the watch did: its floor runs from the warm-up PUT's start, which a loaded machine delays.)
        watch.Elapsed.Should().BeGreaterThanOrEqualTo(floor * 3, "each WAL PUT starts at least the floor after the previous one");
    }

    [Fact]
    public async Task Eager_with_the_wal_disabled_durable_writes_wait_for_the_l0_flush()
    {
        var options = Options(WalFlushPolicy.Eager) with { WalEnabled = false };
        await using var db = await OpenAsync(new InMemoryObjectStore(), options);
        var write = db.PutAsync("k", "v", writeOptions: Durable).AsTask();
        await Task.Delay(200);
        write.IsCompleted.Should().BeFalse();
        await db.FlushAsync(new FlushOptions { FlushType = FlushType.MemTable });
        await write;
    }

    [Fact]
    public void Settings_round_trip_through_json_and_are_validated()
    {
        var options = SlateDbOptions.Default with { WalFlushPolicy = WalFlushPolicy.Eager, WalFlushMinInterval = TimeSpan.FromMilliseconds(20) };
        var json = options.ToJson();
        json.Should().Contain("\"wal_flush_policy\": \"Eager\"").And.Contain("\"wal_flush_min_interval\": \"020ms\"");
        SlateDbOptions.FromJson(json, strict: true).Should().Be(options);
        SlateDbOptions.FromJson(SlateDbOptions.Default.ToJson(), strict: true).Should().Be(SlateDbOptions.Default);
        var bad = () => (SlateDbOptions.Default with { WalFlushMinInterval = TimeSpan.FromMilliseconds(-1) }).Validate();
        bad.Should().Throw<SlateDbException>().Which.Message.Should().Contain("wal_flush_min_interval");
        var unknown = () => SlateDbOptions.FromJson("""{"wal_flush_policy": "Sometimes"}""");
        unknown.Should().Throw<SlateDbException>().Which.Message.Should().Contain("wal_flush_policy");
    }
}
