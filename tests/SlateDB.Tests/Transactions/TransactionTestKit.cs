using Microsoft.Extensions.Time.Testing;
using SlateDB.Storage;
using static SlateDB.Tests.Read.ReadTestKit;

namespace SlateDB.Tests.Transactions;

/// <summary>Opens in-memory databases for the transaction tests, with a fake clock.</summary>
internal static class TransactionTestKit
{
    public static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static Task<SlateDb> OpenAsync(FakeTimeProvider? time = null, TransactionOptions? transactions = null, IObjectStore? store = null, int seed = 1)
    {
        var builder = SlateDb.Builder("db", store ?? new InMemoryObjectStore()).WithOptions(TestOptions()).WithSeed(seed)
            .WithTimeProvider(time ?? new FakeTimeProvider(Start));
        if (transactions is not null)
        {
            builder.WithTransactionOptions(transactions);
        }

        return builder.OpenAsync();
    }

    public static async Task<List<(string Key, string Value)>> ScanTextAsync(IAsyncEnumerable<KeyValue> scan) =>
        [.. (await ToListAsync(scan)).Select(row => (S(row.Key), S(row.Value)))];

    public static async Task<SlateDbException> ConflictAsync(Func<Task> commit)
    {
        var error = await Assert.ThrowsAsync<SlateDbException>(commit);
        return error;
    }
}
