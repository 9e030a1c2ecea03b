using FluentAssertions;
using Microsoft.Extensions.Time.Testing;
using SlateDB.Tests.Read;
using static SlateDB.Tests.Read.ReadTestKit;
using static SlateDB.Tests.Transactions.TransactionTestKit;

namespace SlateDB.Tests.Transactions;

/// <summary>The transaction API: reads over the snapshot with the transaction's own writes, commit, rollback, errors.</summary>
public sealed class TransactionApiTests
{
    [Fact]
    public async Task Reads_see_the_snapshot_at_begin_plus_own_writes_and_commit_applies_all_at_one_sequence()
    {
        await using var db = await OpenAsync();
        await db.PutAsync("a", "1");
        await db.PutAsync("b", "1");
        await using var txn = await db.BeginTransactionAsync();
        txn.ReadSequence.Should().Be(db.Status.CommittedSequence);

        await db.PutAsync("a", "outside");
        (await txn.GetAsync("a")).Should().Be("1", "the snapshot does not see later commits");
        await txn.PutAsync("a", "2");
        await txn.PutAsync("c", "3");
        await txn.DeleteAsync("b");
        (await txn.GetAsync("a")).Should().Be("2");
        (await txn.GetAsync("b")).Should().BeNull("its own delete hides the row");
        (await txn.GetAsync("c")).Should().Be("3");
        (await db.GetAsync("c")).Should().BeNull("nothing is visible before the commit");

        // A write-write conflict on "a" (written outside after the begin) under both levels.
        var conflict = await Assert.ThrowsAsync<SlateDbException>(async () => await txn.CommitAsync());
        conflict.Kind.Should().Be(SlateDbErrorKind.Transaction);
        (await db.GetAsync("c")).Should().BeNull("a conflicting commit writes nothing");
        (await db.GetAsync("b")).Should().Be("1");

        await using var second = await db.BeginTransactionAsync();
        await second.PutAsync("a", "2");
        await second.PutAsync("c", "3");
        await second.DeleteAsync("b");
        var handle = await second.CommitAsync();
        foreach (var key in new[] { "a", "c" })
        {
            var row = await db.GetKeyValueAsync(B(key));
            row!.Sequence.Should().Be(handle.Sequence, "every row of a transaction gets its one sequence");
        }

        (await db.GetAsync("b")).Should().BeNull();
        db.OpenTransactionCount.Should().Be(0);
    }

    [Fact]
    public async Task Scans_lay_own_puts_and_deletes_over_the_snapshot_in_both_orders()
    {
        await using var db = await OpenAsync();
        foreach (var key in new[] { "k1", "k2", "k3", "k4", "k5" })
        {
            await db.PutAsync(key, "db");
        }

        await using var txn = await db.BeginTransactionAsync(IsolationLevel.SerializableSnapshot);
        await txn.DeleteAsync("k2");
        await txn.PutAsync("k3", "txn");
        await txn.PutAsync("k35", "new");
        await txn.DeleteAsync("k9");
        await txn.PutAsync("z", "outside the range");
        await db.PutAsync("k4", "later");
        await db.PutAsync("k45", "later");

        var range = KeyRange.Between(B("k"), B("l"));
        var expected = new List<(string, string)> { ("k1", "db"), ("k3", "txn"), ("k35", "new"), ("k4", "db"), ("k5", "db") };
        (await ScanTextAsync(txn.ScanAsync(range))).Should().Equal(expected);
        (await ScanTextAsync(txn.ScanAsync(range, new ScanOptions { Order = IterationOrder.Descending }))).Should().Equal(Enumerable.Reverse(expected));
        (await ScanTextAsync(txn.ScanPrefixAsync("k3"))).Should().Equal(("k3", "txn"), ("k35", "new"));

        await using var iterator = await txn.CreateIteratorAsync(range);
        await iterator.SeekAsync(B("k3"));
        var next = await iterator.NextAsync();
        S(next!.Key).Should().Be("k3");
        next.Sequence.Should().Be(long.MaxValue, "an uncommitted write has no sequence yet");
        S((await iterator.NextAsync())!.Key).Should().Be("k35");
    }

    [Fact]
    public async Task Rollback_and_dispose_discard_writes_and_end_the_transaction()
    {
        await using var db = await OpenAsync();
        var txn = await db.BeginTransactionAsync();
        await txn.PutAsync("x", "1");
        txn.Rollback();
        txn.Rollback();
        (await db.GetAsync("x")).Should().BeNull();
        var error = await Assert.ThrowsAsync<SlateDbException>(async () => await txn.PutAsync("y", "1"));
        error.Kind.Should().Be(SlateDbErrorKind.Invalid);
        (await Assert.ThrowsAsync<SlateDbException>(async () => await txn.CommitAsync())).Kind.Should().Be(SlateDbErrorKind.Invalid);

        await using (var disposed = await db.BeginTransactionAsync())
        {
            await disposed.PutAsync("x", "2");
            db.OpenTransactionCount.Should().Be(1);
        }

        db.OpenTransactionCount.Should().Be(0);
        (await db.GetAsync("x")).Should().BeNull();

        var committed = await db.BeginTransactionAsync();
        await committed.PutAsync("x", "3");
        await committed.CommitAsync();
        await committed.DisposeAsync();
        (await db.GetAsync("x")).Should().Be("3", "disposing after the commit keeps it");
        (await Assert.ThrowsAsync<SlateDbException>(async () => await committed.GetAsync("x"))).Kind.Should().Be(SlateDbErrorKind.Invalid);
    }

    [Fact]
    public async Task A_read_only_commit_returns_a_handle_at_the_read_sequence()
    {
        await using var db = await OpenAsync();
        await db.PutAsync("a", "1");
        await using var txn = await db.BeginTransactionAsync(IsolationLevel.SerializableSnapshot);
        (await txn.GetAsync("a")).Should().Be("1");
        await db.PutAsync("a", "2");
        var handle = await txn.CommitAsync();
        handle.Sequence.Should().Be(txn.ReadSequence);
    }

    [Fact]
    public async Task Committed_transactions_are_durable_and_survive_a_reopen()
    {
        var store = new SlateDB.Storage.InMemoryObjectStore();
        await using (var db = await OpenAsync(store: store))
        {
            await using var txn = await db.BeginTransactionAsync();
            await txn.PutAsync("a", "1");
            await txn.PutAsync("b", "2", new PutOptions { Ttl = Ttl.NoExpiry });
            // The clock is fake (WAL flush ticks never come on their own): flush explicitly, awaiting durability
            // alongside, which the flush completes.
            var commit = txn.CommitAsync(new WriteOptions { AwaitDurable = true }).AsTask();
            while (!commit.IsCompleted)
            {
                await db.FlushAsync();
                await Task.WhenAny(commit, Task.Delay(10));
            }

            var handle = await commit;
            db.Status.DurableSequence.Should().BeGreaterThanOrEqualTo(handle.Sequence);
        }

        await using var reopened = await OpenAsync(store: store);
        (await reopened.GetAsync("a")).Should().Be("1");
        (await reopened.GetAsync("b")).Should().Be("2");
    }

    [Fact]
    public async Task Unmarked_writes_do_not_conflict_and_marked_reads_do()
    {
        await using var db = await OpenAsync();
        await using var unmarked = await db.BeginTransactionAsync();
        await unmarked.PutAsync("counter", "mine");
        unmarked.UnmarkWrite("counter");
        await db.PutAsync("counter", "theirs");
        await unmarked.CommitAsync();
        (await db.GetAsync("counter")).Should().Be("mine", "the unmarked key is still written");

        await using var marked = await db.BeginTransactionAsync(IsolationLevel.SerializableSnapshot);
        marked.MarkRead("guard");
        await marked.PutAsync("other", "1");
        await db.PutAsync("guard", "changed");
        (await Assert.ThrowsAsync<SlateDbException>(async () => await marked.CommitAsync())).Kind.Should().Be(SlateDbErrorKind.Transaction);

        await using var snapshotLevel = await db.BeginTransactionAsync(IsolationLevel.Snapshot);
        snapshotLevel.MarkRead("guard");
        await snapshotLevel.PutAsync("other", "2");
        await db.PutAsync("guard", "changed again");
        await snapshotLevel.CommitAsync();
        (await db.GetAsync("other")).Should().Be("2", "snapshot isolation does not check reads");
    }

    [Fact]
    public async Task Tracked_keys_are_released_when_the_oldest_transaction_ends_and_are_bounded()
    {
        await using var db = await OpenAsync(transactions: new TransactionOptions { MaxTrackedKeys = 100 });
        for (var i = 0; i < 50; i++)
        {
            await db.PutAsync($"before{i}", "v");
        }

        db.TrackedTransactionKeys.Should().Be(0, "nothing is tracked while no transaction is open");
        var old = await db.BeginTransactionAsync();
        for (var i = 0; i < 60; i++)
        {
            await db.PutAsync($"k{i}", "v");
        }

        db.TrackedTransactionKeys.Should().Be(60);
        var young = await db.BeginTransactionAsync();
        await db.PutAsync("k0", "again");
        db.TrackedTransactionKeys.Should().Be(61);

        // The oldest transaction ends: only what the younger one can conflict with stays.
        old.Rollback();
        db.TrackedTransactionKeys.Should().Be(1);
        young.Rollback();
        db.TrackedTransactionKeys.Should().Be(0);

        // Past the cap, the oldest open transactions are expired to make room.
        var first = await db.BeginTransactionAsync();
        await db.PutAsync("a", "1");
        var second = await db.BeginTransactionAsync();
        for (var i = 0; i < 100; i++)
        {
            await db.PutAsync($"m{i}", "v");
        }

        db.TrackedTransactionKeys.Should().BeLessThanOrEqualTo(100);
        var expired = await Assert.ThrowsAsync<SlateDbException>(async () => await first.GetAsync("a"));
        expired.Kind.Should().Be(SlateDbErrorKind.Transaction);
        expired.Message.Should().Contain("MaxTrackedKeys");
        (await second.GetAsync("a")).Should().Be("1", "the younger transaction still fits");
        await second.DisposeAsync();
        await first.DisposeAsync();
        db.TrackedTransactionKeys.Should().Be(0);
    }

    [Fact]
    public async Task A_transaction_older_than_the_max_age_is_expired_and_stops_holding_the_snapshot()
    {
        var time = new FakeTimeProvider(Start);
        var store = new SlateDB.Storage.InMemoryObjectStore();
        await using var db = await OpenAsync(time, new TransactionOptions { MaxAge = TimeSpan.FromMinutes(1) }, store);
        await db.PutAsync("a", "1");
        var txn = await db.BeginTransactionAsync();
        await db.PutAsync("a", "2");
        await FlushMemtableAsync(db);
        (await DbInspector.ManifestAsync(store)).Core.RecentSnapshotMinSeq.Should().Be((ulong)txn.ReadSequence, "an open transaction holds its snapshot like a snapshot does");

        time.Advance(TimeSpan.FromSeconds(61));
        await db.PutAsync("b", "1");
        await FlushMemtableAsync(db);
        db.OpenTransactionCount.Should().Be(0, "the flush expires it before choosing what to keep");
        (await DbInspector.ManifestAsync(store)).Core.RecentSnapshotMinSeq.Should().BeGreaterThan((ulong)txn.ReadSequence);

        var read = await Assert.ThrowsAsync<SlateDbException>(async () => await txn.GetAsync("a"));
        read.Kind.Should().Be(SlateDbErrorKind.Transaction);
        read.Message.Should().Contain("MaxAge");
        (await Assert.ThrowsAsync<SlateDbException>(async () => await txn.CommitAsync())).Kind.Should().Be(SlateDbErrorKind.Transaction);

        // Without a flush the commit notices the age itself.
        var lazy = await db.BeginTransactionAsync();
        await lazy.PutAsync("c", "1");
        time.Advance(TimeSpan.FromMinutes(2));
        (await Assert.ThrowsAsync<SlateDbException>(async () => await lazy.CommitAsync())).Kind.Should().Be(SlateDbErrorKind.Transaction);
        (await db.GetAsync("c")).Should().BeNull();
    }

    [Fact]
    public async Task Bad_arguments_are_rejected()
    {
        await using var db = await OpenAsync();
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await db.BeginTransactionAsync((IsolationLevel)7));
        await using var txn = await db.BeginTransactionAsync();
        await Assert.ThrowsAsync<ArgumentException>(async () => await txn.PutAsync(ReadOnlyMemory<byte>.Empty, B("v")));
        await Assert.ThrowsAsync<ArgumentException>(async () => await txn.GetAsync(ReadOnlyMemory<byte>.Empty));
        Assert.Throws<ArgumentOutOfRangeException>(() => SlateDb.Builder("db", new SlateDB.Storage.InMemoryObjectStore()).WithTransactionOptions(new TransactionOptions { MaxAge = TimeSpan.Zero }));
        Assert.Throws<ArgumentOutOfRangeException>(() => SlateDb.Builder("db", new SlateDB.Storage.InMemoryObjectStore()).WithTransactionOptions(new TransactionOptions { MaxTrackedKeys = 0 }));
    }

    [Fact]
    public async Task A_closed_database_fails_transactions_with_closed()
    {
        var db = await OpenAsync();
        var txn = await db.BeginTransactionAsync();
        await txn.PutAsync("a", "1");
        await db.CloseAsync();
        (await Assert.ThrowsAsync<SlateDbException>(async () => await txn.CommitAsync())).Kind.Should().Be(SlateDbErrorKind.Closed);
        (await Assert.ThrowsAsync<SlateDbException>(async () => await db.BeginTransactionAsync())).Kind.Should().Be(SlateDbErrorKind.Closed);
    }
}
