using SlateDB.Common;
using SlateDB.Manifest;
using SlateDB.Storage;

namespace SlateDB.Tests.Clones;

/// <summary>Risk R4: an SST listed under an external database resolves under that database's path, as SlateDB writes the entry.</summary>
public sealed class ExternalSstPathTests
{
    private static readonly Ulid Borrowed = Ulid.Parse("01HZZZZZZZZZZZZZZZZZZZZZZZ");
    private static readonly Ulid Own = Ulid.Parse("01J00000000000000000000000");

    [Theory]
    [InlineData("tmp/test_parent", "tmp/test_parent/compacted/01HZZZZZZZZZZZZZZZZZZZZZZZ.sst")] // object_store's Path display
    [InlineData("/parent/", "parent/compacted/01HZZZZZZZZZZZZZZZZZZZZZZZ.sst")]
    public async Task A_manifest_read_with_external_dbs_teaches_its_paths_where_borrowed_ssts_live(string parentPath, string expected)
    {
        var store = new InMemoryObjectStore();
        var paths = new DbPaths("clone");
        var manifests = new ManifestStore(store, paths);
        var manifest = DbManifest.Initial(new ManifestCore()) with
        {
            ExternalDbs = [new ExternalDb(parentPath, Guid.NewGuid(), Guid.NewGuid(), [SsTableId.Compacted(Borrowed)])],
        };
        (await new ManifestStore(store, new DbPaths("clone")).TryWriteAsync(1, manifest, default)).Should().BeTrue();
        paths.SstPath(SsTableId.Compacted(Borrowed)).Should().Be("clone/compacted/01HZZZZZZZZZZZZZZZZZZZZZZZ.sst", "nothing was read yet");

        (await manifests.ReadLatestAsync(default)).Should().NotBeNull();
        paths.SstPath(SsTableId.Compacted(Borrowed)).Should().Be(expected);
        paths.IsExternal(SsTableId.Compacted(Borrowed)).Should().BeTrue();
        paths.SstPath(SsTableId.Compacted(Own)).Should().Be("clone/compacted/01J00000000000000000000000.sst");
        paths.CompactedSstPath(Borrowed).Should().Be("clone/compacted/01HZZZZZZZZZZZZZZZZZZZZZZZ.sst", "writes and the collector stay under the clone");
    }

    [Fact]
    public void An_external_database_path_that_is_not_an_object_path_is_corruption()
    {
        var manifest = DbManifest.Initial(new ManifestCore()) with
        {
            ExternalDbs = [new ExternalDb("a/../b", Guid.NewGuid(), null, [])],
        };
        ManifestInvariants.Violation(manifest, 1).Should().Contain("external database path");
    }
}
