using SlateDB.Storage;
using static SlateDB.Tests.Read.ReadTestKit;

namespace SlateDB.Tests.Read;

/// <summary>
/// A scan served from memory never waits, so nothing below it notices a cancellation: the iterator checks the token
/// itself, every <see cref="DbIterator.CancellationCheckInterval"/> rows.
/// </summary>
public sealed class ScanCancellationTests
{
    private const int Rows = 2_000;

    private static async Task<SlateDb> OpenWithRowsAsync()
    {
        var db = await SlateDb.OpenAsync("db", new InMemoryObjectStore(), TestOptions());
        var batch = new WriteBatch();
        for (var i = 0; i < Rows; i++)
        {
            batch.Put($"key{i:D5}", "v");
        }

        await db.WriteAsync(batch);
        return db;
    }

    [Fact]
    public async Task A_memtable_scan_stops_soon_after_its_token_is_cancelled()
    {
        await using var db = await OpenWithRowsAsync();
        using var cancel = new CancellationTokenSource();
        var read = 0;

        var scan = async () =>
        {
            await foreach (var unused in db.ScanAsync(KeyRange.All, cancellationToken: cancel.Token))
            {
                if (++read == 10)
                {
                    await cancel.CancelAsync();
                }
            }
        };

        await scan.Should().ThrowAsync<OperationCanceledException>();
        read.Should().BeLessThanOrEqualTo(10 + DbIterator.CancellationCheckInterval);
    }

    [Fact]
    public async Task The_token_given_to_WithCancellation_stops_a_memtable_scan_too()
    {
        await using var db = await OpenWithRowsAsync();
        using var cancel = new CancellationTokenSource();
        var read = 0;

        var scan = async () =>
        {
            await foreach (var unused in db.ScanPrefixAsync("key").WithCancellation(cancel.Token))
            {
                if (++read == 1)
                {
                    await cancel.CancelAsync();
                }
            }
        };

        await scan.Should().ThrowAsync<OperationCanceledException>();
        read.Should().BeLessThanOrEqualTo(1 + DbIterator.CancellationCheckInterval);
    }

    [Fact]
    public async Task An_iterator_whose_next_call_is_cancelled_stays_usable()
    {
        await using var db = await OpenWithRowsAsync();
        await using var iterator = await db.CreateIteratorAsync(KeyRange.All);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        var read = 0;
        var next = async () =>
        {
            while (await iterator.NextAsync(cancelled.Token) is not null)
            {
                read++;
            }
        };

        await next.Should().ThrowAsync<OperationCanceledException>();
        read.Should().BeLessThan(DbIterator.CancellationCheckInterval);
        var rest = 0;
        while (await iterator.NextAsync() is not null)
        {
            rest++;
        }

        (read + rest).Should().Be(Rows, "a cancelled call loses no row");
    }
}
