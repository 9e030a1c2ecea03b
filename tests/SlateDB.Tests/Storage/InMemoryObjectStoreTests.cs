using Microsoft.Extensions.Time.Testing;
using SlateDB.Storage;
using Xunit.Abstractions;

namespace SlateDB.Tests.Storage;

public sealed class InMemoryObjectStoreTests : ObjectStoreContractTests
{
    public InMemoryObjectStoreTests(ITestOutputHelper output)
    {
        Output = output;
    }

    protected override bool ListsInOrdinalOrder => true;

    /// <summary>The in-memory store hands out slices of what it holds: reading into a buffer would only add a copy.</summary>
    protected override bool ReadsIntoBuffers => false;

    protected override IObjectStore CreateStore(TimeProvider? timeProvider = null) => new InMemoryObjectStore(timeProvider);

    [Fact]
    public async Task Last_modified_is_exactly_the_clocks_time()
    {
        var time = new FakeTimeProvider(Epoch);
        var store = new InMemoryObjectStore(time);
        await store.PutAsync("a", Bytes("x"), PutMode.Overwrite, default);
        time.Advance(TimeSpan.FromMinutes(3));
        await store.PutAsync("b", Bytes("y"), PutMode.Overwrite, default);

        (await store.HeadAsync("a", default))!.LastModified.Should().Be(Epoch);
        (await store.HeadAsync("b", default))!.LastModified.Should().Be(Epoch.AddMinutes(3));
    }

    [Fact]
    public async Task A_listing_is_a_snapshot_taken_when_enumeration_starts()
    {
        var store = new InMemoryObjectStore();
        await store.PutAsync("s/1", Bytes("1"), PutMode.Overwrite, default);
        await store.PutAsync("s/2", Bytes("2"), PutMode.Overwrite, default);

        var seen = new List<string>();
        await foreach (var metadata in store.ListAsync("s/", default))
        {
            seen.Add(metadata.Path);
            await store.PutAsync("s/3", Bytes("3"), PutMode.Overwrite, default);
            await store.DeleteAsync("s/2", default);
        }

        seen.Should().Equal("s/1", "s/2");
    }
}
