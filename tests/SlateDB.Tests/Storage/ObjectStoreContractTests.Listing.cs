using SlateDB.Storage;

namespace SlateDB.Tests.Storage;

/// <summary>Listing, argument validation and cancellation.</summary>
public abstract partial class ObjectStoreContractTests
{
    private static readonly string[] s_layout =
    [
        "db/manifest/00000000000000000001.manifest",
        "db/manifest/00000000000000000002.manifest",
        "db/wal/00000000000000000001.sst",
        "db/wal/00000000000000000002.sst",
        "db/wal/00000000000000000010.sst",
        "db/wal2/x.sst",
        "db/compacted/01J0000000000000000000000A.sst",
        "db-a/file",
        "dbx",
        "other/a",
    ];

    /// <summary>Whether this store lists in ordinal order of paths (the contract leaves the order open).</summary>
    protected virtual bool ListsInOrdinalOrder => false;

    [StoreTheory]
    [InlineData("db/wal/", new[] { "db/wal/00000000000000000001.sst", "db/wal/00000000000000000002.sst", "db/wal/00000000000000000010.sst" })]
    [InlineData("db/wal/0000000000000000000", new[] { "db/wal/00000000000000000001.sst", "db/wal/00000000000000000002.sst" })]
    [InlineData("db/wal", new[] { "db/wal/00000000000000000001.sst", "db/wal/00000000000000000002.sst", "db/wal/00000000000000000010.sst", "db/wal2/x.sst" })]
    [InlineData("db/manifest/00000000000000000001.manifest", new[] { "db/manifest/00000000000000000001.manifest" })]
    [InlineData("db/c", new[] { "db/compacted/01J0000000000000000000000A.sst" })]
    [InlineData("db", new[] { "db-a/file", "db/compacted/01J0000000000000000000000A.sst", "db/manifest/00000000000000000001.manifest", "db/manifest/00000000000000000002.manifest", "db/wal/00000000000000000001.sst", "db/wal/00000000000000000002.sst", "db/wal/00000000000000000010.sst", "db/wal2/x.sst", "dbx" })]
    [InlineData("nothing/", new string[0])]
    [InlineData("db/wal/9", new string[0])]
    [InlineData("other/a/", new string[0])]
    [InlineData("other/a/b", new string[0])]
    public async Task List_returns_exactly_the_objects_under_a_prefix(string prefix, string[] expected)
    {
        var store = CreateStore();
        foreach (var path in s_layout)
        {
            await store.PutAsync(path, Bytes(path), PutMode.Overwrite, default);
        }

        (await ListPaths(store, prefix)).Should().Equal(expected.Order(StringComparer.Ordinal), $"prefix '{prefix}'");
    }

    [StoreFact]
    public async Task List_with_an_empty_prefix_returns_everything_once()
    {
        var store = CreateStore();
        foreach (var path in s_layout)
        {
            await store.PutAsync(path, Bytes(path), PutMode.Overwrite, default);
        }

        var listed = await ListAll(store, string.Empty);

        listed.Select(m => m.Path).Should().BeEquivalentTo(s_layout).And.OnlyHaveUniqueItems();
        if (ListsInOrdinalOrder)
        {
            listed.Select(m => m.Path).Should().Equal(s_layout.Order(StringComparer.Ordinal));
        }
    }

    [StoreFact]
    public async Task List_of_an_empty_store_is_empty()
    {
        var store = CreateStore();

        (await ListAll(store, string.Empty)).Should().BeEmpty();
        (await ListAll(store, "db/")).Should().BeEmpty();
    }

    [StoreFact]
    public async Task List_reports_the_same_metadata_as_head()
    {
        var store = CreateStore();
        await store.PutAsync("m/one", Bytes("1"), PutMode.Overwrite, default);
        await store.PutAsync("m/two", SeededBytes(4096, seed: 4), PutMode.Overwrite, default);

        foreach (var listed in await ListAll(store, "m/"))
        {
            var head = await store.HeadAsync(listed.Path, default);
            listed.Should().Be(head);
        }
    }

    private static async Task PutRetryingTransientFailuresAsync(IObjectStore store, string path, byte[] data, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await store.PutAsync(path, data, PutMode.Overwrite, cancellationToken);
                return;
            }
            catch (SlateDbException e) when (e.Kind == SlateDbErrorKind.Unavailable && attempt < 5)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100 * attempt), cancellationToken);
            }
        }
    }

    [StoreFact]
    public async Task List_pages_through_many_objects()
    {
        const int count = 1500;
        var store = CreateStore();
        // Setup, not the behaviour under test: a put the service drops under this load (Azurite has reset a connection
        // here) is tried again, as the engine's retrying layer would.
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
            await PutRetryingTransientFailuresAsync(store, $"many/{i:D5}.sst", Bytes(i.ToString()), ct));
        await store.PutAsync("manyx", Bytes("outside"), PutMode.Overwrite, default);

        var listed = await ListAll(store, "many/");

        listed.Should().HaveCount(count).And.OnlyHaveUniqueItems(m => m.Path);
        listed.Select(m => m.Path).Should().BeEquivalentTo(Enumerable.Range(0, count).Select(i => $"many/{i:D5}.sst"));
        if (ListsInOrdinalOrder)
        {
            listed.Select(m => m.Path).Should().BeInAscendingOrder(StringComparer.Ordinal);
        }
    }

    [StoreTheory]
    [InlineData("")]
    [InlineData("/leading")]
    [InlineData("trailing/")]
    [InlineData("double//slash")]
    [InlineData("dot/./segment")]
    [InlineData("up/../segment")]
    [InlineData("back\\slash")]
    public async Task Bad_paths_are_rejected_by_every_operation(string path)
    {
        var store = CreateStore();

        await FluentActions.Awaiting(async () => await store.GetAsync(path, default)).Should().ThrowAsync<ArgumentException>();
        await FluentActions.Awaiting(async () => await store.GetRangeAsync(path, new ByteRange(0, 1), default)).Should().ThrowAsync<ArgumentException>();
        await FluentActions.Awaiting(async () => await store.HeadAsync(path, default)).Should().ThrowAsync<ArgumentException>();
        await FluentActions.Awaiting(async () => await store.PutAsync(path, Bytes("x"), PutMode.Overwrite, default)).Should().ThrowAsync<ArgumentException>();
        await FluentActions.Awaiting(async () => await store.PutAsync(path, Bytes("x"), PutMode.Create, default)).Should().ThrowAsync<ArgumentException>();
        await FluentActions.Awaiting(async () => await store.DeleteAsync(path, default)).Should().ThrowAsync<ArgumentException>();
        (await ListAll(store, string.Empty)).Should().BeEmpty("a rejected put writes nothing");
    }

    [StoreTheory]
    [InlineData("/leading")]
    [InlineData("double//slash/")]
    [InlineData("up/../")]
    public async Task Bad_prefixes_are_rejected(string prefix)
    {
        var store = CreateStore();

        await FluentActions.Awaiting(async () => await ListAll(store, prefix)).Should().ThrowAsync<ArgumentException>();
    }

    [StoreFact]
    public async Task A_cancelled_token_cancels_every_operation_and_writes_nothing()
    {
        var store = CreateStore();
        await store.PutAsync("present", Bytes("x"), PutMode.Overwrite, default);
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        var token = cts.Token;

        await FluentActions.Awaiting(async () => await store.GetAsync("present", token)).Should().ThrowAsync<OperationCanceledException>();
        await FluentActions.Awaiting(async () => await store.GetRangeAsync("present", new ByteRange(0, 1), token)).Should().ThrowAsync<OperationCanceledException>();
        await FluentActions.Awaiting(async () => await store.HeadAsync("present", token)).Should().ThrowAsync<OperationCanceledException>();
        await FluentActions.Awaiting(async () => await store.PutAsync("new", Bytes("x"), PutMode.Overwrite, token)).Should().ThrowAsync<OperationCanceledException>();
        await FluentActions.Awaiting(async () => await store.PutAsync("new", Bytes("x"), PutMode.Create, token)).Should().ThrowAsync<OperationCanceledException>();
        await FluentActions.Awaiting(async () => await store.DeleteAsync("present", token)).Should().ThrowAsync<OperationCanceledException>();
        await FluentActions.Awaiting(async () =>
        {
            await foreach (var unused in store.ListAsync(string.Empty, token))
            {
            }
        }).Should().ThrowAsync<OperationCanceledException>();

        (await store.HeadAsync("new", default)).Should().BeNull();
        (await store.HeadAsync("present", default)).Should().NotBeNull();
    }
}
