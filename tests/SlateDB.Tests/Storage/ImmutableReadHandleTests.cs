using SlateDB.Sst;
using SlateDB.Storage;

namespace SlateDB.Tests.Storage;

/// <summary>
/// SST reads tell the local store their object is immutable (<see cref="ImmutableObjectHint"/>), so it reads through
/// a cached handle after a link-count check of the descriptor instead of a <c>statx</c> of the path: an SST deleted
/// (or a name reused) by someone else is still seen as it is now, this store's own delete closes the handle at once,
/// and objects read without the hint (manifests and the like) are still seen as replaced.
/// </summary>
public sealed class ImmutableReadHandleTests() : LocalFolderTest("slatedb-immutable-handles-")
{
    [Fact]
    public void The_hint_holds_only_inside_its_scope()
    {
        ImmutableObjectHint.Immutable.Should().BeFalse();
        using (ImmutableObjectHint.Start())
        {
            ImmutableObjectHint.Immutable.Should().BeTrue();
            using (ImmutableObjectHint.Start())
            {
                ImmutableObjectHint.Immutable.Should().BeTrue();
            }

            ImmutableObjectHint.Immutable.Should().BeTrue("an inner scope restores the outer one");
        }

        ImmutableObjectHint.Immutable.Should().BeFalse();
    }

    [Fact]
    public async Task An_sst_deleted_by_another_store_is_seen_missing_though_its_handle_is_cached()
    {
        var store = new LocalFileSystemObjectStore(Folder.FullName);
        if (store.ReadHandles is null)
        {
            return; // No handle cache here (not Linux): every read opens the file.
        }

        var data = Bytes(8192, 1);
        await store.PutAsync("db/compacted/a.sst", data, PutMode.Create, default);
        (await SstFile.ReadRangeAsync(store, "db/compacted/a.sst", new ByteRange(0, 4096), default)).ToArray().Should().Equal(data.AsSpan(0, 4096).ToArray());
        (await SstFile.ReadRangeAsync(store, "db/compacted/a.sst", new ByteRange(4096, 4096), default)).ToArray().Should().Equal(data.AsSpan(4096, 4096).ToArray());
        store.ReadHandles.Count.Should().Be(1);

        await new LocalFileSystemObjectStore(Folder.FullName).DeleteAsync("db/compacted/a.sst", default);

        var missing = async () => await SstFile.ReadRangeAsync(store, "db/compacted/a.sst", new ByteRange(0, 10), default);
        (await missing.Should().ThrowAsync<SlateDbException>()).Which.Kind.Should().Be(SlateDbErrorKind.Data);
        store.ReadHandles.Count.Should().Be(0, "the handle on the unlinked file is closed");
    }

    [Fact]
    public async Task A_wal_name_reused_after_its_database_was_wiped_by_another_store_reads_the_new_bytes()
    {
        var store = new LocalFileSystemObjectStore(Folder.FullName);
        const string wal = "db/wal/00000000000000000001.sst";
        var first = Bytes(4096, 6);
        await store.PutAsync(wal, first, PutMode.Create, default);
        (await SstFile.ReadRangeAsync(store, wal, new ByteRange(0, 4096), default)).ToArray().Should().Equal(first);

        // Another store deletes the database and a new one at the same path writes its first WAL object again.
        var other = new LocalFileSystemObjectStore(Folder.FullName);
        await other.DeleteAsync(wal, default);
        var second = Bytes(4096, 7);
        await other.PutAsync(wal, second, PutMode.Create, default);

        (await SstFile.ReadRangeAsync(store, wal, new ByteRange(0, 4096), default)).ToArray()
            .Should().Equal(second, "a cached handle whose file lost its name is never read again");
    }

    [Fact]
    public async Task This_stores_delete_closes_an_sst_handle_at_once()
    {
        var store = new LocalFileSystemObjectStore(Folder.FullName);
        await store.PutAsync("db/wal/00000000000000000001.sst", Bytes(1000, 2), PutMode.Create, default);
        (await SstFile.ReadRangeAsync(store, "db/wal/00000000000000000001.sst", new ByteRange(0, 100), default)).Length.Should().Be(100);

        await store.DeleteAsync("db/wal/00000000000000000001.sst", default);

        store.ReadHandles?.Count.Should().Be(0);
        var missing = async () => await SstFile.ReadRangeAsync(store, "db/wal/00000000000000000001.sst", new ByteRange(0, 100), default);
        (await missing.Should().ThrowAsync<SlateDbException>()).Which.Kind.Should().Be(SlateDbErrorKind.Data);
    }

    [Fact]
    public async Task A_hinted_read_of_a_missing_object_finds_nothing_and_caches_nothing()
    {
        var store = new LocalFileSystemObjectStore(Folder.FullName);
        Directory.CreateDirectory(Path.Combine(Folder.FullName, "db", "folder.sst"));

        using (ImmutableObjectHint.Start())
        {
            (await store.GetRangeAsync("db/none.sst", new ByteRange(0, 10), default)).Should().BeNull();
            (await store.GetRangeAsync("db/folder.sst", new ByteRange(0, 10), default)).Should().BeNull("a folder is no object");
        }

        store.ReadHandles?.Count.Should().Be(0);
    }

    [Fact]
    public async Task An_object_read_without_the_hint_is_seen_replaced_even_after_hinted_reads_of_others()
    {
        var store = new LocalFileSystemObjectStore(Folder.FullName);
        await store.PutAsync("db/compacted/b.sst", Bytes(500, 3), PutMode.Create, default);
        await store.PutAsync("db/manifest/00000000000000000001.manifest", Bytes(300, 4), PutMode.Create, default);
        (await SstFile.ReadRangeAsync(store, "db/compacted/b.sst", new ByteRange(0, 500), default)).Length.Should().Be(500);
        (await store.GetRangeAsync("db/manifest/00000000000000000001.manifest", new ByteRange(0, 300), default)).Should().NotBeNull();

        // Replaced by rename from outside this store, as another process's writer would.
        var newer = Bytes(320, 5);
        var temp = Path.Combine(Folder.FullName, "db", "manifest", "m.new");
        await File.WriteAllBytesAsync(temp, newer);
        File.Move(temp, Path.Combine(Folder.FullName, "db", "manifest", "00000000000000000001.manifest"), overwrite: true);

        var after = await store.GetRangeAsync("db/manifest/00000000000000000001.manifest", new ByteRange(0, 320), default);
        after!.Data.ToArray().Should().Equal(newer);
        after.Metadata.Size.Should().Be(320);
    }
}
