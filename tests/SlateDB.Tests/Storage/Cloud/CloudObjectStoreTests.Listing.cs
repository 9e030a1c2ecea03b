using SlateDB.Storage;

namespace SlateDB.Tests.Storage.Cloud;

public abstract partial class CloudObjectStoreTests
{
    [ServerFact]
    public async Task Listing_returns_objects_under_a_prefix_at_any_depth()
    {
        var store = CreateStore();
        foreach (var path in new[] { "db/wal/1.sst", "db/wal/2.sst", "db/manifest/1.manifest", "db/compacted/x/y.sst", "dbx/other", "top" })
        {
            await store.PutAsync(path, Bytes(path), PutMode.Overwrite, default);
        }

        (await ListAll(store, "db/wal/")).Select(m => m.Path).Should().BeEquivalentTo("db/wal/1.sst", "db/wal/2.sst");
        (await ListAll(store, "db/")).Select(m => m.Path).Should().BeEquivalentTo(
            "db/wal/1.sst", "db/wal/2.sst", "db/manifest/1.manifest", "db/compacted/x/y.sst");
        (await ListAll(store, "db")).Should().HaveCount(5, "a prefix need not end at a folder");
        (await ListAll(store, "")).Should().HaveCount(6);
        (await ListAll(store, "nothing/")).Should().BeEmpty();
        var wal = (await ListAll(store, "db/wal/")).Single(m => m.Path == "db/wal/1.sst");
        wal.Size.Should().Be("db/wal/1.sst".Length);
        wal.Version.Should().Be((await store.HeadAsync("db/wal/1.sst", default))!.Version);
    }

    [ServerFact]
    public async Task Listing_pages_through_more_than_a_thousand_objects()
    {
        const int count = 1_050;
        var store = CreatePagingStore(NewPrefix());
        var expected = Enumerable.Range(0, count).Select(i => $"many/{i:D5}").ToList();
        await Parallel.ForEachAsync(expected, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (path, ct) =>
            await store.PutAsync(path, Bytes(path), PutMode.Create, ct));
        await store.PutAsync("other/outside", Bytes("x"), PutMode.Create, default);

        var listed = await ListAll(store, "many/");

        listed.Select(m => m.Path).Should().BeEquivalentTo(expected, "every object once, none twice");
        listed.Should().OnlyContain(m => m.Size == 10 && m.Version != null);
    }

    [ServerFact]
    public async Task Stores_with_different_prefixes_do_not_see_each_other()
    {
        var root = NewPrefix();
        var a = CreateStore(root + "/tenant");
        var b = CreateStore(root + "/tenant2");
        var parent = CreateStore(root);

        await a.PutAsync("shared/name", Bytes("from a"), PutMode.Create, default);
        var createInB = await b.PutAsync("shared/name", Bytes("from b"), PutMode.Create, default);

        createInB.IsWritten.Should().BeTrue("the same path under another prefix is another object");
        (await a.GetAsync("shared/name", default))!.Data.ToArray().Should().Equal(Bytes("from a"));
        (await b.GetAsync("shared/name", default))!.Data.ToArray().Should().Equal(Bytes("from b"));
        (await ListAll(a, "")).Select(m => m.Path).Should().Equal("shared/name");
        (await ListAll(b, "")).Select(m => m.Path).Should().Equal("shared/name");
        (await ListAll(parent, "")).Select(m => m.Path).Should().BeEquivalentTo("tenant/shared/name", "tenant2/shared/name");

        await b.DeleteAsync("shared/name", default);
        (await a.HeadAsync("shared/name", default)).Should().NotBeNull("deleting in one prefix leaves the other alone");
        (await parent.HeadAsync("tenant/shared/name", default)).Should().NotBeNull();
    }

    /// <summary>
    /// The store as SlateDB uses it, behind <see cref="RetryingObjectStore"/>: radosgw answers some updates that lost
    /// its internal compare-and-swap with 500 (ECANCELED) rather than 412, and the retry turns them into conflicts.
    /// </summary>
    private IObjectStore CreateRetryingStore() => new RetryingObjectStore(
        CreateStore(), new RetryOptions { MaxRetries = 5, InitialBackoff = TimeSpan.FromMilliseconds(5), MaxBackoff = TimeSpan.FromMilliseconds(50) });

    [ServerFact]
    public async Task Concurrent_creates_of_one_key_have_exactly_one_winner()
    {
        const int writers = 16, rounds = 6;
        var store = CreateRetryingStore();
        for (var round = 0; round < rounds; round++)
        {
            var path = $"race/create-{round}";
            var results = await Task.WhenAll(Enumerable.Range(0, writers).Select(w =>
                Task.Run(async () => await store.PutAsync(path, Bytes($"writer {w}"), PutMode.Create, default))));

            results.Count(r => r.IsWritten).Should().Be(1, $"round {round}: exactly one create wins");
            results.Count(r => r.Outcome == PutOutcome.AlreadyExists).Should().Be(writers - 1, $"round {round}");
            var winner = Array.FindIndex(results, r => r.IsWritten);
            var stored = await store.GetAsync(path, default);
            stored!.Data.ToArray().Should().Equal(Bytes($"writer {winner}"), $"round {round}: the winner's bytes are stored");
            stored.Metadata.Version.Should().Be(results[winner].Version);
        }
    }

    [ServerFact]
    public async Task Concurrent_updates_from_one_version_have_exactly_one_winner()
    {
        const int writers = 16, rounds = 6;
        var store = CreateRetryingStore();
        var version = (await store.PutAsync("race/update", Bytes("start"), PutMode.Create, default)).Version!;
        for (var round = 0; round < rounds; round++)
        {
            var expected = version;
            var results = await Task.WhenAll(Enumerable.Range(0, writers).Select(w =>
                Task.Run(async () => await store.PutAsync("race/update", Bytes($"round {round} writer {w}"), PutMode.Update(expected), default))));

            results.Count(r => r.IsWritten).Should().Be(1, $"round {round}: exactly one update from version {expected} wins");
            results.Count(r => r.Outcome == PutOutcome.VersionMismatch).Should().Be(writers - 1, $"round {round}");
            var winner = Array.FindIndex(results, r => r.IsWritten);
            var stored = await store.GetAsync("race/update", default);
            stored!.Data.ToArray().Should().Equal(Bytes($"round {round} writer {winner}"), $"round {round}");
            stored.Metadata.Version.Should().Be(results[winner].Version);
            version = results[winner].Version!;
        }
    }
}
