using SlateDB.GarbageCollection;
using static SlateDB.Tests.Checkpoints.CheckpointTestWorld;

namespace SlateDB.Tests.Checkpoints;

/// <summary>
/// SlateDb.CreateCheckpointAsync: a checkpoint pins one manifest version, its SSTs and its WAL range against the
/// collector until it expires; a reader opened on it reads exactly the checkpointed state.
/// </summary>
public sealed class CheckpointTests
{
    [Fact]
    public async Task A_reader_at_a_checkpoint_reads_the_checkpointed_state_after_writes_compaction_and_gc_until_expiry()
    {
        var w = new CheckpointTestWorld();
        await using var db = await w.OpenWriterAsync();
        for (var i = 0; i < 20; i++)
        {
            await db.PutAsync($"k{i:D2}", $"v1-{i}");
        }

        var checkpoint = await db.CreateCheckpointAsync(CheckpointScope.All, new CheckpointOptions { Lifetime = TimeSpan.FromHours(1), Name = "before" });
        var pinned = (await w.LatestAsync()).Core.Checkpoints.Single(c => c.Id == checkpoint.Id);
        pinned.ManifestId.Should().Be(checkpoint.ManifestId);
        pinned.Name.Should().Be("before");
        pinned.ExpireTime.Should().Be(Start.AddHours(1));

        // Overwrite, delete and add after the checkpoint; flush, compact everything and collect. (A minute later, so
        // the collector's cutoff, the newest compacted L0's ULID time, lies after the checkpoint's SSTs.)
        w.Time.Advance(TimeSpan.FromMinutes(1));
        for (var i = 0; i < 20; i++)
        {
            await db.PutAsync($"k{i:D2}", $"v2-{i}");
        }

        await db.DeleteAsync("k05");
        await db.PutAsync("k99", "new");
        await db.FlushAsync(new FlushOptions { FlushType = FlushType.MemTable });
        (await db.CompactFullAsync()).Should().NotBeNull();
        w.Time.Advance(TimeSpan.FromMinutes(20));
        await db.RefreshManifestAsync();
        var summary = await w.CollectAsync();
        summary.For(GarbageKind.Manifest)!.Deleted.Should().BeGreaterThan(0, "old manifests go, the pinned one stays");

        await using (var reader = await w.OpenReaderAsync(DbReaderOptions.Default with { Mode = DbReaderMode.Checkpoint(checkpoint.Id) }))
        {
            reader.Status.CheckpointId.Should().Be(checkpoint.Id);
            reader.Status.ManifestId.Should().Be(checkpoint.ManifestId);
            (await reader.GetAsync("k05")).Should().Be("v1-5");
            (await reader.GetAsync("k99")).Should().BeNull();
            var rows = await ScanAsync(reader.ScanAsync(KeyRange.All));
            rows.Should().Equal(Enumerable.Range(0, 20).Select(i => ($"k{i:D2}", $"v1-{i}")));
        }

        (await db.GetAsync("k05")).Should().BeNull();
        (await db.GetAsync("k00")).Should().Be("v2-0");

        // After expiry the collector removes the checkpoint and reclaims what only it kept.
        var sstsBefore = await w.SstCountAsync();
        w.Time.Advance(TimeSpan.FromHours(2));
        summary = await w.CollectAsync();
        summary.ExpiredCheckpoints.Should().BeGreaterThan(0);
        summary.For(GarbageKind.Compacted)!.Deleted.Should().BeGreaterThan(0, "the SSTs only the checkpoint pinned are reclaimed");
        (await w.SstCountAsync()).Should().BeLessThan(sstsBefore);
        (await w.LatestAsync()).Core.Checkpoints.Should().NotContain(c => c.Id == checkpoint.Id);
        var expired = () => w.OpenReaderAsync(DbReaderOptions.Default with { Mode = DbReaderMode.Checkpoint(checkpoint.Id) });
        (await expired.Should().ThrowAsync<SlateDbException>()).Which.Kind.Should().Be(SlateDbErrorKind.Invalid);
        (await db.GetAsync("k00")).Should().Be("v2-0", "the writer's data is untouched");
    }

    [Fact]
    public async Task A_durable_checkpoint_covers_the_wal_written_and_nothing_after()
    {
        var w = new CheckpointTestWorld();
        await using var db = await w.OpenWriterAsync();
        await db.PutAsync("a", "1");
        await db.FlushAsync();
        var checkpoint = await db.CreateCheckpointAsync(CheckpointScope.Durable);
        await db.PutAsync("b", "2");
        await db.FlushAsync();
        db.Status.L0SstCount.Should().Be(0, "a durable checkpoint flushes nothing to L0");

        await using var reader = await w.OpenReaderAsync(DbReaderOptions.Default with { Mode = DbReaderMode.Checkpoint(checkpoint.Id) });
        (await reader.GetAsync("a")).Should().Be("1", "the WAL object written before the checkpoint is in its range");
        (await reader.GetAsync("b")).Should().BeNull("written after the checkpoint");
        (await w.LatestAsync()).Core.Checkpoints.Single(c => c.Id == checkpoint.Id).ExpireTime.Should().BeNull("no lifetime: never expires");
    }

    [Fact]
    public async Task A_checkpoint_from_a_source_pins_the_sources_version_and_unknown_sources_change_nothing()
    {
        var w = new CheckpointTestWorld();
        await using var db = await w.OpenWriterAsync();
        await db.PutAsync("a", "1");
        var first = await db.CreateCheckpointAsync(CheckpointScope.All);
        await db.PutAsync("a", "2");
        var copy = await db.CreateCheckpointAsync(CheckpointScope.All, new CheckpointOptions { Source = first.Id, Name = "copy" });
        copy.ManifestId.Should().Be(first.ManifestId);
        copy.Id.Should().NotBe(first.Id);

        var before = (await w.LatestAsync()).Core.Checkpoints;
        var unknown = () => db.CreateCheckpointAsync(CheckpointScope.Durable, new CheckpointOptions { Source = Guid.Parse("00000000-0000-4000-8000-000000000001") }).AsTask();
        (await unknown.Should().ThrowAsync<SlateDbException>()).Which.Kind.Should().Be(SlateDbErrorKind.Invalid);
        (await w.LatestAsync()).Core.Checkpoints.Should().Equal(before, "a refused checkpoint adds nothing");
        var badLifetime = () => db.CreateCheckpointAsync(CheckpointScope.Durable, new CheckpointOptions { Lifetime = TimeSpan.Zero }).AsTask();
        await badLifetime.Should().ThrowAsync<ArgumentOutOfRangeException>();

        await using var reader = await w.OpenReaderAsync(DbReaderOptions.Default with { Mode = DbReaderMode.Checkpoint(copy.Id) });
        (await reader.GetAsync("a")).Should().Be("1");
    }

    [Fact]
    public async Task WatchStatusAsync_reports_the_current_status_each_change_and_ends_at_the_close()
    {
        var w = new CheckpointTestWorld();
        var db = await w.OpenWriterAsync();
        var seen = new List<DbStatus>();
        var firstSeen = new TaskCompletionSource();
        var watch = Task.Run(async () =>
        {
            await foreach (var status in db.WatchStatusAsync())
            {
                lock (seen)
                {
                    seen.Add(status);
                }

                firstSeen.TrySetResult();
            }
        });
        await firstSeen.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var put = await db.PutAsync("a", "1");
        await db.FlushAsync();
        await db.CloseAsync();
        await watch.WaitAsync(TimeSpan.FromSeconds(10));
        lock (seen)
        {
            seen[0].State.Should().Be(DbOpenState.Open);
            seen.Should().Contain(s => s.DurableSequence >= put.Sequence, "the WAL flush is reported");
            seen[^1].State.Should().Be(DbOpenState.Closed, "the watch ends with the closed status");
        }
    }
}
