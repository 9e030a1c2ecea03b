using SlateDB.Storage;
using static SlateDB.Tests.Engine.EngineTestSupport;

namespace SlateDB.Tests.Engine;

/// <summary>When writes become durable, what Remote reads see, the WAL-disabled mode, and WAL replay after a crash.</summary>
public sealed class EngineDurabilityTests
{
    private static readonly WriteOptions Durable = new() { AwaitDurable = true };
    private static readonly ReadOptions Remote = new() { DurabilityFilter = DurabilityLevel.Remote };
    private static readonly FlushOptions MemTable = new() { FlushType = FlushType.MemTable };

    [Fact]
    public async Task A_durable_write_completes_only_after_its_wal_object_exists()
    {
        var gated = new GatedObjectStore(new InMemoryObjectStore(), "db/wal/");
        var options = TestOptions() with { FlushInterval = TimeSpan.FromMilliseconds(5) };
        await using var db = await OpenAsync(gated, options);
        var walObjects = await CountWalObjectsAsync(gated);

        gated.Close();
        var write = db.PutAsync("k", "v", writeOptions: Durable).AsTask();
        var handle = await db.PutAsync("k2", "v2");
        var handleWait = handle.AwaitDurableAsync();
        await EventuallyAsync(() => gated.Waiting == 1, "the WAL put to reach the store");
        await Task.Delay(50);

        write.IsCompleted.Should().BeFalse("the WAL object is not written yet");
        handleWait.IsCompleted.Should().BeFalse();
        (await CountWalObjectsAsync(gated)).Should().Be(walObjects);
        (await db.GetAsync("k", Remote)).Should().BeNull("the write is not durable yet");
        (await db.GetAsync("k")).Should().Be("v", "the write is committed in memory");

        gated.Open();
        await write.WaitAsync(TimeSpan.FromSeconds(10));
        await handleWait.WaitAsync(TimeSpan.FromSeconds(10));
        (await CountWalObjectsAsync(gated)).Should().BeGreaterThan(walObjects);
        (await db.GetAsync("k", Remote)).Should().Be("v");
    }

    [Fact]
    public async Task Remote_reads_see_only_durable_data()
    {
        var gated = new GatedObjectStore(new InMemoryObjectStore(), "db/wal/");
        await using var db = await OpenAsync(gated, TestOptions());
        await db.PutAsync("k", "v1");
        await db.FlushAsync();
        gated.Close();
        await db.PutAsync("k", "v2");
        await db.PutAsync("new", "n");
        await db.DeleteAsync("gone-later");

        (await db.GetAsync("k")).Should().Be("v2");
        (await db.GetAsync("k", Remote)).Should().Be("v1", "v2 is only in memory");
        (await db.GetAsync("new", Remote)).Should().BeNull();
        (await db.GetAsync("new")).Should().Be("n");

        gated.Open();
        await db.FlushAsync();
        (await db.GetAsync("k", Remote)).Should().Be("v2");
        (await db.GetAsync("new", Remote)).Should().Be("n");
    }

    [Fact]
    public async Task A_memtable_flush_writes_the_wal_first_and_then_makes_writes_durable_for_remote_reads()
    {
        // As SlateDB: every committed write reaches the WAL before its memtable reaches L0.
        var gated = new GatedObjectStore(new InMemoryObjectStore(), "db/wal/");
        var db = await OpenAsync(gated, TestOptions());
        gated.Close();
        var handle = await db.PutAsync("k", "v");
        var waiter = handle.AwaitDurableAsync();
        await Task.Delay(20);
        waiter.IsCompleted.Should().BeFalse("no WAL object can be written yet");
        (await db.GetAsync("k", Remote)).Should().BeNull();

        var flush = db.FlushAsync(MemTable).AsTask();
        await Task.Delay(50);
        flush.IsCompleted.Should().BeFalse("the L0 flush waits for the WAL write");
        (await db.GetAsync("k", Remote)).Should().BeNull();
        gated.Open();
        await flush.WaitAsync(TimeSpan.FromSeconds(10));

        (await db.GetAsync("k", Remote)).Should().Be("v", "the row is in the WAL and in an L0 SST listed in the manifest");
        await waiter.WaitAsync(TimeSpan.FromSeconds(10));
        await db.CloseAsync();
    }

    [Fact]
    public async Task With_the_wal_disabled_writes_are_durable_only_after_their_memtable_reaches_l0()
    {
        var store = new InMemoryObjectStore();
        var options = TestOptions() with { WalEnabled = false, FlushInterval = TimeSpan.FromMilliseconds(5) };
        var a = await OpenAsync(store, options, seed: 1);
        var walObjects = await CountWalObjectsAsync(store);
        var handle = await a.PutAsync("k", "v");
        var durable = handle.AwaitDurableAsync();
        var durableWrite = a.PutAsync("k2", "v2", writeOptions: Durable).AsTask();
        await Task.Delay(50);

        durable.IsCompleted.Should().BeFalse("no WAL: only an L0 flush makes the write durable");
        durableWrite.IsCompleted.Should().BeFalse();
        (await a.GetAsync("k", Remote)).Should().BeNull();
        var flushWal = (await a.Invoking(d => d.FlushAsync(new FlushOptions { FlushType = FlushType.Wal }).AsTask()).Should().ThrowAsync<SlateDbException>()).Which;
        flushWal.Kind.Should().Be(SlateDbErrorKind.Invalid);

        await a.FlushAsync();
        await durable.WaitAsync(TimeSpan.FromSeconds(10));
        await durableWrite.WaitAsync(TimeSpan.FromSeconds(10));
        (await a.GetAsync("k", Remote)).Should().Be("v");
        (await store.ListAsync("db/compacted/", default).CountAsync()).Should().Be(1, "FlushAsync wrote the memtable as one L0 SST");
        (await CountWalObjectsAsync(store)).Should().Be(walObjects, "nothing is written to the WAL");

        // Crash-like stop: a write after the flush is only in A's memory and dies with it.
        await a.PutAsync("lost", "x");
        await using var b = await OpenAsync(store, options, seed: 2);
        (await b.GetAsync("k")).Should().Be("v");
        (await b.GetAsync("k2")).Should().Be("v2");
        (await b.GetAsync("lost")).Should().BeNull();
        var fenced = (await a.Invoking(x => x.CloseAsync().AsTask()).Should().ThrowAsync<SlateDbException>("A finds at close that B fenced it")).Which;
        fenced.CloseReason.Should().Be(CloseReason.Fenced);
        (await a.Invoking(x => x.GetAsync("k").AsTask()).Should().ThrowAsync<SlateDbException>()).Which.CloseReason.Should().Be(CloseReason.Fenced);
    }

    [Fact]
    public async Task Reopening_after_a_crash_like_stop_replays_every_durable_write_from_the_wal()
    {
        var store = new InMemoryObjectStore();
        var options = TestOptions(l0SstSizeBytes: 4096) with { FlushInterval = null };
        var gatedA = new GatedObjectStore(store, "db/wal/");
        var a = await OpenAsync(gatedA, options, seed: 1);
        var expected = new Dictionary<string, (string? Value, long Seq)>();
        for (var i = 0; i < 300; i++)
        {
            var key = $"key-{i % 97:D3}";
            if (i % 11 == 5)
            {
                var deleted = await a.DeleteAsync(key);
                expected[key] = (null, deleted.Sequence);
            }
            else if (i % 7 == 3)
            {
                var batch = await a.WriteAsync(new WriteBatch().Put(key, $"batch-{i}").Put($"extra-{i}", string.Empty));
                expected[key] = ($"batch-{i}", batch.Sequence);
                expected[$"extra-{i}"] = (string.Empty, batch.Sequence);
            }
            else
            {
                var value = $"value-{i}-{new string('x', i % 50)}";
                var put = await a.PutAsync(key, value);
                expected[key] = (value, put.Sequence);
            }

            if (i % 10 == 9)
            {
                await a.FlushAsync();
            }
        }

        await a.FlushAsync();
        var lastSeq = expected.Values.Max(e => e.Seq);
        gatedA.Close();
        await a.PutAsync("not-durable", "x");

        // A second writer fences A (which never closes) and replays A's WAL; do it twice, the replay is repeatable.
        var b = await OpenAsync(store, options, seed: 2);
        await ShouldHoldAsync(b, expected);
        (await b.GetAsync("not-durable")).Should().BeNull("it never reached the WAL");
        var c = await OpenAsync(store, options, seed: 3);
        await ShouldHoldAsync(c, expected);
        var next = await c.PutAsync("after", "crash");
        await c.FlushAsync();
        next.Sequence.Should().BeGreaterThan(lastSeq, "sequence numbers continue after the replayed ones");
        await c.CloseAsync();
        await CloseMaybeFencedAsync(b);

        // A's WAL write of the lost row (in the background or at close) finds B's fence.
        gatedA.Open();
        await CloseMaybeFencedAsync(a);
        (await a.Invoking(x => x.GetAsync("k").AsTask()).Should().ThrowAsync<SlateDbException>()).Which.CloseReason.Should().Be(CloseReason.Fenced);

        await using var d = await OpenAsync(store, options, seed: 4);
        await ShouldHoldAsync(d, expected);
        (await d.GetAsync("after")).Should().Be("crash");
    }

    private static async Task ShouldHoldAsync(SlateDb db, Dictionary<string, (string? Value, long Seq)> expected)
    {
        foreach (var (key, (value, seq)) in expected)
        {
            var actual = await db.GetKeyValueAsync(Bytes(key));
            if (value is null)
            {
                actual.Should().BeNull(key);
            }
            else
            {
                actual.Should().NotBeNull(key);
                Text(actual!.Value.ToArray()).Should().Be(value, key);
                actual.Sequence.Should().Be(seq, key);
            }
        }
    }
}
