using FluentAssertions;
using Microsoft.Extensions.Time.Testing;
using SlateDB.Storage;
using static SlateDB.Tests.Read.ReadTestKit;
using static SlateDB.Tests.Transactions.TransactionTestKit;

namespace SlateDB.Tests.Transactions;

/// <summary>Merges inside transactions: read-your-merges, folding at commit, conflicts, and the errors without an operator.</summary>
public sealed class TransactionMergeTests
{
    private static readonly FlushOptions MemTable = new() { FlushType = FlushType.MemTable };

    private static Task<SlateDb> OpenWithAppendAsync(IObjectStore? store = null) =>
        SlateDb.Builder("db", store ?? new InMemoryObjectStore()).WithOptions(TestOptions()).WithSeed(1)
            .WithTimeProvider(new FakeTimeProvider(Start)).WithMergeOperator(MergeOperators.Append(",")).OpenAsync();

    [Fact]
    public async Task A_transaction_reads_its_merges_folded_over_its_snapshot_and_commits_them_over_the_value_then()
    {
        await using var db = await OpenWithAppendAsync();
        await db.PutAsync("k", "a");
        await db.FlushAsync(MemTable);
        await using var txn = await db.BeginTransactionAsync();
        await txn.MergeAsync("k", "b");
        await txn.MergeAsync("k", "c");
        await txn.MergeAsync("new", "x");
        (await txn.GetAsync("k")).Should().Be("a,b,c");
        (await txn.GetAsync("new")).Should().Be("x");
        (await ScanTextAsync(txn.ScanPrefixAsync(""))).Should().Equal(("k", "a,b,c"), ("new", "x"));
        (await db.GetAsync("k")).Should().Be("a", "nothing is applied before the commit");

        await db.MergeAsync("other", "o");
        var handle = await txn.CommitAsync();
        (await db.GetAsync("k")).Should().Be("a,b,c");
        (await db.GetAsync("new")).Should().Be("x");
        (await db.GetKeyValueAsync("k"u8.ToArray()))!.Sequence.Should().Be(handle.Sequence);
    }

    [Fact]
    public async Task Merges_after_a_put_or_a_delete_in_the_same_transaction_fold_into_a_value()
    {
        await using var db = await OpenWithAppendAsync();
        await db.PutAsync("p", "old");
        await db.PutAsync("d", "old");
        await using var txn = await db.BeginTransactionAsync();
        await txn.PutAsync("p", "base");
        await txn.MergeAsync("p", "1");
        await txn.DeleteAsync("d");
        await txn.MergeAsync("d", "2");
        (await txn.GetAsync("p")).Should().Be("base,1");
        (await txn.GetAsync("d")).Should().Be("2", "a merge after a delete folds from nothing");
        await txn.CommitAsync();
        (await db.GetAsync("p")).Should().Be("base,1");
        (await db.GetAsync("d")).Should().Be("2");
    }

    [Theory]
    [InlineData(IsolationLevel.Snapshot)]
    [InlineData(IsolationLevel.SerializableSnapshot)]
    public async Task A_merge_is_a_write_for_conflicts(IsolationLevel level)
    {
        await using var db = await OpenWithAppendAsync();
        await using var first = await db.BeginTransactionAsync(level);
        await using var second = await db.BeginTransactionAsync(level);
        await first.MergeAsync("k", "1");
        await second.MergeAsync("k", "2");
        await first.CommitAsync();
        var conflict = await Assert.ThrowsAsync<SlateDbException>(async () => await second.CommitAsync());
        conflict.Kind.Should().Be(SlateDbErrorKind.Transaction);
        (await db.GetAsync("k")).Should().Be("1");
    }

    [Fact]
    public async Task A_committed_merge_folds_over_a_value_written_after_the_transaction_began_when_nothing_conflicts()
    {
        // Under Snapshot a merge that read nothing does not conflict with a plain write to another key; over the same
        // key the plain write conflicts (write-write).
        await using var db = await OpenWithAppendAsync();
        await db.PutAsync("k", "a");
        await using var txn = await db.BeginTransactionAsync();
        await txn.MergeAsync("k", "b");
        await db.PutAsync("unrelated", "z");
        await txn.CommitAsync();
        (await db.GetAsync("k")).Should().Be("a,b");
        await db.FlushAsync(MemTable);
        (await db.GetAsync("k")).Should().Be("a,b");
    }

    [Fact]
    public async Task Merging_without_an_operator_is_invalid_and_a_mixed_ttl_is_refused()
    {
        await using (var plain = await OpenAsync())
        {
            await using var txn = await plain.BeginTransactionAsync();
            var missing = await Assert.ThrowsAsync<SlateDbException>(async () => await txn.MergeAsync("k", "v"));
            missing.Kind.Should().Be(SlateDbErrorKind.Invalid);
        }

        await using var db = await OpenWithAppendAsync();
        await using var mixed = await db.BeginTransactionAsync();
        await mixed.PutAsync("k", "a");
        var ttl = await Assert.ThrowsAsync<SlateDbException>(async () => await mixed.MergeAsync("k", "b", new MergeOptions { Ttl = Ttl.ExpireAfter(TimeSpan.FromMinutes(1)) }));
        ttl.Kind.Should().Be(SlateDbErrorKind.Invalid);
        (await mixed.GetAsync("k")).Should().Be("a", "the refused merge left the write set as it was");
    }
}
