using SlateDB.Storage;
using static SlateDB.Tests.Engine.EngineTestSupport;

namespace SlateDB.Tests.ChangeFeed;

/// <summary>
/// A change-feed consumer's checkpoint (<see cref="SlateDb.HoldChangeFeedCheckpointAsync"/>) keeps the WAL from its id
/// on: without it a lagging consumer gets the gap error once the collector deleted its WAL; with it the consumer
/// resumes without a gap, while the WAL before the held id is still collected.
/// </summary>
public sealed class ChangeFeedCheckpointTests
{
    private static readonly WriteOptions Durable = new() { AwaitDurable = true };

    private static SlateDbOptions Options() => TestOptions() with
    {
        GarbageCollectorOptions = new GarbageCollectorOptions
        {
            WalOptions = new GarbageCollectorDirectoryOptions { Interval = TimeSpan.FromMilliseconds(30), MinAge = TimeSpan.Zero },
            ManifestOptions = null,
            CompactedOptions = null,
            CompactionsOptions = null,
        },
    };

    /// <summary>Ten durable writes, one WAL file each at least; returns each write's sequence and WAL id.</summary>
    private static async Task<List<(long Seq, ulong WalId)>> WriteTenAsync(SlateDb db)
    {
        var seqs = new List<long>();
        for (var i = 0; i < 10; i++)
        {
            seqs.Add((await db.PutAsync($"k{i}", $"v{i}", writeOptions: Durable)).Sequence);
            await db.FlushAsync(new FlushOptions { FlushType = FlushType.Wal });
        }

        var walOf = new Dictionary<long, ulong>();
        foreach (var file in await db.WalReader().ListAsync())
        {
            foreach (var row in await file.ReadRowsAsync())
            {
                walOf[row.Sequence] = file.Id;
            }
        }

        return seqs.Select(seq => (seq, walOf[seq])).ToList();
    }

    private static async Task<bool> ExistsAsync(SlateDb db, ulong walId) => await db.WalReader().Get(walId).GetMetadataAsync() is not null;

    private static async Task FlushToL0AndWaitForCollectionAsync(SlateDb db, ulong collectedWalId)
    {
        await db.FlushAsync(new FlushOptions { FlushType = FlushType.MemTable });
        await db.PutAsync("after", "v", writeOptions: Durable);
        await db.FlushAsync(new FlushOptions { FlushType = FlushType.MemTable });
        await EventuallyAsync(() => !ExistsAsync(db, collectedWalId).GetAwaiter().GetResult(), $"the collector to delete WAL file {collectedWalId}");
    }

    [Fact]
    public async Task Without_a_checkpoint_a_lagging_consumer_gets_the_gap_error()
    {
        await using var db = await SlateDb.Builder("db", new InMemoryObjectStore()).WithOptions(Options()).OpenAsync();
        var writes = await WriteTenAsync(db);
        await FlushToL0AndWaitForCollectionAsync(db, writes[2].WalId);

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var feed = db.ChangesAsync(new ChangeFeedOptions { FromSequence = writes[2].Seq }, timeout.Token).GetAsyncEnumerator(timeout.Token);
        var read = async () => await feed.MoveNextAsync();
        var gap = (await read.Should().ThrowAsync<SlateDbException>()).Which;
        gap.Kind.Should().Be(SlateDbErrorKind.Data);
        gap.Message.Should().Contain($"sequence {writes[2].Seq} is no longer in the WAL");
        await feed.DisposeAsync();
    }

    [Fact]
    public async Task A_held_checkpoint_keeps_the_consumers_wal_and_lets_earlier_wal_go()
    {
        var store = new InMemoryObjectStore();
        await using var db = await SlateDb.Builder("db", store).WithOptions(Options()).OpenAsync();
        var writes = await WriteTenAsync(db);
        await db.HoldChangeFeedCheckpointAsync("indexer", writes[0].WalId, TimeSpan.FromHours(1));

        // The consumer acknowledges the first two writes: its checkpoint moves to the third write's WAL file.
        await db.HoldChangeFeedCheckpointAsync("indexer", writes[2].WalId, TimeSpan.FromHours(1));
        (await SlateDbAdmin.For("db", store).ListCheckpointsAsync()).Where(c => c.Name?.StartsWith("changefeed:indexer@", StringComparison.Ordinal) == true)
            .Should().ContainSingle("holding again replaces the consumer's checkpoint");

        await FlushToL0AndWaitForCollectionAsync(db, writes[0].WalId);
        await Task.Delay(200); // several more collector runs
        (await ExistsAsync(db, writes[2].WalId)).Should().BeTrue("the consumer's checkpoint holds it");

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var feed = db.ChangesAsync(new ChangeFeedOptions { FromSequence = writes[2].Seq }, timeout.Token).GetAsyncEnumerator(timeout.Token);
        for (var i = 2; i < 10; i++)
        {
            (await feed.MoveNextAsync()).Should().BeTrue();
            feed.Current.Sequence.Should().Be(writes[i].Seq);
        }

        await feed.DisposeAsync();
    }
}
