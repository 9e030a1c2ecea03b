using SlateDB.Tests.Checkpoints;
using static SlateDB.Tests.Checkpoints.CheckpointTestWorld;

namespace SlateDB.Tests.Admin;

/// <summary>SlateDbAdmin beside a running writer: checkpoints by name, manifests, sequence/time lookups and a GC run, never fencing the writer.</summary>
public sealed class SlateDbAdminTests
{
    [Fact]
    public async Task Checkpoints_are_created_listed_by_name_refreshed_and_deleted_beside_a_running_writer()
    {
        var w = new CheckpointTestWorld();
        await using var db = await w.OpenWriterAsync();
        var admin = SlateDbAdmin.For(DbPath, w.Store, w.Time, seed: 5);
        await db.PutAsync("a", "1");
        await db.FlushAsync(new FlushOptions { FlushType = FlushType.MemTable });

        var nightly = await admin.CreateDetachedCheckpointAsync(new CheckpointOptions { Name = "nightly", Lifetime = TimeSpan.FromDays(1) });
        var other = await admin.CreateDetachedCheckpointAsync(new CheckpointOptions { Name = "other" });
        var fromWriter = await db.CreateCheckpointAsync(CheckpointScope.Durable, new CheckpointOptions { Name = "nightly" });
        var latest = await admin.ReadManifestAsync();
        nightly.ManifestId.Should().BeLessThan(latest.Id);
        (await admin.ReadManifestAsync(nightly.ManifestId)).Checkpoints.Should().Contain(c => c.Id == nightly.Id, "a detached checkpoint pins the version it is written into");

        (await admin.ListCheckpointsAsync("nightly")).Select(c => c.Id).Should().BeEquivalentTo([nightly.Id, fromWriter.Id]);
        (await admin.ListCheckpointsAsync()).Should().HaveCount(3);
        (await admin.ListCheckpointsAsync("nobody")).Should().BeEmpty();

        w.Time.Advance(TimeSpan.FromHours(1));
        var refreshed = await admin.RefreshCheckpointAsync(nightly.Id, TimeSpan.FromDays(2));
        refreshed.ExpireTime.Should().Be(Start.AddHours(1).AddDays(2));
        (await admin.DeleteCheckpointAsync(other.Id)).Should().BeTrue();
        (await admin.DeleteCheckpointAsync(other.Id)).Should().BeFalse("deleting is idempotent");
        (await admin.ListCheckpointsAsync()).Select(c => c.Id).Should().BeEquivalentTo([nightly.Id, fromWriter.Id]);

        var before = await admin.ReadManifestAsync();
        var unknown = () => admin.RefreshCheckpointAsync(other.Id, TimeSpan.FromHours(1));
        (await unknown.Should().ThrowAsync<SlateDbException>()).Which.Kind.Should().Be(SlateDbErrorKind.Invalid);
        (await admin.ReadManifestAsync()).Id.Should().Be(before.Id, "a refused refresh writes nothing");

        // The writer goes on (it rereads the versions the admin wrote) and is never fenced.
        await db.PutAsync("b", "2");
        await db.FlushAsync(new FlushOptions { FlushType = FlushType.MemTable });
        db.Status.State.Should().Be(DbOpenState.Open);
        var after = await admin.ReadManifestAsync();
        after.WriterEpoch.Should().Be(1);
        after.Checkpoints.Select(c => c.Id).Should().BeEquivalentTo([nightly.Id, fromWriter.Id], "the writer's flush kept the admin's checkpoints");
        after.L0.Should().HaveCount(2);
        (await admin.ListManifestsAsync()).Should().BeInAscendingOrder().And.Contain(after.Id);
        await using var reader = await w.OpenReaderAsync(DbReaderOptions.Default with { Mode = DbReaderMode.Checkpoint(nightly.Id) });
        (await reader.GetAsync("a")).Should().Be("1");
        (await reader.GetAsync("b")).Should().BeNull();
    }

    [Fact]
    public async Task Sequence_time_lookups_read_the_manifests_tracker_and_gc_runs_once()
    {
        var w = new CheckpointTestWorld();
        await using var db = await w.OpenWriterAsync();
        var admin = SlateDbAdmin.For(DbPath, w.Store, w.Time);
        var first = await db.PutAsync("a", "1");
        await db.FlushAsync(new FlushOptions { FlushType = FlushType.MemTable });
        w.Time.Advance(TimeSpan.FromMinutes(5));
        var second = await db.PutAsync("b", "2");
        await db.FlushAsync(new FlushOptions { FlushType = FlushType.MemTable });

        (await admin.GetTimestampForSequenceAsync(first.Sequence)).Should().Be(Start);
        (await admin.GetTimestampForSequenceAsync(second.Sequence)).Should().Be(Start.AddMinutes(5));
        (await admin.GetSequenceForTimestampAsync(Start.AddMinutes(2))).Should().Be(first.Sequence, "rounding down");
        (await admin.GetSequenceForTimestampAsync(Start.AddMinutes(2), roundUp: true)).Should().Be(second.Sequence);

        w.Time.Advance(TimeSpan.FromMinutes(10));
        var summary = await admin.RunGarbageCollectionOnceAsync();
        summary.For(SlateDB.GarbageCollection.GarbageKind.Manifest)!.Deleted.Should().BeGreaterThan(0);
        (await db.GetAsync("a")).Should().Be("1");

        var missing = SlateDbAdmin.For("nothing-here", w.Store);
        var act = () => missing.ListCheckpointsAsync();
        (await act.Should().ThrowAsync<SlateDbException>()).Which.Kind.Should().Be(SlateDbErrorKind.Invalid);
    }
}
