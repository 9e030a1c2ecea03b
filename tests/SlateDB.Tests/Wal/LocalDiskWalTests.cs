using System.Text;
using SlateDB.Manifest;
using SlateDB.Storage;
using static SlateDB.Tests.Engine.EngineTestSupport;

namespace SlateDB.Tests.Wal;

/// <summary>
/// The local-disk WAL: WAL writes go to segment files (none to the object store), recovery replays them, a torn tail
/// is cut and damage elsewhere is a Data error, the directory is locked to one writer, the manifest records the WAL's
/// identity and every open without that directory is refused, the collector deletes collected segments, and the
/// in-process change feed reads it.
/// </summary>
public sealed class LocalDiskWalTests : IDisposable
{
    private static readonly WriteOptions Durable = new() { AwaitDurable = true };
    private static readonly LocalWalOptions SmallSegments = new() { SegmentSizeBytes = 4096 };

    private readonly Engine.TempFolder _folder = new("slatedb-local-wal-");

    public void Dispose() => _folder.Dispose();

    private string WalDir(string name = "wal") => Path.Combine(_folder.Path, name);

    private static Task<SlateDb> OpenAsync(IObjectStore store, string walDir, SlateDbOptions? options = null, int seed = 1) =>
        SlateDb.Builder("db", store)
            .WithOptions((options ?? TestOptions()) with { WalFlushPolicy = WalFlushPolicy.Eager })
            .WithSeed(seed)
            .WithLocalWal(walDir, SmallSegments)
            .OpenAsync();

    private static string[] Segments(string dir) => Directory.EnumerateFiles(dir, "*.wal").Order(StringComparer.Ordinal).ToArray();

    /// <summary>Copies the WAL directory of a database that is still open: what a crash leaves on the disk.</summary>
    private static void CopyAsCrashed(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from).Where(f => Path.GetFileName(f) != "LOCK"))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }
    }

    [Fact]
    public async Task Durable_writes_go_to_segments_and_a_crashed_writers_wal_is_replayed()
    {
        var store = new InMemoryObjectStore();
        var db = await OpenAsync(store, WalDir());
        for (var i = 0; i < 200; i++)
        {
            await db.PutAsync($"k{i:D3}", new string('v', 50) + i, writeOptions: Durable);
        }

        await db.DeleteAsync("k000", Durable);
        (await CountWalObjectsAsync(store)).Should().Be(0, "the WAL is on the local disk");
        Segments(WalDir()).Length.Should().BeGreaterThan(1, "4 KiB segments roll");
        var manifest = (await new ManifestStore(store, new DbPaths("db")).ReadLatestAsync(default))!.Value.Manifest;
        manifest.Core.WalObjectStoreUri.Should().StartWith("local-wal://");

        // The first writer never closes (as after a crash); its WAL directory as the disk holds it is replayed.
        CopyAsCrashed(WalDir(), WalDir("copy"));
        await using (var next = await OpenAsync(store, WalDir("copy"), seed: 2))
        {
            (await next.GetAsync("k000")).Should().BeNull();
            for (var i = 1; i < 200; i++)
            {
                (await next.GetAsync($"k{i:D3}")).Should().Be(new string('v', 50) + i);
            }
        }

        await CloseMaybeFencedAsync(db);
    }

    [Fact]
    public async Task A_torn_tail_record_is_cut_and_damage_before_the_tail_is_a_data_error()
    {
        var store = new InMemoryObjectStore();
        var db = await OpenAsync(store, WalDir());
        for (var i = 0; i < 5; i++)
        {
            await db.PutAsync($"k{i}", $"v{i}", writeOptions: Durable);
        }

        CopyAsCrashed(WalDir(), WalDir("torn"));
        CopyAsCrashed(WalDir(), WalDir("damaged"));

        // A crash in the middle of the next record's write: half a header and some payload, never acknowledged.
        var tail = Segments(WalDir("torn"))[^1];
        var before = new FileInfo(tail).Length;
        var torn = new byte[40];
        Encoding.ASCII.GetBytes("SWAL").CopyTo(torn, 0);
        torn[20] = 200; // a payload length the file does not hold
        File.AppendAllBytes(tail, torn);
        await using (var reopened = await OpenAsync(store, WalDir("torn"), seed: 2))
        {
            for (var i = 0; i < 5; i++)
            {
                (await reopened.GetAsync($"k{i}")).Should().Be($"v{i}");
            }
        }

        new FileInfo(tail).Length.Should().BeGreaterThanOrEqualTo(before, "the torn bytes were cut and the fence appended");

        // A flipped byte inside the first record of a segment followed by good records: damage, not a torn tail.
        var damaged = Segments(WalDir("damaged"))[0];
        var bytes = File.ReadAllBytes(damaged);
        bytes[30] ^= 0xFF;
        File.WriteAllBytes(damaged, bytes);
        var open = () => OpenAsync(store, WalDir("damaged"), seed: 3);
        (await open.Should().ThrowAsync<SlateDbException>()).Which.Kind.Should().Be(SlateDbErrorKind.Data);
        await CloseMaybeFencedAsync(db);
    }

    [Fact]
    public async Task The_directory_takes_one_writer_and_opens_without_it_are_refused()
    {
        var store = new InMemoryObjectStore();
        await using (var db = await OpenAsync(store, WalDir()))
        {
            await db.PutAsync("k", "v", writeOptions: Durable);
            var second = () => OpenAsync(new InMemoryObjectStore(), WalDir(), seed: 2);
            var locked = (await second.Should().ThrowAsync<SlateDbException>()).Which;
            locked.Kind.Should().Be(SlateDbErrorKind.Unavailable);
            locked.Message.Should().Contain("locked");
        }

        var withoutIt = () => SlateDb.Builder("db", store).WithOptions(TestOptions()).OpenAsync();
        (await withoutIt.Should().ThrowAsync<SlateDbException>()).Which.Message.Should().Contain("WithLocalWal");
        var withStore = () => SlateDb.Builder("db", store).WithOptions(TestOptions()).WithWalObjectStore(new InMemoryObjectStore()).OpenAsync();
        (await withStore.Should().ThrowAsync<SlateDbException>()).Which.Kind.Should().Be(SlateDbErrorKind.Invalid);
        var emptyDir = () => OpenAsync(store, WalDir("empty"));
        (await emptyDir.Should().ThrowAsync<SlateDbException>()).Which.Message.Should().Contain("another database's WAL");
        var reader = () => DbReader.OpenAsync("db", store);
        (await reader.Should().ThrowAsync<SlateDbException>()).Which.Kind.Should().Be(SlateDbErrorKind.Invalid);

        // A database that keeps its WAL in the object store is not opened with a local WAL either.
        var plain = new InMemoryObjectStore();
        await using (var db = await SlateDb.Builder("db", plain).WithOptions(TestOptions()).OpenAsync())
        {
            await db.PutAsync("k", "v", writeOptions: Durable);
        }

        var late = () => OpenAsync(plain, WalDir("late"));
        (await late.Should().ThrowAsync<SlateDbException>()).Which.Message.Should().Contain("local WAL was given");

        // After the holder closed, the directory opens again and holds the data.
        await using var again = await OpenAsync(store, WalDir(), seed: 4);
        (await again.GetAsync("k")).Should().Be("v");
    }

    [Fact]
    public async Task The_collector_deletes_segments_whose_records_are_in_L0()
    {
        var store = new InMemoryObjectStore();
        var options = TestOptions() with
        {
            GarbageCollectorOptions = new GarbageCollectorOptions
            {
                WalOptions = new GarbageCollectorDirectoryOptions { Interval = TimeSpan.FromMilliseconds(50), MinAge = TimeSpan.Zero },
                WalFenceOptions = new GarbageCollectorDirectoryOptions { Interval = TimeSpan.FromMilliseconds(50), MinAge = TimeSpan.Zero, DryRun = false },
                ManifestOptions = null,
                CompactedOptions = null,
                CompactionsOptions = null,
            },
        };
        await using var db = await OpenAsync(store, WalDir(), options);
        for (var i = 0; i < 100; i++)
        {
            await db.PutAsync($"k{i}", new string('v', 100), writeOptions: Durable);
        }

        var before = Segments(WalDir()).Length;
        before.Should().BeGreaterThan(2);
        await db.FlushAsync(new FlushOptions { FlushType = FlushType.MemTable });
        await db.PutAsync("after", "v", writeOptions: Durable);
        await EventuallyAsync(() => Segments(WalDir()).Length < before - 1, "the collector to delete local WAL segments");
        (await db.GetAsync("k5")).Should().Be(new string('v', 100));
    }

    [Fact]
    public async Task The_in_process_change_feed_and_wal_reader_read_the_local_wal()
    {
        var store = new InMemoryObjectStore();
        await using var db = await OpenAsync(store, WalDir());
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var feed = db.ChangesAsync(new ChangeFeedOptions { FromSequence = 0 }, timeout.Token).GetAsyncEnumerator(timeout.Token);
        var written = new List<long>();
        for (var i = 0; i < 20; i++)
        {
            written.Add((await db.PutAsync($"k{i}", $"v{i}", writeOptions: Durable)).Sequence);
        }

        for (var i = 0; i < 20; i++)
        {
            (await feed.MoveNextAsync()).Should().BeTrue();
            feed.Current.Sequence.Should().Be(written[i]);
            Encoding.UTF8.GetString(feed.Current.Key.Span).Should().Be($"k{i}");
        }

        await feed.DisposeAsync();
        var files = await db.WalReader().ListAsync();
        files.Should().NotBeEmpty();
        var meta = await files[^1].GetMetadataAsync();
        meta!.Location.Should().Contain(".wal#");
        var rows = new List<WalRow>();
        foreach (var file in files)
        {
            rows.AddRange(await file.ReadRowsAsync());
        }

        rows.Select(row => row.Sequence).Should().Equal(written);
    }
}
