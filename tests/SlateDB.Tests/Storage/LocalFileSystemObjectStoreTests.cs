using Microsoft.Extensions.Time.Testing;
using SlateDB.Storage;
using Xunit.Abstractions;

namespace SlateDB.Tests.Storage;

/// <summary>The contract, plus what only a folder on disk can show: layout, leftovers, folders, locks.</summary>
public sealed class LocalFileSystemObjectStoreTests : ObjectStoreContractTests, IDisposable
{
    private readonly DirectoryInfo _temp = Directory.CreateTempSubdirectory("slatedb-local-store-");
    private int _stores;

    public LocalFileSystemObjectStoreTests(ITestOutputHelper output)
    {
        Output = output;
    }

    protected override bool ListsInOrdinalOrder => true;

    public void Dispose()
    {
        try
        {
            _temp.Delete(recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a leftover temp folder does not fail a test.
        }
    }

    protected override IObjectStore CreateStore(TimeProvider? timeProvider = null) =>
        new LocalFileSystemObjectStore(NewRoot(), timeProvider);

    private string NewRoot() => Path.Combine(_temp.FullName, $"store-{Interlocked.Increment(ref _stores)}");

    private static string[] FilesUnder(string root) =>
        Directory.Exists(root)
            ? Directory.GetFiles(root, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(root, f).Replace('\\', '/')).Order(StringComparer.Ordinal).ToArray()
            : [];

    [Fact]
    public async Task An_object_is_the_plain_file_at_its_path_under_the_root()
    {
        var root = NewRoot();
        var store = new LocalFileSystemObjectStore(root);
        var data = SeededBytes(5000, seed: 10);

        await store.PutAsync("db/wal/00000000000000000001.sst", data, PutMode.Create, default);
        await store.PutAsync("db/manifest/00000000000000000001.manifest", Bytes("m"), PutMode.Overwrite, default);
        var first = await store.PutAsync("db/gc/manifest.boundary", Bytes("1"), PutMode.Create, default);
        await store.PutAsync("db/gc/manifest.boundary", Bytes("2"), PutMode.Update(first.Version!), default);

        File.ReadAllBytes(Path.Combine(root, "db", "wal", "00000000000000000001.sst")).Should().Equal(data);
        File.ReadAllBytes(Path.Combine(root, "db", "gc", "manifest.boundary")).Should().Equal(Bytes("2"));
        FilesUnder(root).Should().Equal(
            [LocalFileSystemObjectStore.LockFileName, "db/gc/manifest.boundary", "db/manifest/00000000000000000001.manifest", "db/wal/00000000000000000001.sst"],
            "no temporary file is left behind, only the lock file");
    }

    [Fact]
    public async Task A_folder_laid_out_by_SlateDB_opens_and_lists_as_it_is()
    {
        var root = NewRoot();
        var files = new Dictionary<string, byte[]>
        {
            ["db/manifest/00000000000000000001.manifest"] = SeededBytes(300, seed: 11),
            ["db/manifest/00000000000000000002.manifest"] = SeededBytes(310, seed: 12),
            ["db/wal/00000000000000000001.sst"] = SeededBytes(4096, seed: 13),
            ["db/wal/00000000000000000002.sst"] = [],
            ["db/compacted/01HZX3Q4W5E6R7T8Y9U0I1O2P3.sst"] = SeededBytes(70_000, seed: 14),
            ["db/compactions/00000000000000000001.compactions"] = SeededBytes(64, seed: 15),
        };
        foreach (var (path, bytes) in files)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(root, path))!);
            File.WriteAllBytes(Path.Combine(root, path), bytes);
        }

        // What the Rust store leaves behind when a put is interrupted: a staging file "{name}#{n}".
        File.WriteAllBytes(Path.Combine(root, "db", "manifest", "00000000000000000003.manifest#1"), SeededBytes(10, seed: 16));

        var store = new LocalFileSystemObjectStore(root);
        var listed = await ListAll(store, "db/");

        listed.Select(m => m.Path).Should().Equal(files.Keys.Order(StringComparer.Ordinal));
        foreach (var metadata in listed)
        {
            metadata.Size.Should().Be(files[metadata.Path].Length);
            metadata.Version.Should().EndWith($"-{files[metadata.Path].Length:x}");
            var got = await store.GetAsync(metadata.Path, default);
            got!.Data.ToArray().Should().Equal(files[metadata.Path]);
            got.Metadata.Should().Be(metadata, "GET, HEAD and LIST agree on the same file");
            (await store.HeadAsync(metadata.Path, default)).Should().Be(metadata);
        }

        (await store.HeadAsync("db/manifest/00000000000000000003.manifest", default)).Should().BeNull();
    }

    [Fact]
    public async Task Temporary_and_lock_files_are_invisible_and_reserved()
    {
        var root = NewRoot();
        var store = new LocalFileSystemObjectStore(root);
        var v1 = await store.PutAsync("x/obj", Bytes("1"), PutMode.Create, default);
        await store.PutAsync("x/obj", Bytes("2"), PutMode.Update(v1.Version!), default);
        File.WriteAllBytes(Path.Combine(root, "x", "obj#123456"), Bytes("half a put"));
        File.WriteAllBytes(Path.Combine(root, "x", "other#99"), Bytes("another half"));
        File.Exists(Path.Combine(root, LocalFileSystemObjectStore.LockFileName)).Should().BeTrue();

        (await ListPaths(store, string.Empty)).Should().Equal("x/obj");
        (await ListPaths(store, "x/")).Should().Equal("x/obj");
        (await ListPaths(store, "x/o")).Should().Equal("x/obj");
        (await store.HeadAsync("x/other", default)).Should().BeNull();
        await FluentActions.Awaiting(async () => await store.GetAsync("x/obj#123456", default)).Should().ThrowAsync<ArgumentException>();
        await FluentActions.Awaiting(async () => await store.HeadAsync(LocalFileSystemObjectStore.LockFileName, default)).Should().ThrowAsync<ArgumentException>();
        await FluentActions.Awaiting(async () => await store.PutAsync("x/a#1", Bytes("x"), PutMode.Overwrite, default)).Should().ThrowAsync<ArgumentException>();
        await FluentActions.Awaiting(async () => await ListAll(store, "x/obj#")).Should().ThrowAsync<ArgumentException>();
    }

    [Fact]
    public async Task A_put_interrupted_by_a_crash_is_invisible_and_does_not_block_the_next_one()
    {
        var root = NewRoot();
        Directory.CreateDirectory(Path.Combine(root, "db", "manifest"));
        File.WriteAllBytes(Path.Combine(root, "db", "manifest", "00000000000000000001.manifest#4242"), SeededBytes(100, seed: 17));
        var store = new LocalFileSystemObjectStore(root);

        (await store.GetAsync("db/manifest/00000000000000000001.manifest", default)).Should().BeNull();
        (await ListAll(store, string.Empty)).Should().BeEmpty();
        var put = await store.PutAsync("db/manifest/00000000000000000001.manifest", Bytes("whole"), PutMode.Create, default);

        put.IsWritten.Should().BeTrue();
        (await store.GetAsync("db/manifest/00000000000000000001.manifest", default))!.Data.ToArray().Should().Equal(Bytes("whole"));
    }

    [Fact]
    public async Task Deleting_removes_the_folders_it_leaves_empty_but_never_the_root()
    {
        var root = NewRoot();
        var store = new LocalFileSystemObjectStore(root);
        await store.PutAsync("a/b/c/one", Bytes("1"), PutMode.Overwrite, default);
        await store.PutAsync("a/two", Bytes("2"), PutMode.Overwrite, default);

        await store.DeleteAsync("a/b/c/one", default);
        Directory.Exists(Path.Combine(root, "a", "b")).Should().BeFalse();
        Directory.Exists(Path.Combine(root, "a")).Should().BeTrue("it still holds a/two");

        await store.DeleteAsync("a/two", default);
        Directory.Exists(Path.Combine(root, "a")).Should().BeFalse();
        Directory.Exists(root).Should().BeTrue();

        (await store.PutAsync("a/b/c/one", Bytes("again"), PutMode.Create, default)).IsWritten.Should().BeTrue();
    }

    [Fact]
    public async Task An_object_cannot_take_the_path_of_a_folder_of_objects()
    {
        var store = new LocalFileSystemObjectStore(NewRoot());
        await store.PutAsync("p/q", Bytes("child"), PutMode.Overwrite, default);

        foreach (var mode in new[] { PutMode.Overwrite, PutMode.Create })
        {
            var error = await FluentActions.Awaiting(async () => await store.PutAsync("p", Bytes("x"), mode, default)).Should().ThrowAsync<SlateDbException>();
            error.Which.Kind.Should().Be(SlateDbErrorKind.Invalid, mode.ToString());
        }

        (await store.PutAsync("p", Bytes("x"), PutMode.Update("1-2-3"), default)).Outcome.Should().Be(PutOutcome.VersionMismatch);
        (await ListPaths(store, string.Empty)).Should().Equal("p/q");
    }

    [Fact]
    public async Task An_object_cannot_be_put_below_another_object()
    {
        var store = new LocalFileSystemObjectStore(NewRoot());
        await store.PutAsync("f", Bytes("file"), PutMode.Overwrite, default);

        var error = await FluentActions.Awaiting(async () => await store.PutAsync("f/g", Bytes("x"), PutMode.Overwrite, default)).Should().ThrowAsync<SlateDbException>();

        error.Which.Kind.Should().Be(SlateDbErrorKind.Invalid);
        (await store.GetAsync("f/g", default)).Should().BeNull();
        (await store.HeadAsync("f/g/h", default)).Should().BeNull();
        await store.DeleteAsync("f/g", default);
        (await ListPaths(store, string.Empty)).Should().Equal("f");
    }

    [Fact]
    public async Task Modification_times_come_from_the_clock_and_versions_follow_them()
    {
        var time = new FakeTimeProvider(Epoch);
        var root = NewRoot();
        var store = new LocalFileSystemObjectStore(root, time);

        var put = await store.PutAsync("t", Bytes("x"), PutMode.Overwrite, default);

        File.GetLastWriteTimeUtc(Path.Combine(root, "t")).Should().Be(Epoch.UtcDateTime);
        var micros = (Epoch.UtcTicks - DateTime.UnixEpoch.Ticks) / 10;
        put.Version.Should().MatchRegex($"^[0-9a-f]+-{micros:x}-1$");
        if (OperatingSystem.IsLinux())
        {
            put.Version.Should().NotStartWith("0-", "on Linux the version carries the inode");
        }
    }

    [Fact]
    public async Task A_file_replaced_behind_the_stores_back_gets_a_new_version()
    {
        var root = NewRoot();
        var store = new LocalFileSystemObjectStore(root);
        var put = await store.PutAsync("ext", Bytes("aaaa"), PutMode.Overwrite, default);
        var path = Path.Combine(root, "ext");
        File.WriteAllBytes(path + ".new", Bytes("bbbb"));
        File.SetLastWriteTimeUtc(path + ".new", File.GetLastWriteTimeUtc(path).AddSeconds(1));
        File.Move(path + ".new", path, overwrite: true);

        var head = await store.HeadAsync("ext", default);

        head!.Version.Should().NotBe(put.Version);
        (await store.PutAsync("ext", Bytes("cccc"), PutMode.Update(put.Version!), default)).Outcome.Should().Be(PutOutcome.VersionMismatch);
        (await store.PutAsync("ext", Bytes("cccc"), PutMode.Update(head.Version!), default)).IsWritten.Should().BeTrue();
    }

    [Fact]
    public async Task A_put_waiting_for_a_lock_held_elsewhere_can_be_cancelled_and_proceeds_once_it_is_released()
    {
        var root = NewRoot();
        var store = new LocalFileSystemObjectStore(root);
        await store.PutAsync("locked", Bytes("before"), PutMode.Overwrite, default);
        var lockFile = new FileStream(Path.Combine(root, LocalFileSystemObjectStore.LockFileName), FileMode.Open, FileAccess.ReadWrite, FileShare.None);

        using (var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200)))
        {
            await FluentActions.Awaiting(async () => await store.PutAsync("locked", Bytes("during"), PutMode.Overwrite, cts.Token))
                .Should().ThrowAsync<OperationCanceledException>();
        }

        (await store.GetAsync("locked", default))!.Data.ToArray().Should().Equal(Bytes("before"));
        var waiting = store.PutAsync("locked", Bytes("after"), PutMode.Overwrite, default).AsTask();
        await Task.Delay(100);
        waiting.IsCompleted.Should().BeFalse("the lock is still held");
        await lockFile.DisposeAsync();

        (await waiting.WaitAsync(TimeSpan.FromSeconds(10))).IsWritten.Should().BeTrue();
        (await store.GetAsync("locked", default))!.Data.ToArray().Should().Equal(Bytes("after"));
        FilesUnder(root).Should().Equal(LocalFileSystemObjectStore.LockFileName, "locked");
    }

    [Fact]
    public async Task Two_store_instances_over_one_folder_race_conditional_puts_safely()
    {
        var root = NewRoot();
        var stores = new[] { new LocalFileSystemObjectStore(root), new LocalFileSystemObjectStore(root), new LocalFileSystemObjectStore(root), new LocalFileSystemObjectStore(root) };

        for (var round = 0; round < 20; round++)
        {
            var key = $"shared/{round}";
            var creates = await RaceAsync(racer => stores[racer % stores.Length].PutAsync(key, RacerPayload(round, racer), PutMode.Create, default));
            creates.Count(r => r.IsWritten).Should().Be(1, $"round {round}");

            var version = (await stores[0].HeadAsync(key, default))!.Version!;
            var updates = await RaceAsync(racer => stores[racer % stores.Length].PutAsync(key, RacerPayload(round, racer + 100), PutMode.Update(version), default));
            updates.Count(r => r.IsWritten).Should().Be(1, $"round {round}");
            var winner = Array.FindIndex(updates, r => r.IsWritten);
            (await stores[1].GetAsync(key, default))!.Data.ToArray().Should().Equal(RacerPayload(round, winner + 100));
        }
    }
}
