using SlateDB.Format.FlatBuffers;
using SlateDB.Manifest;
using SlateDB.Manifest.Codec;
using SlateDB.Storage;

namespace SlateDB.Tests.Manifest;

/// <summary>
/// Manifests that parse but contradict themselves, the WAL or their SSTs are refused as corrupt data (kind Data,
/// naming the object) when read, in bounded time.
/// </summary>
public sealed class ManifestValidationTests
{
    private static readonly SlateDbOptions Options = SlateDbOptions.Default with { FlushInterval = null, CompactorOptions = null, GarbageCollectorOptions = null, MinFilterKeys = 1 };

    private static readonly FlushOptions MemTable = new() { FlushType = FlushType.MemTable };

    /// <summary>A database with two L0 SSTs and rows only in the WAL; returns the store and its newest manifest.</summary>
    private static async Task<(InMemoryObjectStore Store, ulong Id, DbManifest Manifest)> DatabaseAsync()
    {
        var store = new InMemoryObjectStore();
        var db = await SlateDb.OpenAsync("db", store, Options);
        await db.PutAsync("a", "1");
        await db.FlushAsync(MemTable);
        await db.PutAsync("b", "2");
        await db.FlushAsync(MemTable);
        await db.PutAsync("c", "3");
        await db.FlushAsync(new FlushOptions { FlushType = FlushType.Wal });
        var (id, manifest) = (await new ManifestStore(store, new DbPaths("db")).ReadLatestAsync(CancellationToken.None))!.Value;

        // Leave without closing (a crash): closing would flush the memtable.
        _ = db;
        return (store, id, manifest);
    }

    private static async Task<SlateDbException> OpenFailsAsync(IObjectStore store)
    {
        var open = async () => await SlateDb.OpenAsync("db", store, Options).WaitAsync(TimeSpan.FromSeconds(20));
        return (await open.Should().ThrowAsync<SlateDbException>()).Which;
    }

    private static async Task ReplaceNewestAsync(InMemoryObjectStore store, ulong id, byte[] bytes) =>
        await store.PutAsync(new DbPaths("db").ManifestPath(id), bytes, PutMode.Overwrite, CancellationToken.None);

    [Fact]
    public async Task An_L0_sst_listed_twice_is_corrupt()
    {
        var (store, id, manifest) = await DatabaseAsync();
        var tree = manifest.Core.Tree;
        await ReplaceNewestAsync(store, id, ManifestCodec.Encode(manifest with { Core = manifest.Core with { Tree = tree with { L0 = [tree.L0[0], .. tree.L0] } } }));

        var error = await OpenFailsAsync(store);
        error.Kind.Should().Be(SlateDbErrorKind.Data);
        error.Message.Should().Contain("listed twice").And.Contain(".manifest");
    }

    [Fact]
    public async Task Replay_after_a_wal_id_not_yet_written_is_corrupt()
    {
        var (store, id, manifest) = await DatabaseAsync();
        await ReplaceNewestAsync(store, id, ManifestCodec.Encode(manifest with { Core = manifest.Core with { ReplayAfterWalId = manifest.Core.NextWalSstId } }));

        (await OpenFailsAsync(store)).Kind.Should().Be(SlateDbErrorKind.Data);
    }

    [Fact]
    public async Task A_huge_last_wal_id_fails_fast_instead_of_probing_every_id()
    {
        var (store, id, manifest) = await DatabaseAsync();
        await ReplaceNewestAsync(store, id, ManifestCodec.Encode(manifest with { Core = manifest.Core with { NextWalSstId = manifest.Core.NextWalSstId + (1UL << 40) } }));

        var error = await OpenFailsAsync(store);
        error.Kind.Should().Be(SlateDbErrorKind.Data);
        error.Message.Should().Contain("newest WAL object");
    }

    [Fact]
    public async Task A_flushed_wal_id_that_holds_unflushed_rows_is_corrupt()
    {
        var (store, id, manifest) = await DatabaseAsync();
        var core = manifest.Core;
        var walIds = new List<ulong>();
        await foreach (var item in store.ListAsync("db/wal/", CancellationToken.None))
        {
            walIds.Add(ulong.Parse(Path.GetFileNameWithoutExtension(item.Path), System.Globalization.CultureInfo.InvariantCulture));
        }

        // The newest WAL object holds "c", which is not in L0: claim it flushed.
        var newest = walIds.Max();
        newest.Should().BeGreaterThan(core.ReplayAfterWalId);
        await ReplaceNewestAsync(store, id, ManifestCodec.Encode(manifest with { Core = core with { ReplayAfterWalId = newest, NextWalSstId = newest + 1 } }));

        var error = await OpenFailsAsync(store);
        error.Kind.Should().Be(SlateDbErrorKind.Data);
        error.Message.Should().Contain("last_l0_seq");
    }

    [Fact]
    public async Task A_manifest_copy_of_sst_info_that_differs_from_the_sst_is_corrupt()
    {
        var (store, id, manifest) = await DatabaseAsync();
        var tree = manifest.Core.Tree;
        var view = tree.L0[0];
        var lying = view with { Sst = view.Sst with { Info = view.Sst.Info with { FilterLen = 0, FilterOffset = 0 } } };
        await ReplaceNewestAsync(store, id, ManifestCodec.Encode(manifest with { Core = manifest.Core with { Tree = tree with { L0 = [lying, .. tree.L0.Skip(1)] } } }));

        await using var db = await SlateDb.OpenAsync("db", store, Options);
        var read = async () => await db.GetAsync("b");
        (await read.Should().ThrowAsync<SlateDbException>()).Which.Kind.Should().Be(SlateDbErrorKind.Data);
    }

    [Fact]
    public async Task An_uninitialized_manifest_without_a_parent_is_corrupt_not_a_clone()
    {
        var (store, id, manifest) = await DatabaseAsync();
        await ReplaceNewestAsync(store, id, ManifestCodec.Encode(manifest with { Core = manifest.Core with { Initialized = false } }));

        (await OpenFailsAsync(store)).Kind.Should().Be(SlateDbErrorKind.Data);
    }

    [Fact]
    public void Unreferenced_non_zero_bytes_in_a_manifest_are_corrupt()
    {
        var bytes = ManifestCodec.Encode(new ModelGenerator(5).ManifestV1(maxSsts: 3));
        ManifestCodec.Decode(bytes, "ok");
        byte[] appended = [.. bytes, 0x5A, 0, 0, 0];
        byte[] padded = [.. bytes, 0, 0, 0, 0];
        var decode = () => ManifestCodec.Decode(appended, "m");
        decode.Should().Throw<SlateDbException>().Which.Kind.Should().Be(SlateDbErrorKind.Data);
        ManifestCodec.Decode(padded, "zero padding is fine");
    }
}
