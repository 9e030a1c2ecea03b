using SlateDB.Compaction;
using SlateDB.Format.FlatBuffers;
using SlateDB.Manifest;
using SlateDB.Manifest.Codec;
using SlateDB.Storage;

namespace SlateDB.Tests.Manifest;

/// <summary>
/// Databases using features this port lacks are refused at open with kind Invalid instead of being read wrongly:
/// segments or a segment extractor (R2). A separate WAL object store (R3) is supported: a writer opened without it is
/// refused before writing anything, and a compactor (which never touches the WAL) starts.
/// </summary>
public sealed class UnsupportedFeatureTests
{
    private static readonly SlateDbOptions Options = SlateDbOptions.Default with { FlushInterval = null, CompactorOptions = null, GarbageCollectorOptions = null };

    public static TheoryData<string> Features() => new() { "segments", "segment extractor" };

    private static DbManifest ManifestWith(string feature)
    {
        var core = new ManifestCore { NextWalSstId = 3, ReplayAfterWalId = 1 };
        core = feature switch
        {
            "segments" => core with { Segments = [new SlateDB.Manifest.Segment(new byte[] { 0x61 }, LsmTreeState.Empty)], SegmentExtractorName = "prefix-1" },
            "segment extractor" => core with { SegmentExtractorName = "prefix-1" },
            _ => core with { WalObjectStoreUri = "s3://other-bucket/wal" },
        };
        return DbManifest.Initial(core);
    }

    private static async Task<InMemoryObjectStore> StoreWithAsync(string feature)
    {
        var store = new InMemoryObjectStore();
        var bytes = ManifestCodec.Encode(ManifestWith(feature));
        await store.PutAsync(new DbPaths("db").ManifestPath(1), bytes, PutMode.Create, CancellationToken.None);
        return store;
    }

    [Theory]
    [MemberData(nameof(Features))]
    public async Task A_writer_refuses_to_open_it(string feature)
    {
        var store = await StoreWithAsync(feature);
        var open = () => SlateDb.OpenAsync("db", store, Options);

        var error = (await open.Should().ThrowAsync<SlateDbException>()).Which;
        error.Kind.Should().Be(SlateDbErrorKind.Invalid);
        error.Message.Should().Contain("not supported");
        (await store.GetAsync(new DbPaths("db").ManifestPath(2), CancellationToken.None)).Should().BeNull("nothing is written to a refused database");
    }

    [Fact]
    public async Task A_writer_without_the_recorded_wal_store_is_refused_before_writing_and_a_compactor_starts()
    {
        var store = await StoreWithAsync("wal object store");
        var open = () => SlateDb.OpenAsync("db", store, Options);
        var error = (await open.Should().ThrowAsync<SlateDbException>()).Which;
        error.Kind.Should().Be(SlateDbErrorKind.Invalid);
        error.Message.Should().Contain("s3://other-bucket/wal").And.Contain("WithWalObjectStore");
        (await store.GetAsync(new DbPaths("db").ManifestPath(2), CancellationToken.None)).Should().BeNull("nothing is written to a refused database");

        await using var compactor = await Compactor.Builder("db", store).WithOptions(new CompactorOptions()).WithPollingDisabled().StartAsync();
        compactor.Should().NotBeNull();
    }

    [Theory]
    [MemberData(nameof(Features))]
    public async Task A_compactor_refuses_to_start_on_it(string feature)
    {
        var store = await StoreWithAsync(feature);
        var start = () => Compactor.Builder("db", store).WithOptions(new CompactorOptions()).WithPollingDisabled().StartAsync();

        (await start.Should().ThrowAsync<SlateDbException>()).Which.Kind.Should().Be(SlateDbErrorKind.Invalid);
    }

    [Fact]
    public void The_fixture_manifests_of_SlateDB_0_12_1_pass_validation()
    {
        var manifests = Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "TestData"), "*.manifest", SearchOption.AllDirectories);
        manifests.Should().NotBeEmpty();
        foreach (var path in manifests)
        {
            var id = ulong.Parse(Path.GetFileNameWithoutExtension(path), System.Globalization.CultureInfo.InvariantCulture);
            var manifest = ManifestCodec.Decode(File.ReadAllBytes(path), path);
            ManifestInvariants.Violation(manifest, id).Should().BeNull(path);
            UnsupportedFeatures.ThrowIfUsed(manifest, path);
        }
    }
}
