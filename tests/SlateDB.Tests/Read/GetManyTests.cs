using SlateDB.Storage;
using SlateDB.Tests.Engine;
using static SlateDB.Tests.Read.ReadTestKit;

namespace SlateDB.Tests.Read;

/// <summary>
/// <c>GetManyAsync</c> reads several keys at one sequence, in order, null for the absent ones; <c>ContainsKeyAsync</c>
/// answers whether a key has a value without copying it.
/// </summary>
public sealed class GetManyTests
{
    [Fact]
    public async Task GetManyAsync_returns_the_values_in_the_order_asked_with_null_for_absent_deleted_and_expired_keys()
    {
        await using var db = await SlateDb.OpenAsync("db", new InMemoryObjectStore(), TestOptions());
        await db.PutAsync("a", "1");
        await db.PutAsync("b", "2");
        await db.PutAsync("deleted", "x");
        await db.DeleteAsync("deleted");
        await FlushMemtableAsync(db);
        await db.PutAsync("c", "3");

        var strings = await db.GetManyAsync(["c", "missing", "a", "deleted", "b", "a"]);
        strings.Should().Equal("3", null, "1", null, "2", "1");

        var bytes = await db.GetManyAsync(new List<byte[]> { B("b"), B("nope") });
        bytes.Should().HaveCount(2);
        bytes[0].Should().Equal(B("2"));
        bytes[1].Should().BeNull();

        var memory = await db.GetManyAsync(new[] { B("a").AsMemory() }.Select(m => (ReadOnlyMemory<byte>)m));
        memory.Single().Should().Equal(B("1"));
        (await db.GetManyAsync(Array.Empty<string>())).Should().BeEmpty();
    }

    [Fact]
    public async Task GetManyAsync_checks_every_key_before_reading()
    {
        await using var db = await SlateDb.OpenAsync("db", new InMemoryObjectStore(), TestOptions());

        await FluentActions.Invoking(() => db.GetManyAsync(["a", ""]).AsTask()).Should().ThrowAsync<ArgumentException>().WithParameterName("keys");
        await FluentActions.Invoking(() => db.GetManyAsync(new[] { "a", null! }).AsTask()).Should().ThrowAsync<ArgumentNullException>();
        await FluentActions.Invoking(() => db.GetManyAsync((IEnumerable<string>)null!).AsTask()).Should().ThrowAsync<ArgumentNullException>();
        await FluentActions.Invoking(() => db.GetManyAsync(new List<byte[]> { B("a"), new byte[WriteBatch.MaxKeyLength + 1] }).AsTask()).Should().ThrowAsync<ArgumentException>();
    }

    [Fact]
    public async Task GetManyAsync_reads_every_key_at_the_sequence_it_started_at()
    {
        // The first key is in an SST whose read is held at a gate; meanwhile both keys are overwritten. A read of the
        // second key at the latest sequence would return the new value next to the old one.
        var store = new UncancellableGateStore(new InMemoryObjectStore(), "db/compacted/") { GateReads = true };
        await using var db = await SlateDb.Builder("db", store).WithOptions(TestOptions()).WithBlockCacheDisabled().OpenAsync();
        await db.PutAsync("a", "old");
        await db.PutAsync("b", "old");
        await FlushMemtableAsync(db);

        store.Close();
        var reading = db.GetManyAsync(["a", "b"]).AsTask();
        await store.Reached.WaitAsync(TimeSpan.FromSeconds(10));
        await db.PutAsync("a", "new");
        await db.PutAsync("b", "new");
        store.Open();

        (await reading).Should().Equal("old", "old");
        (await db.GetManyAsync(["a", "b"])).Should().Equal("new", "new");
    }

    [Fact]
    public async Task ContainsKeyAsync_tells_whether_a_key_has_a_value()
    {
        await using var db = await SlateDb.OpenAsync("db", new InMemoryObjectStore(), TestOptions());
        await db.PutAsync("flushed", "1");
        await db.PutAsync("deleted", "1");
        await FlushMemtableAsync(db);
        await db.DeleteAsync("deleted");
        await db.PutAsync("empty", "");

        (await db.ContainsKeyAsync("flushed")).Should().BeTrue();
        (await db.ContainsKeyAsync(B("empty"))).Should().BeTrue("an empty value is a value");
        (await db.ContainsKeyAsync("deleted")).Should().BeFalse();
        (await db.ContainsKeyAsync("missing")).Should().BeFalse();
        await FluentActions.Invoking(() => db.ContainsKeyAsync("").AsTask()).Should().ThrowAsync<ArgumentException>();
    }

    [Fact]
    public async Task ContainsKeyAsync_does_not_copy_the_value()
    {
        const int size = 1 << 20;
        await using var db = await SlateDb.OpenAsync("db", new InMemoryObjectStore(), TestOptions());
        await db.PutAsync(B("big"), new byte[size]);
        (await db.ContainsKeyAsync("big")).Should().BeTrue("warm-up");

        var before = GC.GetAllocatedBytesForCurrentThread();
        var exists = db.ContainsKeyAsync(B("big"));
        var containsAllocated = GC.GetAllocatedBytesForCurrentThread() - before;
        before = GC.GetAllocatedBytesForCurrentThread();
        var value = db.GetAsync(B("big"));
        var getAllocated = GC.GetAllocatedBytesForCurrentThread() - before;

        exists.IsCompletedSuccessfully.Should().BeTrue("a memtable read completes on this thread");
        (await exists).Should().BeTrue();
        (await value).Should().HaveCount(size);
        getAllocated.Should().BeGreaterThan(size, "the measurement sees a copy of the value");
        containsAllocated.Should().BeLessThan(4_096);
    }
}
