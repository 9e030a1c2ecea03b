using SlateDB.Storage;
using SlateDB.Testing;
using static SlateDB.Tests.Engine.EngineTestSupport;

namespace SlateDB.Tests.Engine;

/// <summary>
/// Backpressure: with more unflushed bytes than <see cref="SlateDbOptions.MaxUnflushedBytes"/> writers wait for flushes;
/// they never fail for it, memory stays bounded, and a cancelled wait leaves nothing behind.
/// </summary>
public sealed class EngineBackpressureTests
{
    private const long L0Size = 4 * 1024;
    private const long MaxUnflushed = 16 * 1024;

    [Fact]
    public async Task Writers_against_a_slow_store_wait_but_never_fail_and_memory_stays_bounded()
    {
        var slow = new FaultInjectingObjectStore(
            new InMemoryObjectStore(),
            new FaultInjectionOptions { Latency = TimeSpan.FromMilliseconds(15), Operations = FaultOperations.Puts },
            new Random(7));
        var options = TestOptions(L0Size) with { MaxUnflushedBytes = MaxUnflushed, FlushInterval = TimeSpan.FromMilliseconds(10) };
        var meters = new TestMeterFactory();
        await using var db = await SlateDb.Builder("db", slow).WithOptions(options).WithMeterFactory(meters).WithSeed(3).OpenAsync();
        using var waits = meters.Listen("slatedb.db.backpressure.waits");

        long maxUnflushed = 0;
        using var stop = new CancellationTokenSource();
        var monitor = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                maxUnflushed = Math.Max(maxUnflushed, EngineInternals.UnflushedBytes(db));
                await Task.Delay(1);
            }
        });

        const int Writers = 4;
        const int WritesEach = 40;
        var value = new byte[700];
        var writers = Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < WritesEach; i++)
            {
                await db.PutAsync(Bytes($"w{w}-{i:D3}"), value, writeOptions: new WriteOptions { AwaitDurable = i % 10 == 9 });
            }
        })).ToList();
        await Task.WhenAll(writers).WaitAsync(TimeSpan.FromSeconds(60));
        await stop.CancelAsync();
        await monitor;

        waits.Total.Should().BeGreaterThan(0, "the writers outran the slow store");
        maxUnflushed.Should().BeLessThanOrEqualTo(MaxUnflushed + L0Size + (Writers * 1024), "writers stop at the limit (each may add one write past it)");
        for (var w = 0; w < Writers; w++)
        {
            for (var i = 0; i < WritesEach; i++)
            {
                (await db.GetAsync(Bytes($"w{w}-{i:D3}"))).Should().Equal(value);
            }
        }
    }

    [Fact]
    public async Task A_cancelled_wait_leaves_nothing_half_applied()
    {
        var gated = new GatedObjectStore(new InMemoryObjectStore(), "db/compacted/");
        var options = TestOptions(L0Size) with { MaxUnflushedBytes = MaxUnflushed };
        var db = await OpenAsync(gated, options);
        gated.Close();

        // Fill memory while L0 flushes are held back, until a write has to wait.
        var value = new byte[1000];
        long lastSeq = 0;
        var waitingKey = Array.Empty<byte>();
        ValueTask<WriteHandle> waiting = default;
        using var cancel = new CancellationTokenSource();
        for (var i = 0; i < 100; i++)
        {
            var write = db.PutAsync(Bytes($"fill-{i}"), value, cancellationToken: cancel.Token);
            if (!write.IsCompleted)
            {
                waiting = write;
                waitingKey = Bytes($"fill-{i}");
                break;
            }

            lastSeq = (await write).Sequence;
        }

        waiting.IsCompleted.Should().BeFalse("some write had to wait for memory");
        await Task.Delay(30);
        waiting.IsCompleted.Should().BeFalse("nothing was flushed to free memory");
        await cancel.CancelAsync();
        await FluentActions.Awaiting(async () => await waiting).Should().ThrowAsync<OperationCanceledException>();

        (await db.GetAsync(waitingKey)).Should().BeNull("the cancelled write was never applied");
        gated.Open();
        var next = await db.PutAsync("after", "x");
        next.Sequence.Should().Be(lastSeq + 1, "the cancelled write took no sequence number");
        await db.CloseAsync();

        await using var reopened = await OpenAsync(gated, options, seed: 2);
        (await reopened.GetAsync(waitingKey)).Should().BeNull();
        (await reopened.GetAsync("after")).Should().Be("x");
        (await reopened.GetAsync(Bytes("fill-0"))).Should().Equal(value);
    }

    [Fact]
    public async Task With_l0_full_writers_wait_and_close_still_writes_everything_out()
    {
        var store = new InMemoryObjectStore();
        var options = TestOptions(L0Size) with { MaxUnflushedBytes = MaxUnflushed, L0MaxSsts = 2 };
        var db = await OpenAsync(store, options);
        var value = new byte[1000];

        // Without a compactor, L0 stops at two SSTs; memtables then pile up until writers must wait.
        var written = new List<int>();
        ValueTask<WriteHandle> waiting = default;
        for (var i = 0; i < 200; i++)
        {
            var write = db.PutAsync(Bytes($"k{i:D3}"), value);
            if (!write.IsCompleted)
            {
                await Task.Delay(50);
                if (!write.IsCompleted)
                {
                    waiting = write;
                    break;
                }
            }

            await write;
            written.Add(i);
        }

        waiting.IsCompleted.Should().BeFalse("a write waits once L0 is full and memory is at the limit");
        var closed = (await FluentActions.Awaiting(async () =>
        {
            await db.CloseAsync();
            await waiting;
        }).Should().ThrowAsync<SlateDbException>("the waiting write is refused by the close")).Which;
        closed.Kind.Should().Be(SlateDbErrorKind.Closed);

        await using var reopened = await OpenAsync(store, options, seed: 2);
        foreach (var i in written)
        {
            (await reopened.GetAsync(Bytes($"k{i:D3}"))).Should().Equal(value, $"k{i:D3} was written before close");
        }
    }
}
