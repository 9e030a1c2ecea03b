using SlateDB.Compaction;
using SlateDB.GarbageCollection;
using SlateDB.Storage;

namespace SlateDB.Tests.Engine;

/// <summary>
/// Every entry point refuses an empty or white-space database path, which would otherwise put the database at the
/// store's root, mixed with whatever else the store holds.
/// </summary>
public sealed class OpenPathValidationTests
{
    public static TheoryData<string> BlankPaths => new() { "", " ", "\t\n" };

    [Theory]
    [MemberData(nameof(BlankPaths))]
    public async Task OpenAsync_refuses_a_blank_path_and_writes_nothing(string path)
    {
        var store = new InMemoryObjectStore();

        var open = () => SlateDb.OpenAsync(path, store);

        (await open.Should().ThrowAsync<ArgumentException>()).Which.ParamName.Should().Be("path");
        await foreach (var unexpected in store.ListAsync("", CancellationToken.None))
        {
            Assert.Fail($"The refused open wrote {unexpected.Path}.");
        }
    }

    [Theory]
    [MemberData(nameof(BlankPaths))]
    public async Task The_builders_and_the_garbage_collector_refuse_a_blank_path(string path)
    {
        var store = new InMemoryObjectStore();

        FluentActions.Invoking(() => SlateDb.Builder(path, store)).Should().Throw<ArgumentException>().Which.ParamName.Should().Be("path");
        FluentActions.Invoking(() => Compactor.Builder(path, store)).Should().Throw<ArgumentException>().Which.ParamName.Should().Be("path");
        await FluentActions.Invoking(() => Compactor.StartAsync(path, store)).Should().ThrowAsync<ArgumentException>();
        (await FluentActions.Invoking(() => GarbageCollector.StartAsync(path, store)).Should().ThrowAsync<ArgumentException>()).Which.ParamName.Should().Be("path");
    }

    [Fact]
    public async Task A_null_path_is_an_ArgumentNullException()
    {
        var store = new InMemoryObjectStore();

        await FluentActions.Invoking(() => SlateDb.OpenAsync(null!, store)).Should().ThrowAsync<ArgumentNullException>();
        await FluentActions.Invoking(() => GarbageCollector.StartAsync(null!, store)).Should().ThrowAsync<ArgumentNullException>();
    }

    [Fact]
    public async Task A_nested_path_still_opens()
    {
        var store = new InMemoryObjectStore();

        await using var db = await SlateDb.OpenAsync("tenants/a", store);

        db.Path.Should().Be("tenants/a");
    }
}
