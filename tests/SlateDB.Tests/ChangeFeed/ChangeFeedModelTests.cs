using SlateDB.GarbageCollection;
using SlateDB.Storage;
using static SlateDB.Tests.Engine.EngineTestSupport;

namespace SlateDB.Tests.ChangeFeed;

/// <summary>
/// The change feed against a model: a consumer following from the first sequence sees exactly the committed writes,
/// in order, through random writes, batches, WAL and L0 flushes, compactions, writer restarts and its own restarts;
/// a consumer that lags past what the garbage collector deleted gets a gap error naming the first missing sequence.
/// </summary>
public sealed class ChangeFeedModelTests
{
    private sealed record Expected(long Seq, string Key, string? Value);

    private static SlateDbOptions Options() => TestOptions(l0SstSizeBytes: 4 * 1024) with
    {
        CompactorOptions = new CompactorOptions { PollInterval = TimeSpan.FromMilliseconds(50) },
    };

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task A_consumer_from_the_start_sees_exactly_the_committed_writes_in_order(int seed)
    {
        var store = new InMemoryObjectStore();
        var random = new Random(seed);
        var expected = new List<Expected>();
        var seen = new List<ChangeEvent>();
        using var done = new CancellationTokenSource();
        var consumer = Task.Run(() => ConsumeWithRestartsAsync(store, seen, new Random(seed + 100), done.Token));

        var db = await OpenAsync(store, Options(), seed: seed);
        for (var step = 0; step < 400; step++)
        {
            var op = random.Next(100);
            if (op < 45)
            {
                var key = $"k{random.Next(50)}";
                var value = $"v{step}-{new string('x', random.Next(200))}";
                expected.Add(new((await db.PutAsync(key, value)).Sequence, key, value));
            }
            else if (op < 55)
            {
                var key = $"k{random.Next(50)}";
                expected.Add(new((await db.DeleteAsync(key)).Sequence, key, null));
            }
            else if (op < 75)
            {
                var batch = new WriteBatch();
                var rows = new List<(string, string?)>();
                for (var i = 0; i < 1 + random.Next(5); i++)
                {
                    var key = $"b{step}-{i}";
                    if (random.Next(4) == 0)
                    {
                        batch.Delete(key);
                        rows.Add((key, null));
                    }
                    else
                    {
                        batch.Put(key, $"bv{step}");
                        rows.Add((key, $"bv{step}"));
                    }
                }

                var handle = await db.WriteAsync(batch);
                expected.AddRange(rows.Select(r => new Expected(handle.Sequence, r.Item1, r.Item2)));
            }
            else if (op < 83)
            {
                await db.FlushAsync(new FlushOptions { FlushType = FlushType.Wal });
            }
            else if (op < 90)
            {
                await db.FlushAsync(new FlushOptions { FlushType = FlushType.MemTable });
            }
            else if (op < 93)
            {
                await db.FlushAsync(new FlushOptions { FlushType = FlushType.MemTable });
                await db.CompactFullAsync();
            }
            else
            {
                // A writer restart: the next writer fences this one and continues the sequence.
                await db.CloseAsync();
                db = await OpenAsync(store, Options(), seed: seed + step);
            }
        }

        await db.CloseAsync();
        await EventuallyAsync(() => { lock (seen) { return seen.Count >= expected.Count; } }, "the consumer to catch up", TimeSpan.FromSeconds(60));
        await done.CancelAsync();
        await consumer;

        List<ChangeEvent> events;
        lock (seen)
        {
            events = [.. seen];
        }

        events.Select(e => new Expected(e.Sequence, Text(e.Key.ToArray()), e.Value is { } v ? Text(v.ToArray()) : null))
            .Should().Equal(expected);
        events.Where(e => e.Value is null).Should().OnlyContain(e => e.Kind == WalRowKind.Tombstone);
    }

    /// <summary>
    /// Follows from sequence 1 and restarts every few events, between two writes, resuming after the last sequence
    /// it saw (as a consumer that records its position would).
    /// </summary>
    private static async Task ConsumeWithRestartsAsync(IObjectStore store, List<ChangeEvent> seen, Random random, CancellationToken token)
    {
        long last = 0;
        try
        {
            while (!token.IsCancellationRequested)
            {
                var take = 1 + random.Next(80);
                var options = new ChangeFeedOptions { FromSequence = last + 1, PollInterval = TimeSpan.FromMilliseconds(5) };
                await foreach (var e in SlateDB.ChangeFeed.ReadAsync("db", store, options, cancellationToken: token))
                {
                    if (take <= 0 && e.Sequence != last)
                    {
                        break;
                    }

                    lock (seen)
                    {
                        seen.Add(e);
                    }

                    last = e.Sequence;
                    take--;
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
    }

    [Fact]
    public async Task In_process_feed_follows_the_writer_and_refuses_a_disabled_wal()
    {
        var store = new InMemoryObjectStore();
        await using var db = await OpenAsync(store, TestOptions() with { FlushInterval = TimeSpan.FromMilliseconds(20) });
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var feed = db.ChangesAsync(new ChangeFeedOptions { FromSequence = 0, PollInterval = TimeSpan.FromSeconds(10) }, timeout.Token).GetAsyncEnumerator(timeout.Token);
        var handles = new List<long>();
        for (var i = 0; i < 5; i++)
        {
            handles.Add((await db.PutAsync($"k{i}", $"v{i}")).Sequence);
        }

        var got = new List<long>();
        while (got.Count < 5 && await feed.MoveNextAsync())
        {
            got.Add(feed.Current.Sequence);
        }

        got.Should().Equal(handles, "the in-process feed wakes on each WAL write, well before its 10 s poll");
        await feed.DisposeAsync();

        await using var noWal = await OpenAsync(new InMemoryObjectStore(), TestOptions() with { WalEnabled = false });
        var open = () => noWal.ChangesAsync();
        open.Should().Throw<SlateDbException>().Which.Kind.Should().Be(SlateDbErrorKind.Invalid);
    }

    [Fact]
    public async Task A_consumer_behind_what_the_collector_deleted_gets_an_error_naming_the_first_missing_sequence()
    {
        var store = new InMemoryObjectStore();
        var durable = new WriteOptions { AwaitDurable = true };
        await using (var db = await OpenAsync(store, TestOptions()))
        {
            for (var i = 0; i < 10; i++)
            {
                await db.PutAsync($"k{i}", "v", writeOptions: durable);
            }

            await db.FlushAsync(new FlushOptions { FlushType = FlushType.MemTable });
            for (var i = 10; i < 13; i++)
            {
                await db.PutAsync($"k{i}", "v", writeOptions: durable);
            }
        }

        // A consumer that read up to sequence 3 and then stopped.
        var gcOptions = new GarbageCollectorOptions
        {
            WalOptions = new GarbageCollectorDirectoryOptions { Interval = null, MinAge = TimeSpan.Zero },
            ManifestOptions = null,
            CompactedOptions = null,
            CompactionsOptions = null,
        };
        await using (var collector = await GarbageCollector.StartAsync("db", store, gcOptions))
        {
            await collector.RunOnceAsync();
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var resume = async () =>
        {
            await foreach (var e in SlateDB.ChangeFeed.ReadAsync("db", store, new ChangeFeedOptions { FromSequence = 4 }, cancellationToken: timeout.Token))
            {
                e.Sequence.Should().BeGreaterThan(10, "only what the collector kept can come before the error");
            }
        };
        var error = (await resume.Should().ThrowAsync<SlateDbException>()).Which;
        error.Kind.Should().Be(SlateDbErrorKind.Data);
        error.Message.Should().Contain("sequence 4 is no longer in the WAL");

        // From the oldest retained, the feed starts after the deleted range and carries on without error.
        var oldest = await SlateDB.ChangeFeed.ReadAsync("db", store, cancellationToken: timeout.Token).FirstAsync(timeout.Token);
        oldest.Sequence.Should().BeGreaterThan(10, "the collector deleted the files up to the L0 flush; later ones remain");
    }

    [Fact]
    public async Task A_consumer_whose_next_wal_file_is_deleted_mid_stream_gets_a_gap_error()
    {
        var store = new InMemoryObjectStore();
        var durable = new WriteOptions { AwaitDurable = true };
        await using var db = await OpenAsync(store, TestOptions());
        for (var i = 0; i < 3; i++)
        {
            await db.PutAsync($"k{i}", "v", writeOptions: durable);
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var feed = SlateDB.ChangeFeed.ReadAsync("db", store, new ChangeFeedOptions { FromSequence = 1, PollInterval = TimeSpan.FromMilliseconds(5) }, cancellationToken: timeout.Token).GetAsyncEnumerator(timeout.Token);
        var got = new List<long>();
        while (got.Count < 3 && await feed.MoveNextAsync())
        {
            got.Add(feed.Current.Sequence);
        }

        var next = feed.Current.WalId + 1;
        await db.PutAsync("k3", "v", writeOptions: durable);
        await db.PutAsync("k4", "v", writeOptions: durable);
        var wal = new WalReader("db", store);
        foreach (var file in await wal.ListAsync(next, next + 1))
        {
            await store.DeleteAsync($"db/wal/{file.Id:D20}.sst", default);
        }

        var more = async () => await feed.MoveNextAsync();
        (await more.Should().ThrowAsync<SlateDbException>()).Which.Message.Should().Contain("sequence 4 is no longer in the WAL");
        await feed.DisposeAsync();
    }
}
