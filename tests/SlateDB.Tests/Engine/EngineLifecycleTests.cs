using SlateDB.Storage;
using static SlateDB.Tests.Engine.EngineTestSupport;

namespace SlateDB.Tests.Engine;

/// <summary>Bad input, calls after close, and close itself (idempotent, writes everything out).</summary>
public sealed class EngineLifecycleTests
{
    [Fact]
    public async Task Bad_keys_and_empty_batches_throw_the_documented_exceptions_and_change_nothing()
    {
        var store = new InMemoryObjectStore();
        await using var db = await OpenAsync(store, TestOptions());
        var first = await db.PutAsync("k", "v1");
        var tooLong = new byte[WriteBatch.MaxKeyLength + 1];

        var argumentCalls = new Dictionary<string, Func<Task>>
        {
            ["put empty key"] = () => db.PutAsync(ReadOnlyMemory<byte>.Empty, Bytes("x")).AsTask(),
            ["put long key"] = () => db.PutAsync(tooLong, Bytes("x")).AsTask(),
            ["delete empty key"] = () => db.DeleteAsync(ReadOnlyMemory<byte>.Empty).AsTask(),
            ["delete long key"] = () => db.DeleteAsync(tooLong).AsTask(),
            ["get empty key"] = () => db.GetAsync(ReadOnlyMemory<byte>.Empty).AsTask(),
            ["get long key"] = () => db.GetAsync(tooLong).AsTask(),
            ["get key-value empty key"] = () => db.GetKeyValueAsync(ReadOnlyMemory<byte>.Empty).AsTask(),
            ["batch put empty key"] = () => Task.FromResult(new WriteBatch().Put(ReadOnlyMemory<byte>.Empty, Bytes("x"))),
            ["batch delete long key"] = () => Task.FromResult(new WriteBatch().Delete(tooLong)),
        };
        foreach (var (name, call) in argumentCalls)
        {
            var thrown = (await call.Should().ThrowAsync<ArgumentException>(name)).Which;
            thrown.Should().NotBeOfType<ArgumentNullException>(name);
        }

        await db.Invoking(d => d.PutAsync((string)null!, "x").AsTask()).Should().ThrowAsync<ArgumentNullException>();
        await db.Invoking(d => d.PutAsync("x", (string)null!).AsTask()).Should().ThrowAsync<ArgumentNullException>();
        await db.Invoking(d => d.WriteAsync(null!).AsTask()).Should().ThrowAsync<ArgumentNullException>();
        var empty = (await db.Invoking(d => d.WriteAsync(new WriteBatch()).AsTask()).Should().ThrowAsync<SlateDbException>()).Which;
        empty.Kind.Should().Be(SlateDbErrorKind.Invalid);

        // Nothing was applied and no sequence number was used.
        var next = await db.PutAsync("k2", "v2");
        next.Sequence.Should().Be(first.Sequence + 1);
        (await db.GetAsync("k")).Should().Be("v1");
        (await db.GetAsync("x")).Should().BeNull();

        // The longest key is fine.
        var longest = new byte[WriteBatch.MaxKeyLength];
        longest[^1] = 7;
        await db.PutAsync(longest, Bytes("long"));
        (await db.GetAsync(longest)).Should().Equal(Bytes("long"));
    }

    [Fact]
    public async Task Every_call_after_close_throws_closed_clean()
    {
        var db = await OpenAsync(new InMemoryObjectStore(), TestOptions());
        await db.PutAsync("k", "v");
        await db.CloseAsync();

        var calls = new Dictionary<string, Func<Task>>
        {
            ["put"] = () => db.PutAsync("x", "y").AsTask(),
            ["delete"] = () => db.DeleteAsync("x").AsTask(),
            ["write"] = () => db.WriteAsync(new WriteBatch().Put("x", "y")).AsTask(),
            ["get"] = () => db.GetAsync("k").AsTask(),
            ["get key-value"] = () => db.GetKeyValueAsync(Bytes("k")).AsTask(),
            ["flush"] = () => db.FlushAsync().AsTask(),
            ["flush memtable"] = () => db.FlushAsync(new FlushOptions { FlushType = FlushType.MemTable }).AsTask(),
        };
        foreach (var (name, call) in calls)
        {
            var thrown = (await call.Should().ThrowAsync<SlateDbException>(name)).Which;
            thrown.Kind.Should().Be(SlateDbErrorKind.Closed, name);
            thrown.CloseReason.Should().Be(CloseReason.Clean, name);
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Close_is_idempotent_and_writes_everything_out(bool walEnabled)
    {
        var store = new InMemoryObjectStore();
        var options = TestOptions() with { WalEnabled = walEnabled };
        var db = await OpenAsync(store, options);
        await db.PutAsync("a", "1");
        await db.WriteAsync(new WriteBatch().Put("b", "2").Put("c", "3").Delete("a"));
        var last = await db.PutAsync("d", "");
        var durable = last.AwaitDurableAsync();

        var first = db.CloseAsync();
        var second = db.CloseAsync();
        await first;
        await second;
        await db.CloseAsync();
        await db.DisposeAsync();
        await durable.WaitAsync(TimeSpan.FromSeconds(10)); // close wrote the last write out, so its wait succeeds

        await using var reopened = await OpenAsync(store, options, seed: 2);
        (await reopened.GetAsync("a")).Should().BeNull();
        (await reopened.GetAsync("b")).Should().Be("2");
        (await reopened.GetAsync("c")).Should().Be("3");
        (await reopened.GetAsync("d")).Should().Be(string.Empty);
        (await reopened.GetKeyValueAsync(Bytes("d")))!.Sequence.Should().Be(last.Sequence);
        (await reopened.PutAsync("e", "5")).Sequence.Should().Be(last.Sequence + 1, "sequence numbers continue after a reopen");
    }

    [Fact]
    public async Task Close_waits_for_writes_that_are_waiting_for_durability()
    {
        var gated = new GatedObjectStore(new InMemoryObjectStore(), "db/wal/");
        var options = TestOptions();
        var db = await OpenAsync(gated, options);
        gated.Close();
        var writes = Enumerable.Range(0, 10).Select(i => db.PutAsync($"k{i}", "v", writeOptions: new WriteOptions { AwaitDurable = true }).AsTask()).ToList();
        await Task.Delay(30);
        writes.Should().OnlyContain(w => !w.IsCompleted, "no WAL object can be written yet");

        var closing = db.CloseAsync().AsTask();
        await Task.Delay(30);
        closing.IsCompleted.Should().BeFalse("close waits until what was committed is written out");
        gated.Open();
        await closing.WaitAsync(TimeSpan.FromSeconds(10));
        await Task.WhenAll(writes).WaitAsync(TimeSpan.FromSeconds(10));

        await using var reopened = await OpenAsync(gated, options, seed: 2);
        for (var i = 0; i < 10; i++)
        {
            (await reopened.GetAsync($"k{i}")).Should().Be("v");
        }
    }
}
