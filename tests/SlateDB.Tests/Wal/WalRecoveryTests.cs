using SlateDB.Manifest;
using SlateDB.Storage;
using SlateDB.Tests.Engine;
using static SlateDB.Tests.Engine.EngineTestSupport;

namespace SlateDB.Tests.Wal;

/// <summary>
/// Recovery never trusts a damaged or missing WAL silently: it works from one listing of the WAL, a missing object
/// after the replay point is a Data error naming it, and a manifest whose WAL ids are far above anything listed is a
/// Data error instead of a probe towards 2^64. Fences (zero-byte objects, empty SSTs) keep replaying as empty.
/// </summary>
public sealed class WalRecoveryTests
{
    private static readonly WriteOptions Durable = new() { AwaitDurable = true };

    /// <summary>Regression: the missing object was skipped, and its acknowledged writes silently lost.</summary>
    [Fact]
    public async Task A_deleted_wal_object_inside_the_replay_range_fails_open_with_a_data_error_naming_it()
    {
        var store = new InMemoryObjectStore();
        var a = await OpenAsync(store, TestOptions(), seed: 1);
        for (var i = 0; i < 3; i++)
        {
            await a.PutAsync($"k{i}", "v", writeOptions: Durable);
        }

        var ids = await WalIdsAsync(store);
        var missing = ids[^2];
        await store.DeleteAsync(new DbPaths("db").WalSstPath(missing), default);

        var open = () => OpenAsync(store, TestOptions(), seed: 2);
        var error = (await open.Should().ThrowAsync<SlateDbException>()).Which;
        error.Kind.Should().Be(SlateDbErrorKind.Data);
        error.Message.Should().Contain($"WAL object {missing} is missing");
        await CloseMaybeFencedAsync(a);
    }

    /// <summary>Regression: open wrote its fence at 2^56 and then read every id up to it, one GET at a time.</summary>
    [Fact]
    public async Task A_manifest_next_wal_id_far_above_the_listing_fails_open_with_a_data_error_without_probing()
    {
        var inner = new InMemoryObjectStore();
        await using (var db = await OpenAsync(inner, TestOptions(), seed: 1))
        {
            await db.PutAsync("k", "v", writeOptions: Durable);
        }

        var manifests = new ManifestStore(inner, new DbPaths("db"));
        var (id, manifest) = (await manifests.ReadLatestAsync(default))!.Value;
        (await manifests.TryWriteAsync(id + 1, manifest with { Core = manifest.Core with { NextWalSstId = 1UL << 56 } }, default)).Should().BeTrue();

        var store = new PutCountingObjectStore(inner);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var open = () => SlateDb.Builder("db", store).WithOptions(TestOptions()).WithSeed(2).OpenAsync(timeout.Token);
        var error = (await open.Should().ThrowAsync<SlateDbException>()).Which;
        error.Kind.Should().Be(SlateDbErrorKind.Data);
        // The manifest's own WAL check (before the epoch claim) or the replay range (after it) catches it.
        error.Message.Should().ContainAny("WAL ids up to", "newest WAL object");
        store.PutsUnder("db/wal/").Should().Be(0, "no fence is written from an implausible bound");
    }

    /// <summary>Regression: open fenced after the damaged replay point and silently skipped every WAL write.</summary>
    [Fact]
    public async Task A_replay_point_far_above_the_listing_fails_open_with_a_data_error()
    {
        var store = new InMemoryObjectStore();
        var a = await OpenAsync(store, TestOptions(), seed: 1);
        await a.PutAsync("k", "v", writeOptions: Durable);

        var manifests = new ManifestStore(store, new DbPaths("db"));
        var (id, manifest) = (await manifests.ReadLatestAsync(default))!.Value;
        var damaged = manifest.Core with { ReplayAfterWalId = 1UL << 56, NextWalSstId = (1UL << 56) + 1 };
        (await manifests.TryWriteAsync(id + 1, manifest with { Core = damaged }, default)).Should().BeTrue();

        var open = () => OpenAsync(store, TestOptions(), seed: 2);
        var error = (await open.Should().ThrowAsync<SlateDbException>()).Which;
        error.Kind.Should().Be(SlateDbErrorKind.Data);
        error.Message.Should().ContainAny("replay point", "replay_after_wal_id");
        await CloseMaybeFencedAsync(a);
    }

    [Fact]
    public async Task A_manifest_counting_one_unwritten_wal_id_opens_and_the_fence_takes_that_slot()
    {
        // A writer that crashed with one WAL write in flight may have recorded its id in the manifest already.
        var store = new InMemoryObjectStore();
        await using (var db = await OpenAsync(store, TestOptions(), seed: 1))
        {
            await db.PutAsync("k", "v", writeOptions: Durable);
        }

        var last = (await WalIdsAsync(store))[^1];
        var manifests = new ManifestStore(store, new DbPaths("db"));
        var (id, manifest) = (await manifests.ReadLatestAsync(default))!.Value;
        (await manifests.TryWriteAsync(id + 1, manifest with { Core = manifest.Core with { NextWalSstId = last + 2 } }, default)).Should().BeTrue();

        await using var reopened = await OpenAsync(store, TestOptions(), seed: 2);
        (await reopened.GetAsync("k")).Should().Be("v");
        (await WalIdsAsync(store)).Should().Equal(Enumerable.Range(1, (int)last + 1).Select(i => (ulong)i), "the fence fills the unwritten id: the ids stay dense");
    }

    [Fact]
    public async Task A_zero_byte_fence_inside_the_replay_range_replays_as_empty()
    {
        // A newer SlateDB writer fences with a zero-byte object and may crash before writing anything else.
        var store = new InMemoryObjectStore();
        var a = await OpenAsync(store, TestOptions(), seed: 1);
        await a.PutAsync("before", "a", writeOptions: Durable);
        var fenceId = (await WalIdsAsync(store))[^1] + 1;
        (await store.PutAsync(new DbPaths("db").WalSstPath(fenceId), ReadOnlyMemory<byte>.Empty, PutMode.Create, default)).IsWritten.Should().BeTrue();

        await using var b = await OpenAsync(store, TestOptions(), seed: 2);
        (await b.GetAsync("before")).Should().Be("a");
        (await WalIdsAsync(store))[^1].Should().Be(fenceId + 1, "the new fence goes after the zero-byte one");
        await CloseMaybeFencedAsync(a);
    }

    private static async Task<List<ulong>> WalIdsAsync(IObjectStore store)
    {
        var paths = new DbPaths("db");
        var ids = new List<ulong>();
        await foreach (var item in store.ListAsync(paths.WalDirectory, default))
        {
            if (paths.TryParseSstId(item.Path, out var id) && id.IsWal)
            {
                ids.Add(id.WalId);
            }
        }

        ids.Sort();
        return ids;
    }
}
