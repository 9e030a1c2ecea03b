using FluentAssertions;
using static SlateDB.Tests.Read.ReadTestKit;
using static SlateDB.Tests.Transactions.TransactionTestKit;

namespace SlateDB.Tests.Transactions;

/// <summary>The classic anomalies, as each isolation level promises: lost updates never, write skew and phantoms only under Snapshot.</summary>
public sealed class TransactionAnomalyTests
{
    [Theory]
    [InlineData(IsolationLevel.Snapshot)]
    [InlineData(IsolationLevel.SerializableSnapshot)]
    public async Task Lost_update_is_prevented(IsolationLevel level)
    {
        await using var db = await OpenAsync();
        await db.PutAsync("x", "0");
        await using var first = await db.BeginTransactionAsync(level);
        await using var second = await db.BeginTransactionAsync(level);
        var a = int.Parse((await first.GetAsync("x"))!);
        var b = int.Parse((await second.GetAsync("x"))!);
        await first.PutAsync("x", (a + 1).ToString());
        await second.PutAsync("x", (b + 1).ToString());
        await first.CommitAsync();
        var conflict = await Assert.ThrowsAsync<SlateDbException>(async () => await second.CommitAsync());
        conflict.Kind.Should().Be(SlateDbErrorKind.Transaction);
        (await db.GetAsync("x")).Should().Be("1");
    }

    [Theory]
    [InlineData(IsolationLevel.Snapshot)]
    [InlineData(IsolationLevel.SerializableSnapshot)]
    public async Task Lost_update_against_a_plain_write_is_prevented(IsolationLevel level)
    {
        await using var db = await OpenAsync();
        await db.PutAsync("x", "0");
        await using var txn = await db.BeginTransactionAsync(level);
        var x = int.Parse((await txn.GetAsync("x"))!);
        await db.PutAsync("x", "10");
        await txn.PutAsync("x", (x + 1).ToString());
        (await Assert.ThrowsAsync<SlateDbException>(async () => await txn.CommitAsync())).Kind.Should().Be(SlateDbErrorKind.Transaction);
        (await db.GetAsync("x")).Should().Be("10");
    }

    [Theory]
    [InlineData(IsolationLevel.Snapshot, true)]
    [InlineData(IsolationLevel.SerializableSnapshot, false)]
    public async Task Write_skew_is_allowed_only_under_snapshot(IsolationLevel level, bool skewAllowed)
    {
        // Two doctors on call; each may leave if the other stays.
        await using var db = await OpenAsync();
        await db.PutAsync("alice", "on");
        await db.PutAsync("bob", "on");
        await using var alice = await db.BeginTransactionAsync(level);
        await using var bob = await db.BeginTransactionAsync(level);
        (await alice.GetAsync("alice")).Should().Be("on");
        (await alice.GetAsync("bob")).Should().Be("on");
        (await bob.GetAsync("alice")).Should().Be("on");
        (await bob.GetAsync("bob")).Should().Be("on");
        await alice.PutAsync("alice", "off");
        await bob.PutAsync("bob", "off");
        await alice.CommitAsync();
        if (skewAllowed)
        {
            await bob.CommitAsync();
            (await db.GetAsync("alice")).Should().Be("off");
            (await db.GetAsync("bob")).Should().Be("off", "snapshot isolation allows write skew");
        }
        else
        {
            (await Assert.ThrowsAsync<SlateDbException>(async () => await bob.CommitAsync())).Kind.Should().Be(SlateDbErrorKind.Transaction);
            (await db.GetAsync("bob")).Should().Be("on");
        }
    }

    [Theory]
    [InlineData(IsolationLevel.Snapshot, true)]
    [InlineData(IsolationLevel.SerializableSnapshot, false)]
    public async Task Phantoms_through_a_scanned_range_are_prevented_only_under_serializable(IsolationLevel level, bool phantomAllowed)
    {
        await using var db = await OpenAsync();
        await db.PutAsync("emp/1", "x");
        await db.PutAsync("emp/2", "x");
        await using var counter = await db.BeginTransactionAsync(level);
        var count = (await ToListAsync(counter.ScanPrefixAsync("emp/"))).Count;
        count.Should().Be(2);

        // A key that did not exist when the range was scanned: the scan returned nothing for it.
        await using var hire = await db.BeginTransactionAsync(level);
        await hire.PutAsync("emp/3", "x");
        await hire.CommitAsync();

        await counter.PutAsync("emp-count", count.ToString());
        if (phantomAllowed)
        {
            await counter.CommitAsync();
        }
        else
        {
            var conflict = await Assert.ThrowsAsync<SlateDbException>(async () => await counter.CommitAsync());
            conflict.Kind.Should().Be(SlateDbErrorKind.Transaction);
            conflict.Message.Should().Contain("range");
        }
    }

    [Fact]
    public async Task Serializable_checks_the_range_asked_for_not_the_rows_returned_and_nothing_outside_it()
    {
        await using var db = await OpenAsync();
        await db.PutAsync("a", "1");
        await using var inside = await db.BeginTransactionAsync(IsolationLevel.SerializableSnapshot);
        await using var iterator = await inside.CreateIteratorAsync(KeyRange.Between(B("a"), B("m")));
        (await iterator.NextAsync()).Should().NotBeNull();
        await inside.PutAsync("result", "1");
        await db.PutAsync("l", "late");
        (await Assert.ThrowsAsync<SlateDbException>(async () => await inside.CommitAsync())).Kind.Should().Be(SlateDbErrorKind.Transaction);

        await using var outside = await db.BeginTransactionAsync(IsolationLevel.SerializableSnapshot);
        await ToListAsync(outside.ScanAsync(KeyRange.Between(B("a"), B("m"))));
        await outside.PutAsync("result", "2");
        await db.PutAsync("m", "at the exclusive end");
        await db.PutAsync("zz", "after");
        await outside.CommitAsync();
        (await db.GetAsync("result")).Should().Be("2");
    }

    [Fact]
    public async Task Commits_before_the_begin_never_conflict()
    {
        await using var db = await OpenAsync();
        await using var older = await db.BeginTransactionAsync(IsolationLevel.SerializableSnapshot);
        await db.PutAsync("x", "1");
        await using var txn = await db.BeginTransactionAsync(IsolationLevel.SerializableSnapshot);
        (await txn.GetAsync("x")).Should().Be("1");
        await txn.PutAsync("x", "2");
        await txn.CommitAsync();
        (await db.GetAsync("x")).Should().Be("2");
    }
}
