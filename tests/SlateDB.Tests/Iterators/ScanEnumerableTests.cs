using SlateDB.Storage;
using static SlateDB.Tests.Read.ReadTestKit;

namespace SlateDB.Tests.Iterators;

/// <summary>
/// What <c>ScanAsync</c> returns behaves as a compiler-generated async iterator did: each enumeration starts its own scan
/// at its first step, both cancellation tokens count, the end and errors finish it, and closing the database fails it.
/// </summary>
public sealed class ScanEnumerableTests
{
    private static readonly SlateDbOptions s_options = TestOptions(minFilterKeys: 1);

    [Fact]
    public async Task Each_enumeration_sees_the_database_as_of_its_first_step()
    {
        await using var db = await SlateDb.OpenAsync("db", new InMemoryObjectStore(), s_options);
        await db.PutAsync(B("a"), B("1"));
        var scan = db.ScanAsync(KeyRange.All);
        await db.PutAsync(B("b"), B("2"));
        (await ToListAsync(scan)).Select(kv => S(kv.Key)).Should().Equal("a", "b");

        await using var enumerator = scan.GetAsyncEnumerator();
        await db.PutAsync(B("c"), B("3"));
        (await enumerator.MoveNextAsync()).Should().BeTrue();
        await db.PutAsync(B("d"), B("4"));
        var rest = new List<string> { S(enumerator.Current.Key) };
        while (await enumerator.MoveNextAsync())
        {
            rest.Add(S(enumerator.Current.Key));
        }

        rest.Should().Equal("a", "b", "c");
        (await enumerator.MoveNextAsync()).Should().BeFalse("an enumeration stays at its end");
        (await ToListAsync(scan)).Should().HaveCount(4, "enumerating again starts a new scan");
    }

    [Fact]
    public async Task The_scan_token_and_the_enumerator_token_both_cancel()
    {
        await using var db = await SlateDb.OpenAsync("db", new InMemoryObjectStore(), s_options);
        await db.PutAsync(B("a"), B("1"));
        using var canceled = new CancellationTokenSource();
        await canceled.CancelAsync();
        using var live = new CancellationTokenSource();

        await FluentActions.Awaiting(() => ToListAsync(db.ScanAsync(KeyRange.All, cancellationToken: canceled.Token))).Should().ThrowAsync<OperationCanceledException>();
        await FluentActions.Awaiting(() => CountAsync(db.ScanAsync(KeyRange.All), canceled.Token)).Should().ThrowAsync<OperationCanceledException>();
        await FluentActions.Awaiting(() => CountAsync(db.ScanAsync(KeyRange.All, cancellationToken: live.Token), canceled.Token)).Should().ThrowAsync<OperationCanceledException>();
        await FluentActions.Awaiting(() => CountAsync(db.ScanAsync(KeyRange.All, cancellationToken: canceled.Token), live.Token)).Should().ThrowAsync<OperationCanceledException>();
        (await CountAsync(db.ScanAsync(KeyRange.All, cancellationToken: live.Token), live.Token)).Should().Be(1);
        (await CountAsync(db.ScanAsync(KeyRange.All, cancellationToken: live.Token), default)).Should().Be(1);
    }

    [Fact]
    public async Task A_scan_of_a_closed_database_fails_at_its_first_step_and_then_ends()
    {
        var db = await SlateDb.OpenAsync("db", new InMemoryObjectStore(), s_options);
        await db.PutAsync(B("a"), B("1"));
        var scan = db.ScanAsync(KeyRange.All);
        await db.CloseAsync();

        await using var enumerator = scan.GetAsyncEnumerator();
        await FluentActions.Awaiting(() => enumerator.MoveNextAsync().AsTask()).Should().ThrowAsync<SlateDbException>();
        (await enumerator.MoveNextAsync()).Should().BeFalse();
    }

    [Fact]
    public async Task Long_scans_over_memtable_and_ssts_in_both_orders_return_every_key_once_with_the_default_read_ahead()
    {
        const int seed = 99;
        var random = new Random(seed);
        await using var db = await SlateDb.OpenAsync("db", new InMemoryObjectStore(), TestOptions(l0SstSizeBytes: 256 * 1024, minFilterKeys: 1));
        var model = new SortedDictionary<string, string>(StringComparer.Ordinal);
        for (var round = 0; round < 4; round++)
        {
            var batch = new WriteBatch();
            for (var i = 0; i < 5_000; i++)
            {
                var key = $"k{random.Next(12_000):D5}";
                if (random.Next(10) == 0)
                {
                    batch.Delete(B(key));
                    model.Remove(key);
                }
                else
                {
                    var value = $"v{round}-{i}-" + new string('x', random.Next(60));
                    batch.Put(B(key), B(value));
                    model[key] = value;
                }
            }

            await db.WriteAsync(batch);
            if (round < 3)
            {
                await FlushMemtableAsync(db);
            }
        }

        foreach (var order in new[] { IterationOrder.Ascending, IterationOrder.Descending })
        {
            var rows = (await ToListAsync(db.ScanAsync(KeyRange.All, new ScanOptions { Order = order }))).Select(kv => (S(kv.Key), S(kv.Value))).ToList();
            var expected = model.Select(kv => (kv.Key, kv.Value)).ToList();
            if (order == IterationOrder.Descending)
            {
                expected.Reverse();
            }

            rows.Should().Equal(expected, "seed {0}, {1}", seed, order);
        }
    }

    /// <summary>Counts the rows of <paramref name="scan"/> enumerated with <paramref name="enumeratorToken"/> (<c>WithCancellation</c>).</summary>
    private static async Task<int> CountAsync(IAsyncEnumerable<KeyValue> scan, CancellationToken enumeratorToken)
    {
        var count = 0;
        await foreach (var _ in scan.WithCancellation(enumeratorToken))
        {
            count++;
        }

        return count;
    }
}
