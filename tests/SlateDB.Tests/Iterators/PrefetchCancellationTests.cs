using SlateDB.Storage;
using static SlateDB.Tests.Read.ReadTestKit;

namespace SlateDB.Tests.Iterators;

/// <summary>
/// Block reads a scan starts ahead of its reader end with the scan: an abandoned enumeration, a disposed iterator or a
/// seek cancels them, so no GET is left running (the held store never lets them finish on its own).
/// </summary>
public sealed class PrefetchCancellationTests
{
    private static readonly ScanOptions s_readAhead = new() { MaxFetchTasks = 8 };

    [Fact]
    public async Task A_scan_abandoned_after_one_row_cancels_its_block_reads()
    {
        var (db, store) = await OpenWithOneSstAsync();
        await using (db)
        {
            var enumerator = db.ScanAsync(KeyRange.All, s_readAhead).GetAsyncEnumerator();
            (await StepReleasingReadsAsync(store, enumerator.MoveNextAsync().AsTask())).Should().BeTrue();
            S(enumerator.Current.Key).Should().Be(Key(0));
            store.InFlight.Should().BeGreaterThan(0, "reads ahead of the reader are held");

            await enumerator.DisposeAsync();

            await WaitUntilAsync(() => store.InFlight == 0, "every held read to end");
            store.Cancelled.Should().BeGreaterThan(0);
        }
    }

    [Fact]
    public async Task Disposing_an_iterator_and_seeking_cancel_the_reads_no_longer_needed()
    {
        var (db, store) = await OpenWithOneSstAsync();
        await using (db)
        {
            var iterator = await db.CreateIteratorAsync(KeyRange.All, s_readAhead);
            var first = await StepReleasingReadsAsync(store, iterator.NextAsync().AsTask());
            S(first!.Key).Should().Be(Key(0));
            var heldBeforeSeek = store.InFlight;
            heldBeforeSeek.Should().BeGreaterThan(0);

            await iterator.SeekAsync(B(Key(1500)));
            await WaitUntilAsync(() => store.Cancelled >= heldBeforeSeek, "the reads of the old position to be cancelled");

            var afterSeek = await StepReleasingReadsAsync(store, iterator.NextAsync().AsTask());
            S(afterSeek!.Key).Should().Be(Key(1500));
            store.InFlight.Should().BeGreaterThan(0);

            await iterator.DisposeAsync();
            await WaitUntilAsync(() => store.InFlight == 0, "every held read to end");
        }
    }

    [Fact]
    public async Task A_scan_read_to_its_end_returns_every_row_with_reads_held_and_released()
    {
        var (db, store) = await OpenWithOneSstAsync();
        await using (db)
        {
            await using var enumerator = db.ScanAsync(KeyRange.All, s_readAhead).GetAsyncEnumerator();
            var count = 0;
            while (await StepReleasingReadsAsync(store, enumerator.MoveNextAsync().AsTask(), quietMs: 0))
            {
                S(enumerator.Current.Key).Should().Be(Key(count));
                count++;
            }

            count.Should().Be(RowCount);
            store.InFlight.Should().Be(0);
            store.Cancelled.Should().Be(0);
        }
    }

    private const int RowCount = 2000;

    private static string Key(int i) => $"key-{i:D6}";

    /// <summary>A database whose rows are all in one L0 SST of many blocks, with no block cache.</summary>
    private static async Task<(SlateDb Db, HeldReadsObjectStore Store)> OpenWithOneSstAsync()
    {
        var store = new HeldReadsObjectStore(new InMemoryObjectStore()) { Holding = false };
        var db = await SlateDb.Builder("db", store).WithOptions(TestOptions()).WithBlockCacheDisabled().OpenAsync();
        var value = new byte[100];
        for (var i = 0; i < RowCount; i++)
        {
            await db.PutAsync(B(Key(i)), value);
        }

        await FlushMemtableAsync(db);
        store.Holding = true;
        return (db, store);
    }

    /// <summary>
    /// Lets held reads go, oldest first and one at a time, until <paramref name="step"/> completes: a read is released
    /// only once the step has made no progress for <paramref name="quietMs"/> (real time), so the reads the step
    /// started ahead of what it needs stay held. Zero releases as fast as reads arrive.
    /// </summary>
    private static async Task<T> StepReleasingReadsAsync<T>(HeldReadsObjectStore store, Task<T> step, int quietMs = 50)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!step.IsCompleted)
        {
            DateTime.UtcNow.Should().BeBefore(deadline, "the step should complete once its reads are released");
            await Task.WhenAny(step, Task.Delay(Math.Max(1, quietMs)));
            if (!step.IsCompleted)
            {
                store.ReleaseOne();
            }
        }

        return await step;
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            DateTime.UtcNow.Should().BeBefore(deadline, $"waiting for {what}");
            await Task.Delay(2);
        }
    }
}
