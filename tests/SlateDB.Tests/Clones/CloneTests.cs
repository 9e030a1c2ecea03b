using SlateDB.GarbageCollection;
using SlateDB.Manifest;
using SlateDB.Storage;
using SlateDB.Tests.Checkpoints;
using static SlateDB.Tests.Checkpoints.CheckpointTestWorld;

namespace SlateDB.Tests.Clones;

/// <summary>Clones (SlateDB's external_dbs): branching, borrowed SSTs read under the parent's path, detaching, GC safety, bad input.</summary>
public sealed class CloneTests
{
    private const string ClonePath = "branch";

    [Fact]
    public async Task A_clone_branches_from_a_checkpoint_and_each_side_then_sees_only_its_own_writes()
    {
        var w = new CheckpointTestWorld();
        // No embedded compactor: it claims its epoch with a manifest write whenever its background start gets to it,
        // which would race the comparison of the parent's objects below.
        await using var parent = await SlateDb.Builder(DbPath, w.Store).WithOptions(CheckpointTestWorld.Options with { CompactorOptions = null }).WithTimeProvider(w.Time).WithSeed(1).OpenAsync();
        await parent.PutAsync("a", "1");
        await parent.PutAsync("shared", "before");
        await parent.FlushAsync(new FlushOptions { FlushType = FlushType.MemTable });
        await parent.PutAsync("b", "2");
        await parent.FlushAsync(); // durable in the WAL only: the clone copies that WAL object
        var checkpoint = await parent.CreateCheckpointAsync(CheckpointScope.Durable, new CheckpointOptions { Lifetime = TimeSpan.FromHours(1) });
        await parent.PutAsync("shared", "parent-after");
        await parent.FlushAsync(new FlushOptions { FlushType = FlushType.MemTable });

        var result = await SlateDbAdmin.For(ClonePath, w.Store, w.Time, seed: 7).CreateCloneAsync(DbPath, checkpoint.Id);
        var parentObjects = await ListAsync(w.Store, DbPath + "/");
        result.ParentPath.Should().Be(DbPath);
        result.SourceCheckpointId.Should().Be(checkpoint.Id);
        result.BorrowedSsts.Should().Be(1);
        var cloneManifest = await SlateDbAdmin.For(ClonePath, w.Store).ReadManifestAsync();
        cloneManifest.Initialized.Should().BeTrue();
        cloneManifest.ExternalDbs.Should().ContainSingle().Which.Should().Match<ManifestExternalDb>(e => e.Path == DbPath && e.FinalCheckpointId == result.FinalCheckpointId);
        (await SlateDbAdmin.For(DbPath, w.Store).ListCheckpointsAsync()).Should().Contain(c => c.Id == result.FinalCheckpointId && c.ExpireTime == null);
        (await ListAsync(w.Store, ClonePath + "/compacted/")).Should().BeEmpty("the clone reads the parent's SSTs where they are");
        (await ListAsync(w.Store, ClonePath + "/wal/")).Should().NotBeEmpty("the checkpoint's unflushed WAL range is copied");

        await using (var clone = await OpenAsync(w, ClonePath, seed: 8))
        {
            (await clone.GetAsync("a")).Should().Be("1");
            (await clone.GetAsync("b")).Should().Be("2", "replayed from the copied WAL");
            (await clone.GetAsync("shared")).Should().Be("before", "the parent's later write is after the branch");
            await clone.PutAsync("shared", "clone-after");
            await clone.PutAsync("c", "clone-only");
            await clone.FlushAsync(new FlushOptions { FlushType = FlushType.MemTable });
            (await clone.GetAsync("shared")).Should().Be("clone-after");
        }

        (await parent.GetAsync("shared")).Should().Be("parent-after");
        (await parent.GetAsync("c")).Should().BeNull();
        (await ListAsync(w.Store, DbPath + "/")).Should().Equal(parentObjects, "the clone writes only under its own path");
        (await ListAsync(w.Store, ClonePath + "/compacted/")).Should().NotBeEmpty();

        // A reader on the clone resolves borrowed SSTs under the parent too.
        await using (var reader = await DbReader.Builder(ClonePath, w.Store).WithTimeProvider(w.Time).WithSeed(9).OpenAsync())
        {
            (await ScanAsync(reader.ScanAsync(KeyRange.All))).Should().Equal(("a", "1"), ("b", "2"), ("c", "clone-only"), ("shared", "clone-after"));
        }

        // Running the clone again changes nothing.
        var versions = await SlateDbAdmin.For(ClonePath, w.Store).ListManifestsAsync();
        (await SlateDbAdmin.For(ClonePath, w.Store, w.Time).CreateCloneAsync(DbPath, checkpoint.Id)).Should().Be(result);
        (await SlateDbAdmin.For(ClonePath, w.Store).ListManifestsAsync()).Should().Equal(versions);
    }

    [Fact]
    public async Task Compacting_a_clone_rewrites_what_it_borrows_and_its_collector_then_detaches_it_from_the_parent()
    {
        var w = new CheckpointTestWorld();
        await WriteParentAsync(w, batches: 3);
        var result = await SlateDbAdmin.For(ClonePath, w.Store, w.Time, seed: 7).CreateCloneAsync(DbPath);
        result.BorrowedSsts.Should().Be(3);

        await using var clone = await OpenAsync(w, ClonePath, seed: 8);
        await clone.PutAsync("own", "x");
        await clone.FlushAsync(new FlushOptions { FlushType = FlushType.MemTable });
        (await clone.CompactFullAsync()).Should().NotBeNull();
        var compacted = await LatestAsync(w, ClonePath);
        compacted.ExternalDbs.Should().ContainSingle().Which.SstIds.Should().BeEmpty("the compaction rewrote every borrowed SST");
        compacted.Core.Tree.AllViews.Should().OnlyContain(v => !compacted.ExternalDbs[0].SstIds.Contains(v.Sst.Id));

        // The compaction pinned the version it replaced (which borrows) for 15 minutes: no detach before that.
        await CollectAsync(w, ClonePath);
        (await LatestAsync(w, ClonePath)).ExternalDbs.Should().ContainSingle();
        w.Time.Advance(TimeSpan.FromMinutes(20));
        await CollectAsync(w, ClonePath);
        (await LatestAsync(w, ClonePath)).ExternalDbs.Should().BeEmpty("nothing is borrowed any more: the clone detached");
        (await SlateDbAdmin.For(DbPath, w.Store).ListCheckpointsAsync()).Should().NotContain(c => c.Id == result.FinalCheckpointId);

        await clone.RefreshManifestAsync();
        await clone.PutAsync("after", "detach");
        await clone.FlushAsync(new FlushOptions { FlushType = FlushType.MemTable });
        (await ScanAsync(clone.ScanAsync(KeyRange.All))).Should().HaveCount(3 * 10 + 2);
        (await clone.GetAsync("p0-5")).Should().Be("v0-5");
    }

    [Fact]
    public async Task The_parents_collector_never_deletes_an_sst_the_clones_checkpoint_pins_and_reclaims_it_after_the_detach()
    {
        var w = new CheckpointTestWorld();
        await WriteParentAsync(w, batches: 2);
        var result = await SlateDbAdmin.For(ClonePath, w.Store, w.Time, seed: 7).CreateCloneAsync(DbPath);
        var borrowed = (await LatestAsync(w, ClonePath)).ExternalDbs.Single().SstIds.Select(id => new DbPaths(DbPath).SstPath(id)).ToList();

        // A minute later (so the collector's cutoff, the newest L0's ULID time, lies after the borrowed SSTs) the
        // parent rewrites everything, and collects hours later (the clone's source checkpoint long expired).
        w.Time.Advance(TimeSpan.FromMinutes(1));
        await using (var parent = await w.OpenWriterAsync(seed: 11))
        {
            await parent.PutAsync("p0-0", "overwritten");
            await parent.FlushAsync(new FlushOptions { FlushType = FlushType.MemTable });
            (await parent.CompactFullAsync()).Should().NotBeNull();
        }

        w.Time.Advance(TimeSpan.FromHours(3));
        await CollectAsync(w, DbPath);
        foreach (var path in borrowed)
        {
            (await w.Store.HeadAsync(path, default)).Should().NotBeNull($"the clone's checkpoint pins {path}");
        }

        await using (var clone = await OpenAsync(w, ClonePath, seed: 8))
        {
            (await clone.GetAsync("p0-0")).Should().Be("v0-0");
            (await ScanAsync(clone.ScanAsync(KeyRange.All))).Should().HaveCount(20);
            (await clone.CompactFullAsync()).Should().NotBeNull();
        }

        w.Time.Advance(TimeSpan.FromMinutes(20));
        await CollectAsync(w, ClonePath);
        (await SlateDbAdmin.For(DbPath, w.Store).ListCheckpointsAsync()).Should().NotContain(c => c.Id == result.FinalCheckpointId);
        w.Time.Advance(TimeSpan.FromMinutes(5)); // past the collector's window for the version the release superseded
        var summary = await CollectAsync(w, DbPath);
        summary.For(GarbageKind.Compacted)!.Deleted.Should().BeGreaterThanOrEqualTo(borrowed.Count, "once detached, nothing pins them");
        foreach (var path in borrowed)
        {
            (await w.Store.HeadAsync(path, default)).Should().BeNull();
        }

        await using (var clone = await OpenAsync(w, ClonePath, seed: 10))
        {
            (await clone.GetAsync("p1-9")).Should().Be("v1-9", "the clone reads only its own SSTs now");
        }
    }

    [Fact]
    public async Task Deleting_a_clone_releases_its_parent_checkpoint_and_is_idempotent()
    {
        var w = new CheckpointTestWorld();
        await WriteParentAsync(w, batches: 1);
        var result = await SlateDbAdmin.For(ClonePath, w.Store, w.Time, seed: 7).CreateCloneAsync(DbPath);
        await using (var clone = await OpenAsync(w, ClonePath, seed: 8))
        {
            await clone.PutAsync("own", "x");
            await clone.FlushAsync(new FlushOptions { FlushType = FlushType.MemTable });
        }

        var admin = SlateDbAdmin.For(ClonePath, w.Store, w.Time);
        var deleted = await admin.DeleteDatabaseAsync(confirm: true);
        deleted.ReleasedParentCheckpoints.Should().Equal(new ParentCheckpoint(DbPath, result.FinalCheckpointId!.Value));
        (await SlateDbAdmin.For(DbPath, w.Store).ListCheckpointsAsync()).Should().NotContain(c => c.Id == result.FinalCheckpointId);
        (await ListAsync(w.Store, ClonePath + "/")).Should().BeEmpty();
        (await admin.DeleteDatabaseAsync(confirm: true)).Objects.Should().BeEmpty();
        await using var parent = await w.OpenWriterAsync(seed: 11);
        (await parent.GetAsync("p0-3")).Should().Be("v0-3");
    }

    [Fact]
    public async Task Bad_input_is_refused_and_changes_nothing()
    {
        var w = new CheckpointTestWorld();
        await WriteParentAsync(w, batches: 1);
        var parentAdmin = SlateDbAdmin.For(DbPath, w.Store, w.Time, seed: 3);
        var shortLived = await parentAdmin.CreateDetachedCheckpointAsync(new CheckpointOptions { Lifetime = TimeSpan.FromHours(1) });
        var parentVersions = await parentAdmin.ListManifestsAsync();
        var admin = SlateDbAdmin.For(ClonePath, w.Store, w.Time);

        await ExpectInvalidAsync(() => admin.CreateCloneAsync(DbPath, Guid.NewGuid()), "unknown checkpoint");
        await ExpectInvalidAsync(() => admin.CreateCloneAsync("nowhere"), "no parent database");
        await ExpectInvalidAsync(() => SlateDbAdmin.For(DbPath, w.Store).CreateCloneAsync(DbPath), "its own path");
        w.Time.Advance(TimeSpan.FromHours(2));
        await ExpectInvalidAsync(() => admin.CreateCloneAsync(DbPath, shortLived.Id), "expired checkpoint");
        (await ListAsync(w.Store, ClonePath + "/")).Should().BeEmpty();
        (await parentAdmin.ListManifestsAsync()).Should().Equal(parentVersions);

        // A path that holds a database (not a clone of that parent) is refused.
        await using (var other = await OpenAsync(w, "other", seed: 4))
        {
            await other.PutAsync("x", "1");
        }

        var otherVersions = await SlateDbAdmin.For("other", w.Store).ListManifestsAsync();
        await ExpectInvalidAsync(() => SlateDbAdmin.For("other", w.Store, w.Time).CreateCloneAsync(DbPath), "a database is there");
        (await SlateDbAdmin.For("other", w.Store).ListManifestsAsync()).Should().Equal(otherVersions);
        (await parentAdmin.ListManifestsAsync()).Should().Equal(parentVersions);
    }

    private static async Task ExpectInvalidAsync(Func<Task> act, string because)
    {
        var thrown = await act.Should().ThrowAsync<SlateDbException>(because);
        thrown.Which.Kind.Should().Be(SlateDbErrorKind.Invalid, because);
    }

    /// <summary>The parent at <see cref="DbPath"/>: <paramref name="batches"/> L0 SSTs of ten keys each (p{batch}-{i} = v{batch}-{i}).</summary>
    private static async Task WriteParentAsync(CheckpointTestWorld w, int batches)
    {
        await using var db = await w.OpenWriterAsync();
        for (var batch = 0; batch < batches; batch++)
        {
            for (var i = 0; i < 10; i++)
            {
                await db.PutAsync($"p{batch}-{i}", $"v{batch}-{i}");
            }

            await db.FlushAsync(new FlushOptions { FlushType = FlushType.MemTable });
        }
    }

    private static Task<SlateDb> OpenAsync(CheckpointTestWorld w, string path, int seed) =>
        SlateDb.Builder(path, w.Store).WithOptions(CheckpointTestWorld.Options).WithTimeProvider(w.Time).WithSeed(seed).OpenAsync();

    private static async Task<DbManifest> LatestAsync(CheckpointTestWorld w, string path) =>
        (await new ManifestStore(w.Store, new DbPaths(path)).ReadLatestAsync(default))!.Value.Manifest;

    private static async Task<GarbageCollectionSummary> CollectAsync(CheckpointTestWorld w, string path)
    {
        var directory = new GarbageCollectorDirectoryOptions { Interval = null, MinAge = TimeSpan.FromMinutes(1) };
        var options = new GarbageCollectorOptions { ManifestOptions = directory, WalOptions = directory, CompactedOptions = directory, CompactionsOptions = directory };
        await using var collector = await GarbageCollector.StartAsync(path, w.Store, options, w.Time);
        var summary = await collector.RunOnceAsync();
        summary.Tasks.Should().OnlyContain(task => task.Succeeded);
        return summary;
    }

    private static async Task<List<string>> ListAsync(IObjectStore store, string prefix)
    {
        var list = new List<string>();
        await foreach (var entry in store.ListAsync(prefix, default))
        {
            list.Add(entry.Path);
        }

        list.Sort(StringComparer.Ordinal);
        return list;
    }
}
