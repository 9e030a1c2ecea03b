using SlateDB.Storage;

namespace SlateDB.Tests.Storage;

/// <summary>
/// The local store's cached read handles: ranged reads reuse open files, yet a file deleted or replaced (by this store,
/// another store on the folder, or directly) reads as it is now, and evictions never close a handle under a read.
/// </summary>
public sealed class LocalReadHandlesTests() : LocalFolderTest("slatedb-read-handles-")
{
    /// <summary>
    /// True where the store caches read handles (Linux, where statx gives file identities); elsewhere checks that it
    /// does not, and the test has nothing more to check.
    /// </summary>
    private static bool CachesHandles(LocalFileSystemObjectStore store)
    {
        if (!OperatingSystem.IsLinux())
        {
            store.ReadHandles.Should().BeNull("read handles are cached only where statx gives file identities");
            return false;
        }

        store.ReadHandles.Should().NotBeNull("read handles are cached on Linux, where statx gives file identities");
        return true;
    }

    [Fact]
    public async Task Ranged_reads_reuse_one_open_handle_per_file()
    {
        var store = new LocalFileSystemObjectStore(Folder.FullName);
        if (!CachesHandles(store))
        {
            return;
        }

        var data = Bytes(10_000, 1);
        await store.PutAsync("db/a.sst", data, PutMode.Create, default);

        for (var i = 0; i < 10; i++)
        {
            var got = await store.GetRangeAsync("db/a.sst", new ByteRange(i * 1000, 1000), default);
            got!.Data.ToArray().Should().Equal(data.AsSpan(i * 1000, 1000).ToArray());
        }

        store.ReadHandles!.Count.Should().Be(1);
    }

    [Fact]
    public async Task A_file_deleted_by_another_store_reads_as_absent_and_its_handle_is_closed()
    {
        var store = new LocalFileSystemObjectStore(Folder.FullName);
        if (!CachesHandles(store))
        {
            return;
        }

        await store.PutAsync("db/a.sst", Bytes(4096, 2), PutMode.Create, default);
        (await store.GetRangeAsync("db/a.sst", new ByteRange(0, 10), default)).Should().NotBeNull();

        await new LocalFileSystemObjectStore(Folder.FullName).DeleteAsync("db/a.sst", default);

        (await store.GetRangeAsync("db/a.sst", new ByteRange(0, 10), default)).Should().BeNull("a cached handle must not resurrect a deleted object");
        store.ReadHandles!.Count.Should().Be(0);
    }

    [Fact]
    public async Task A_file_replaced_outside_the_store_reads_as_its_new_version()
    {
        var store = new LocalFileSystemObjectStore(Folder.FullName);
        if (!CachesHandles(store))
        {
            return;
        }

        await store.PutAsync("db/m", Bytes(100, 3), PutMode.Create, default);
        var before = await store.GetRangeAsync("db/m", new ByteRange(0, 100), default);

        // Replace by rename, as writers do, from outside this store.
        var newer = Bytes(120, 4);
        var temp = Path.Combine(Folder.FullName, "db", "m.new");
        await File.WriteAllBytesAsync(temp, newer);
        File.Move(temp, Path.Combine(Folder.FullName, "db", "m"), overwrite: true);

        var after = await store.GetRangeAsync("db/m", new ByteRange(0, 120), default);
        after!.Data.ToArray().Should().Equal(newer);
        after.Metadata.Version.Should().NotBe(before!.Metadata.Version);
        after.Metadata.Size.Should().Be(120);
    }

    [Fact]
    public async Task An_overwrite_through_the_store_is_read_at_once()
    {
        var store = new LocalFileSystemObjectStore(Folder.FullName);
        if (!CachesHandles(store))
        {
            return;
        }

        await store.PutAsync("db/m", Bytes(64, 5), PutMode.Overwrite, default);
        (await store.GetRangeAsync("db/m", new ByteRange(0, 64), default)).Should().NotBeNull();
        var newer = Bytes(64, 6);

        await store.PutAsync("db/m", newer, PutMode.Overwrite, default);

        (await store.GetRangeAsync("db/m", new ByteRange(0, 64), default))!.Data.ToArray().Should().Equal(newer);
    }

    [Fact]
    public async Task The_cache_keeps_at_most_its_capacity_of_handles()
    {
        var store = new LocalFileSystemObjectStore(Folder.FullName);
        if (!CachesHandles(store))
        {
            return;
        }

        var files = LocalFileSystemObjectStore.DefaultReadHandleCapacity + 20;
        for (var i = 0; i < files; i++)
        {
            await store.PutAsync($"db/{i:D5}.sst", Bytes(32, (byte)i), PutMode.Create, default);
        }

        for (var i = 0; i < files; i++)
        {
            (await store.GetRangeAsync($"db/{i:D5}.sst", new ByteRange(0, 32), default))!.Data.ToArray().Should().Equal(Bytes(32, (byte)i));
        }

        store.ReadHandles!.Count.Should().Be(LocalFileSystemObjectStore.DefaultReadHandleCapacity);
    }

    [Fact]
    public async Task Concurrent_reads_deletes_and_evictions_never_fail_a_read_or_return_wrong_bytes()
    {
        var store = new LocalFileSystemObjectStore(Folder.FullName);
        if (!CachesHandles(store))
        {
            return;
        }

        var handles = new LocalReadHandles(capacity: 4); // Small, so evictions race with reads.
        const int Files = 12;
        var contents = Enumerable.Range(0, Files).Select(i => Bytes(8192, (byte)(100 + i))).ToArray();
        for (var i = 0; i < Files; i++)
        {
            await store.PutAsync($"db/{i}.sst", contents[i], PutMode.Create, default);
        }

        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        var deleted = new bool[Files];
        var readers = Enumerable.Range(0, 4).Select(r => Task.Run(async () =>
        {
            var random = new Random(r);
            var reads = 0;

            // At least one read each, however late the thread pool starts this reader on a loaded machine.
            while (reads == 0 || !stop.IsCancellationRequested)
            {
                var file = random.Next(Files);
                var offset = random.Next(8192 - 100);

                // Through the store (its own cache) and through a tiny cache that evicts constantly.
                var got = await store.GetRangeAsync($"db/{file}.sst", new ByteRange(offset, 100), default);
                if (got is not null)
                {
                    got.Data.ToArray().Should().Equal(contents[file].AsSpan(offset, 100).ToArray());
                }
                else
                {
                    Volatile.Read(ref deleted[file]).Should().BeTrue("only a deleted file reads as absent");
                }

                if (handles.Acquire(Path.Combine(Folder.FullName, "db", $"{file}.sst")) is { } lease)
                {
                    using (lease)
                    {
                        var buffer = new byte[100];
                        RandomAccess.Read(lease.Handle, buffer, offset).Should().Be(100);
                        buffer.Should().Equal(contents[file].AsSpan(offset, 100).ToArray());
                    }
                }

                reads++;
            }

            return reads;
        })).ToArray();

        // A "GC" deletes half the files while the readers run, through another store on the same folder.
        var gc = new LocalFileSystemObjectStore(Folder.FullName);
        for (var i = 0; i < Files; i += 2)
        {
            await Task.Delay(100);
            Volatile.Write(ref deleted[i], true);
            await gc.DeleteAsync($"db/{i}.sst", default);
        }

        var counts = await Task.WhenAll(readers);
        counts.Should().OnlyContain(n => n > 0);
        for (var i = 0; i < Files; i += 2)
        {
            (await store.GetRangeAsync($"db/{i}.sst", new ByteRange(0, 1), default)).Should().BeNull();
        }

        handles.Count.Should().BeLessThanOrEqualTo(4);
    }
}
