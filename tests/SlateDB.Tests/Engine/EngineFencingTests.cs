using SlateDB.Storage;
using static SlateDB.Tests.Engine.EngineTestSupport;

namespace SlateDB.Tests.Engine;

/// <summary>
/// Writer fencing: when writer B opens a database writer A still has open, A is stopped at its next WAL write, its
/// next manifest update or its next manifest poll, fails Closed/Fenced from then on, and nothing it wrote after B
/// opened ever becomes visible; everything B acknowledged is kept.
/// </summary>
public sealed class EngineFencingTests
{
    private static readonly WriteOptions Durable = new() { AwaitDurable = true };

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_writer_is_fenced_at_its_next_wal_write_after_another_opens(bool awaitDurable)
    {
        var store = new InMemoryObjectStore();
        var options = TestOptions();
        var a = await OpenAsync(store, options, seed: 1);
        await a.PutAsync("before", "a", writeOptions: Durable);

        var b = await OpenAsync(store, options, seed: 2);
        Func<Task> write = awaitDurable
            ? () => a.PutAsync("after", "a", writeOptions: Durable).AsTask()
            : async () =>
            {
                // Accepted in memory (A does not know yet), then refused when it reaches the WAL.
                await a.PutAsync("after", "a");
                await a.FlushAsync();
            };
        var fenced = (await write.Should().ThrowAsync<SlateDbException>()).Which;
        ShouldBeFenced(fenced);

        await ShouldStayFencedAsync(a);
        (await b.GetAsync("before")).Should().Be("a", "A's acknowledged write before B opened is kept");
        (await b.GetAsync("after")).Should().BeNull("A's write after B opened is refused");
        await b.PutAsync("b", "b", writeOptions: Durable);
        await CloseMaybeFencedAsync(a);
        await b.CloseAsync();

        await using var c = await OpenAsync(store, options, seed: 3);
        (await c.GetAsync("before")).Should().Be("a");
        (await c.GetAsync("after")).Should().BeNull();
        (await c.GetAsync("b")).Should().Be("b");
    }

    [Fact]
    public async Task A_writer_is_fenced_at_its_next_memtable_flush_after_another_opens()
    {
        var store = new InMemoryObjectStore();
        var options = TestOptions() with { WalEnabled = false };
        var a = await OpenAsync(store, options, seed: 1);
        await a.PutAsync("before", "a");
        await a.FlushAsync();

        var b = await OpenAsync(store, options, seed: 2);
        await a.PutAsync("after", "a");
        ShouldBeFenced((await a.Invoking(x => x.FlushAsync().AsTask()).Should().ThrowAsync<SlateDbException>()).Which);

        await ShouldStayFencedAsync(a);
        (await b.GetAsync("before")).Should().Be("a");
        (await b.GetAsync("after")).Should().BeNull("A's L0 SST never made it into the manifest");
        await b.PutAsync("b", "b");
        await b.CloseAsync();
        await CloseMaybeFencedAsync(a);

        await using var c = await OpenAsync(store, options, seed: 3);
        (await c.GetAsync("before")).Should().Be("a");
        (await c.GetAsync("after")).Should().BeNull();
        (await c.GetAsync("b")).Should().Be("b");
    }

    [Fact]
    public async Task An_idle_writer_notices_it_was_fenced_at_its_next_manifest_poll_and_fails_pending_waits()
    {
        var store = new InMemoryObjectStore();
        var time = NewFakeTime();
        var options = TestOptions() with { FlushInterval = null };
        var a = await OpenAsync(store, options, time, seed: 1);
        await a.PutAsync("durable", "a");
        await a.FlushAsync();
        var pending = await a.PutAsync("pending", "a");
        var waiter = pending.AwaitDurableAsync();

        var b = await OpenAsync(store, options, time, seed: 2);
        waiter.IsCompleted.Should().BeFalse("nothing flushed A's WAL buffer");
        for (var i = 0; i < 100 && !waiter.IsCompleted; i++)
        {
            // A's poll timer may be armed a moment after its open; keep advancing until the poll runs.
            time.Advance(options.ManifestPollInterval);
            await Task.WhenAny(waiter, Task.Delay(20));
        }

        var failure = (await waiter.Invoking(w => w.WaitAsync(TimeSpan.FromSeconds(10))).Should().ThrowAsync<SlateDbException>()).Which;
        ShouldBeFenced(failure);
        await ShouldStayFencedAsync(a);
        (await b.GetAsync("durable")).Should().Be("a");
        (await b.GetAsync("pending")).Should().BeNull("A's unflushed write died with it");
        await b.PutAsync("b", "b");
        await b.FlushAsync();
        await CloseMaybeFencedAsync(a);
        await b.CloseAsync();

        await using var c = await OpenAsync(store, options, time, seed: 3);
        (await c.GetAsync("durable")).Should().Be("a");
        (await c.GetAsync("pending")).Should().BeNull();
        (await c.GetAsync("b")).Should().Be("b");
    }

    [Fact]
    public async Task Concurrent_durable_writers_on_a_fenced_instance_all_fail_and_none_of_their_writes_survive()
    {
        var store = new InMemoryObjectStore();
        var options = TestOptions() with { FlushInterval = TimeSpan.FromMilliseconds(5) };
        var a = await OpenAsync(store, options, seed: 1);
        var b = await OpenAsync(store, options, seed: 2);

        // A write may fail at once (the instance already saw itself fenced) or once its WAL PUT is refused: both count.
        var writes = Enumerable.Range(0, 32).Select(i => Attempt(() => a.PutAsync($"a{i}", "a", writeOptions: Durable).AsTask())).ToList();
        foreach (var write in writes)
        {
            ShouldBeFenced((await write.Invoking(w => w.WaitAsync(TimeSpan.FromSeconds(10))).Should().ThrowAsync<SlateDbException>()).Which);
        }

        var acknowledged = new List<string>();
        for (var i = 0; i < 32; i++)
        {
            await b.PutAsync($"b{i}", "b", writeOptions: Durable);
            acknowledged.Add($"b{i}");
        }

        await CloseMaybeFencedAsync(a);
        await b.CloseAsync();
        await using var c = await OpenAsync(store, options, seed: 3);
        for (var i = 0; i < 32; i++)
        {
            (await c.GetAsync($"a{i}")).Should().BeNull();
        }

        foreach (var key in acknowledged)
        {
            (await c.GetAsync(key)).Should().Be("b");
        }
    }

    /// <summary>
    /// Regression: a writer that claimed its epoch and only then listed the WAL could, when slow, place its fence after
    /// the objects of a newer writer that opened meanwhile, and so fence the newer writer (seen as "no writer owns the
    /// database" in the race below). As in SlateDB, the fence slot now comes from a listing taken before the claim.
    /// </summary>
    [Fact]
    public async Task A_slow_older_writer_never_fences_a_newer_one_that_opened_meanwhile()
    {
        var store = new InMemoryObjectStore();
        var options = TestOptions();
        await using (var first = await OpenAsync(store, options, seed: 1))
        {
            await first.PutAsync("first", "1", writeOptions: Durable);
        }

        var gated = new ListAfterClaimGateStore(store);
        var slowOpen = Task.Run(() => OpenAsync(gated, options, seed: 2));
        await Task.WhenAny(slowOpen, EventuallyAsync(() => gated.Holding, "the slow writer's listing after its claim"));

        // A newer writer opens and writes while the older one is held (or after it opened, with the fix).
        await using var newer = await OpenAsync(store, options, seed: 3);
        await newer.PutAsync("newer-1", "x", writeOptions: Durable);
        gated.Release();
        SlateDb? older = null;
        try
        {
            older = await slowOpen;
        }
        catch (SlateDbException e) when (e.Kind == SlateDbErrorKind.Closed)
        {
            ShouldBeFenced(e);
        }

        await newer.PutAsync("newer-2", "y", writeOptions: Durable);
        (await newer.GetAsync("newer-2")).Should().Be("y");
        if (older is not null)
        {
            await CloseMaybeFencedAsync(older);
        }
    }

    [Fact]
    public async Task Of_writers_opening_at_the_same_time_at_most_one_can_write()
    {
        for (var round = 0; round < 10; round++)
        {
            var store = new InMemoryObjectStore();
            var options = TestOptions();
            var first = await OpenAsync(store, options, seed: 1);
            await first.PutAsync("first", "1", writeOptions: Durable);

            var opens = Enumerable.Range(0, 3).Select(i => Task.Run(() => OpenAsync(store, options, seed: 10 + i))).ToList();
            var winners = new List<string>();
            var instances = new List<SlateDb>();
            foreach (var (open, i) in opens.Select((o, i) => (o, i)))
            {
                try
                {
                    var db = await open;
                    instances.Add(db);
                    await db.PutAsync($"writer-{i}", "x", writeOptions: Durable);
                    winners.Add($"writer-{i}");
                }
                catch (SlateDbException e) when (e.Kind == SlateDbErrorKind.Closed)
                {
                    ShouldBeFenced(e);
                }
            }

            // Later writes settle it: only the newest writer may write (if it was the one that wrote above, fine).
            var survivors = new List<string>();
            foreach (var (db, i) in instances.Select((d, i) => (d, i)))
            {
                try
                {
                    await db.PutAsync($"later-{i}", "y", writeOptions: Durable);
                    survivors.Add($"later-{i}");
                }
                catch (SlateDbException e) when (e.Kind == SlateDbErrorKind.Closed)
                {
                    ShouldBeFenced(e);
                }
            }

            survivors.Should().HaveCount(1, $"round {round}: exactly one writer owns the database after the race");
            foreach (var db in instances)
            {
                await CloseMaybeFencedAsync(db);
            }

            await CloseMaybeFencedAsync(first);
            await using var check = await OpenAsync(store, options, seed: 99);
            (await check.GetAsync("first")).Should().Be("1");
            foreach (var key in winners.Concat(survivors))
            {
                (await check.GetAsync(key)).Should().Be(key.StartsWith("later", StringComparison.Ordinal) ? "y" : "x", $"round {round}: {key} was acknowledged");
            }
        }
    }

    /// <summary>The task of <paramref name="start"/>, or a faulted one when starting it threw.</summary>
    private static Task Attempt(Func<Task> start)
    {
        try
        {
            return start();
        }
        catch (Exception e)
        {
            return Task.FromException(e);
        }
    }

    private static void ShouldBeFenced(SlateDbException exception)
    {
        exception.Kind.Should().Be(SlateDbErrorKind.Closed, exception.ToString());
        exception.CloseReason.Should().Be(CloseReason.Fenced, exception.ToString());
    }

    /// <summary>Every later call on a fenced instance throws Closed/Fenced.</summary>
    private static async Task ShouldStayFencedAsync(SlateDb db)
    {
        var calls = new Dictionary<string, Func<Task>>
        {
            ["put"] = () => db.PutAsync("x", "y").AsTask(),
            ["durable put"] = () => db.PutAsync("x", "y", writeOptions: Durable).AsTask(),
            ["delete"] = () => db.DeleteAsync("x").AsTask(),
            ["write"] = () => db.WriteAsync(new WriteBatch().Put("x", "y")).AsTask(),
            ["get"] = () => db.GetAsync("x").AsTask(),
            ["get key-value"] = () => db.GetKeyValueAsync(Bytes("x")).AsTask(),
            ["flush"] = () => db.FlushAsync().AsTask(),
            ["flush memtable"] = () => db.FlushAsync(new FlushOptions { FlushType = FlushType.MemTable }).AsTask(),
        };
        foreach (var (name, call) in calls)
        {
            var thrown = (await call.Should().ThrowAsync<SlateDbException>(name)).Which;
            thrown.Kind.Should().Be(SlateDbErrorKind.Closed, name);
            thrown.CloseReason.Should().Be(CloseReason.Fenced, name);
        }
    }
}
