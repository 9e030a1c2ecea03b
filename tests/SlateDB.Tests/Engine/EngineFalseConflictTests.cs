using SlateDB.Storage;
using SlateDB.Tests.Storage.Decorators;
using static SlateDB.Tests.Engine.EngineTestSupport;

namespace SlateDB.Tests.Engine;

/// <summary>
/// A stalled store is not a rival writer: a conditional put that landed but was reported as a conflict (an SDK
/// re-send on a stale connection) must not close the only writer as fenced or fail its flush, and the write must be
/// durable.
/// </summary>
public sealed class EngineFalseConflictTests
{
    private static readonly WriteOptions Durable = new() { AwaitDurable = true };

    [Fact]
    public async Task A_wal_put_that_landed_but_reported_already_exists_does_not_fence_the_only_writer()
    {
        var memory = new InMemoryObjectStore();
        var store = new DoubleApplyingStore(memory);
        var db = await OpenAsync(store, TestOptions());
        store.Arm("db/wal/", times: 3);

        for (var i = 0; i < 5; i++)
        {
            await db.PutAsync($"k{i}", $"v{i}", writeOptions: Durable);
        }

        store.Misreported.Should().Be(3, "three WAL PUTs landed and came back as conflicts");
        await db.PutAsync("after", "x", writeOptions: Durable);
        await db.CloseAsync();

        await using var reopened = await OpenAsync(memory, TestOptions(), seed: 2);
        for (var i = 0; i < 5; i++)
        {
            (await reopened.GetAsync($"k{i}")).Should().Be($"v{i}", "the acknowledged write is durable");
        }

        (await reopened.GetAsync("after")).Should().Be("x");
    }

    [Theory]
    [InlineData("db/manifest/")]
    [InlineData("db/compacted/")]
    public async Task A_memtable_flush_whose_put_landed_but_reported_a_conflict_succeeds_once(string prefix)
    {
        var memory = new InMemoryObjectStore();
        var store = new DoubleApplyingStore(memory);
        var options = TestOptions() with { WalEnabled = false };
        var db = await OpenAsync(store, options);
        await db.PutAsync("a", "1");
        store.Arm(prefix);

        await db.FlushAsync(new FlushOptions { FlushType = FlushType.MemTable });

        store.Misreported.Should().Be(1);
        await db.PutAsync("b", "2");
        await db.FlushAsync(new FlushOptions { FlushType = FlushType.MemTable });
        await db.CloseAsync();

        await using var reopened = await OpenAsync(memory, options, seed: 2);
        (await reopened.GetAsync("a")).Should().Be("1");
        (await reopened.GetAsync("b")).Should().Be("2");
        var l0 = await CountL0Async(memory);
        l0.Should().Be(2, "each flush is recorded once, not reapplied after a false conflict");
    }

    private static async Task<int> CountL0Async(IObjectStore store)
    {
        var manifests = new SlateDB.Manifest.ManifestStore(store, new SlateDB.Manifest.DbPaths("db"));
        var latest = await manifests.ReadLatestAsync(default);
        return latest!.Value.Manifest.Core.Tree.L0.Count;
    }
}
