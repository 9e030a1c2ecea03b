using System.Runtime.CompilerServices;
using SlateDB.Manifest;
using SlateDB.Storage;
using SlateDB.Tests.Checkpoints;
using static SlateDB.Tests.Checkpoints.CheckpointTestWorld;

namespace SlateDB.Tests.Admin;

/// <summary>SlateDbAdmin.DeleteDatabaseAsync: dry run, the deletion marker, resuming, refusals, parent checkpoints.</summary>
public sealed class DeleteDatabaseTests
{
    [Fact]
    public async Task A_dry_run_changes_nothing_a_confirmed_delete_removes_every_object_and_a_second_one_is_a_no_op()
    {
        var w = new CheckpointTestWorld();
        await WriteDatabaseAsync(w, DbPath);
        await WriteDatabaseAsync(w, "dbx"); // shares the prefix "db" but not "db/"
        var before = await ListAsync(w.Store, DbPath + "/");
        var neighbour = await ListAsync(w.Store, "dbx/");
        before.Should().Contain(p => p.StartsWith("db/manifest/", StringComparison.Ordinal)).And.Contain(p => p.StartsWith("db/compacted/", StringComparison.Ordinal));
        var admin = SlateDbAdmin.For(DbPath, w.Store, w.Time);

        var dryRun = await admin.DeleteDatabaseAsync();
        dryRun.DryRun.Should().BeTrue();
        dryRun.Objects.Should().Equal(before);
        dryRun.ReleasedParentCheckpoints.Should().BeEmpty();
        (await ListAsync(w.Store, DbPath + "/")).Should().Equal(before, "a dry run deletes nothing");

        var deleted = await admin.DeleteDatabaseAsync(confirm: true);
        deleted.DryRun.Should().BeFalse();
        deleted.Objects.Should().BeEquivalentTo([.. before, "db/.deleting"]);
        (await ListAsync(w.Store, DbPath + "/")).Should().BeEmpty();
        (await ListAsync(w.Store, "dbx/")).Should().Equal(neighbour, "another database is untouched");

        var again = await admin.DeleteDatabaseAsync(confirm: true);
        again.Objects.Should().BeEmpty("deleting a deleted database is a no-op");
        (await admin.DeleteDatabaseAsync()).Objects.Should().BeEmpty();

        await using var reopened = await w.OpenWriterAsync();
        (await reopened.GetAsync("k")).Should().BeNull("the path holds a new, empty database");
    }

    [Fact]
    public async Task The_marker_is_written_before_anything_is_deleted_and_a_rerun_finishes_a_delete_cut_short()
    {
        var w = new CheckpointTestWorld();
        await WriteDatabaseAsync(w, DbPath);
        var failing = new FailingDeleteStore(w.Store, failAtDelete: 3);
        var act = () => SlateDbAdmin.For(DbPath, failing, w.Time).DeleteDatabaseAsync(confirm: true);
        await act.Should().ThrowAsync<IOException>();

        failing.Operations.Should().Contain("put db/.deleting");
        failing.Operations.IndexOf("put db/.deleting").Should().BeLessThan(failing.Operations.FindIndex(op => op.StartsWith("delete ", StringComparison.Ordinal)));
        var left = await ListAsync(w.Store, DbPath + "/");
        left.Should().Contain("db/.deleting", "the marker stays until everything else is gone");

        // Whether or not a manifest is left, the marker proves the path held a database: the rerun finishes.
        var rerun = await SlateDbAdmin.For(DbPath, w.Store, w.Time).DeleteDatabaseAsync(confirm: true);
        rerun.Objects.Should().BeEquivalentTo(left);
        (await ListAsync(w.Store, DbPath + "/")).Should().BeEmpty();
    }

    [Fact]
    public async Task Objects_that_are_not_a_database_are_listed_by_a_dry_run_but_never_deleted()
    {
        var w = new CheckpointTestWorld();
        await w.Store.PutAsync("photos/cat.jpg", new byte[] { 1, 2, 3 }, PutMode.Overwrite, default);
        var admin = SlateDbAdmin.For("photos", w.Store, w.Time);

        (await admin.DeleteDatabaseAsync()).Objects.Should().Equal("photos/cat.jpg");
        var act = () => admin.DeleteDatabaseAsync(confirm: true);
        (await act.Should().ThrowAsync<SlateDbException>()).Which.Kind.Should().Be(SlateDbErrorKind.Invalid);
        (await ListAsync(w.Store, "photos/")).Should().Equal("photos/cat.jpg");
    }

    [Fact]
    public async Task Deleting_a_clone_releases_the_checkpoint_it_holds_in_its_parent_and_only_that_one()
    {
        var w = new CheckpointTestWorld();
        await WriteDatabaseAsync(w, DbPath);
        var parentAdmin = SlateDbAdmin.For(DbPath, w.Store, w.Time, seed: 3);
        var source = await parentAdmin.CreateDetachedCheckpointAsync();
        var final = await parentAdmin.CreateDetachedCheckpointAsync(new CheckpointOptions { Source = source.Id });
        var unrelated = await parentAdmin.CreateDetachedCheckpointAsync(new CheckpointOptions { Name = "keep" });

        // A clone's manifest as SlateDB writes it: the parent's tree, an external database entry naming the parent.
        var parent = (await w.Manifests.ReadAsync(source.ManifestId, default))!;
        var clone = parent with
        {
            ExternalDbs = [new ExternalDb(DbPath, source.Id, final.Id, [.. parent.Core.Tree.AllViews.Select(v => v.Sst.Id)])],
            Core = parent.Core with { Checkpoints = [] },
        };
        (await new ManifestStore(w.Store, new DbPaths("clone")).TryWriteAsync(1, clone, default)).Should().BeTrue();
        var cloneAdmin = SlateDbAdmin.For("clone", w.Store, w.Time);

        var dryRun = await cloneAdmin.DeleteDatabaseAsync();
        dryRun.ReleasedParentCheckpoints.Should().Equal(new ParentCheckpoint(DbPath, final.Id));
        (await parentAdmin.ListCheckpointsAsync()).Should().HaveCount(3, "a dry run releases nothing");

        var deleted = await cloneAdmin.DeleteDatabaseAsync(confirm: true);
        deleted.ReleasedParentCheckpoints.Should().Equal(new ParentCheckpoint(DbPath, final.Id));
        (await parentAdmin.ListCheckpointsAsync()).Select(c => c.Id).Should().BeEquivalentTo([source.Id, unrelated.Id]);
        (await ListAsync(w.Store, "clone/")).Should().BeEmpty();
        (await ListAsync(w.Store, DbPath + "/compacted/")).Should().NotBeEmpty("the parent's SSTs are the parent's");
        (await cloneAdmin.DeleteDatabaseAsync(confirm: true)).ReleasedParentCheckpoints.Should().BeEmpty();
    }

    [Fact]
    public async Task A_clone_whose_parent_is_gone_is_still_deleted()
    {
        var w = new CheckpointTestWorld();
        await WriteDatabaseAsync(w, DbPath);
        var parentAdmin = SlateDbAdmin.For(DbPath, w.Store, w.Time, seed: 3);
        var source = await parentAdmin.CreateDetachedCheckpointAsync();
        var parent = (await w.Manifests.ReadAsync(source.ManifestId, default))!;
        var clone = parent with { ExternalDbs = [new ExternalDb(DbPath, source.Id, Guid.NewGuid(), [])], Core = parent.Core with { Checkpoints = [] } };
        (await new ManifestStore(w.Store, new DbPaths("clone")).TryWriteAsync(1, clone, default)).Should().BeTrue();
        await parentAdmin.DeleteDatabaseAsync(confirm: true);

        var deleted = await SlateDbAdmin.For("clone", w.Store, w.Time).DeleteDatabaseAsync(confirm: true);
        deleted.ReleasedParentCheckpoints.Should().BeEmpty();
        (await ListAsync(w.Store, "clone/")).Should().BeEmpty();
    }

    private static async Task WriteDatabaseAsync(CheckpointTestWorld w, string path)
    {
        await using var db = await SlateDb.Builder(path, w.Store).WithOptions(CheckpointTestWorld.Options).WithTimeProvider(w.Time).WithSeed(1).OpenAsync();
        await db.PutAsync("k", "v");
        await db.FlushAsync(new FlushOptions { FlushType = FlushType.MemTable });
        await db.PutAsync("k2", "v2");
        await db.FlushAsync(new FlushOptions { FlushType = FlushType.Wal });
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

    /// <summary>Records puts and deletes, and fails the <c>failAtDelete</c>-th delete.</summary>
    private sealed class FailingDeleteStore(IObjectStore inner, int failAtDelete) : IObjectStore
    {
        private int _deletes;

        public List<string> Operations { get; } = [];

        public ValueTask<ObjectContent?> GetAsync(string path, CancellationToken cancellationToken) => inner.GetAsync(path, cancellationToken);

        public ValueTask<ObjectContent?> GetRangeAsync(string path, ByteRange range, CancellationToken cancellationToken) => inner.GetRangeAsync(path, range, cancellationToken);

        public ValueTask<ObjectMetadata?> HeadAsync(string path, CancellationToken cancellationToken) => inner.HeadAsync(path, cancellationToken);

        public ValueTask<PutResult> PutAsync(string path, ReadOnlyMemory<byte> data, PutMode mode, CancellationToken cancellationToken)
        {
            Operations.Add("put " + path);
            return inner.PutAsync(path, data, mode, cancellationToken);
        }

        public ValueTask DeleteAsync(string path, CancellationToken cancellationToken)
        {
            if (++_deletes == failAtDelete)
            {
                throw new IOException("injected delete failure");
            }

            Operations.Add("delete " + path);
            return inner.DeleteAsync(path, cancellationToken);
        }

        public async IAsyncEnumerable<ObjectMetadata> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await foreach (var entry in inner.ListAsync(prefix, cancellationToken))
            {
                yield return entry;
            }
        }
    }
}
