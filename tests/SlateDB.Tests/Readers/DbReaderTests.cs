using SlateDB.Storage;
using SlateDB.Tests.Checkpoints;
using static SlateDB.Tests.Checkpoints.CheckpointTestWorld;

namespace SlateDB.Tests.Readers;

/// <summary>DbReader in one process with the writer, on a fake clock: the three modes, flushes, compaction, GC and writer restarts.</summary>
public sealed class DbReaderTests
{
    private static DbReaderOptions Follow => DbReaderOptions.Default with { Mode = DbReaderMode.FollowLatest, ManifestPollInterval = TimeSpan.FromSeconds(1) };

    [Fact]
    public async Task A_follow_latest_reader_survives_fifty_rounds_of_flush_compaction_and_gc_and_a_writer_restart()
    {
        var w = new CheckpointTestWorld();
        var expected = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var random = new Random(77);
        var db = await w.OpenWriterAsync(seed: 1);
        await db.PutAsync("seed", "0");
        await db.FlushAsync();
        await using var reader = await w.OpenReaderAsync(Follow);
        (await reader.GetAsync("seed")).Should().Be("0", "a WAL-only write is replayed at open");
        expected["seed"] = "0";
        for (var round = 0; round < 50; round++)
        {
            for (var i = 0; i < 8; i++)
            {
                var key = $"k{random.Next(40):D2}";
                if (random.Next(6) == 0)
                {
                    await db.DeleteAsync(key);
                    expected.Remove(key);
                }
                else
                {
                    var value = $"r{round}-{i}";
                    await db.PutAsync(key, value);
                    expected[key] = value;
                }
            }

            // WAL only, then (every other round) L0 and compaction, then the collector.
            await db.FlushAsync();
            await reader.RefreshAsync();
            await CheckAsync(reader, expected, $"round {round}, WAL tail");
            if (round % 2 == 0)
            {
                await db.FlushAsync(new FlushOptions { FlushType = FlushType.MemTable });
                if (round % 4 == 0)
                {
                    await db.CompactFullAsync();
                }
            }

            w.Time.Advance(TimeSpan.FromMinutes(2));
            await w.CollectAsync();
            await reader.RefreshAsync();
            await CheckAsync(reader, expected, $"round {round}, after flush/compaction/GC");
        }

        // A writer restart (a new epoch, a fence in the WAL) and more writes.
        await db.CloseAsync();
        db = await w.OpenWriterAsync(seed: 3);
        await db.PutAsync("after-restart", "yes");
        expected["after-restart"] = "yes";
        await db.FlushAsync();
        await reader.RefreshAsync();
        await CheckAsync(reader, expected, "after the writer restarted");
        db.Status.State.Should().Be(DbOpenState.Open, "a reader never fences the writer");
        (await w.LatestAsync()).WriterEpoch.Should().Be(2, "only the two writers claimed epochs");
        reader.Status.DurableSequence.Should().Be(db.Status.DurableSequence);
        await db.DisposeAsync();
    }

    [Fact]
    public async Task The_poll_loop_makes_durable_writes_visible_after_one_poll_interval()
    {
        var w = new CheckpointTestWorld();
        await using var db = await w.OpenWriterAsync();
        await using var reader = await w.OpenReaderAsync(Follow);
        await db.PutAsync("a", "1");
        await db.FlushAsync();
        (await reader.GetAsync("a")).Should().BeNull("not polled yet");
        await db.PutAsync("b", "2");
        (await reader.GetAsync("b")).Should().BeNull();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (await reader.GetAsync("a") is null && DateTime.UtcNow < deadline)
        {
            w.Time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(20);
        }

        (await reader.GetAsync("a")).Should().Be("1", "the poll replays the WAL tail");
        (await reader.GetAsync("b")).Should().BeNull("a write that is not durable is not visible");
    }

    [Fact]
    public async Task A_managed_checkpoint_reader_keeps_its_data_through_gc_after_its_refresh_time()
    {
        var w = new CheckpointTestWorld();
        await using var db = await w.OpenWriterAsync();
        for (var i = 0; i < 10; i++)
        {
            await db.PutAsync($"k{i}", "old");
        }

        await db.FlushAsync(new FlushOptions { FlushType = FlushType.MemTable });

        // Polls every 20 minutes (refresh due at half of 40): longer than the compactor's 15-minute checkpoint. No
        // block cache, so every read goes to the SSTs.
        var options = DbReaderOptions.Default with { CheckpointLifetime = TimeSpan.FromMinutes(40), ManifestPollInterval = TimeSpan.FromMinutes(20), BlockCacheDisabled = true };
        await using var reader = await w.OpenReaderAsync(options);
        var first = reader.Status.CheckpointId!.Value;
        (await w.LatestAsync()).Core.Checkpoints.Single(c => c.Id == first).ExpireTime.Should().Be(Start.AddMinutes(40));

        // The writer rewrites everything and compacts; after 16 minutes the compactor's checkpoint on the old version
        // lapsed, and only the reader's checkpoint keeps the old SSTs.
        w.Time.Advance(TimeSpan.FromMinutes(1));
        for (var i = 0; i < 10; i++)
        {
            await db.PutAsync($"k{i}", "new");
        }

        await db.FlushAsync(new FlushOptions { FlushType = FlushType.MemTable });
        await db.CompactFullAsync();
        w.Time.Advance(TimeSpan.FromMinutes(15));
        await w.CollectAsync();
        reader.Status.CheckpointId.Should().Be(first, "no poll yet");
        for (var i = 0; i < 10; i++)
        {
            (await reader.GetAsync($"k{i}")).Should().Be("old", "the reader's checkpoint keeps its SSTs after the compactor's lapsed");
        }

        // Past its refresh time the poll moves the checkpoint to the newest version in one manifest write; the
        // collector then takes the old version's SSTs, and the reader reads the new ones.
        w.Time.Advance(TimeSpan.FromMinutes(5));
        await EventuallyAsync(() => reader.Status.CheckpointId != first, "the poll moves the checkpoint");
        reader.Status.LastRefreshError.Should().BeNull();
        var second = reader.Status.CheckpointId!.Value;
        var checkpoints = (await w.LatestAsync()).Core.Checkpoints;
        checkpoints.Should().NotContain(c => c.Id == first, "the old checkpoint is replaced in the same manifest write");
        checkpoints.Single(c => c.Id == second).ExpireTime.Should().Be(Start.AddMinutes(61));
        w.Time.Advance(TimeSpan.FromMinutes(19));
        var summary = await w.CollectAsync();
        summary.For(SlateDB.GarbageCollection.GarbageKind.Compacted)!.Deleted.Should().BeGreaterThan(0, "the old SSTs go once no checkpoint names them");
        for (var i = 0; i < 10; i++)
        {
            (await reader.GetAsync($"k{i}")).Should().Be("new");
        }

        // Nothing changed since: the next poll (past half the lifetime again) only extends the same checkpoint.
        w.Time.Advance(TimeSpan.FromMinutes(2));
        await EventuallyAsync(
            () => w.LatestAsync().Result.Core.Checkpoints.Single(c => c.Id == second).ExpireTime > Start.AddMinutes(61),
            "the poll extends the checkpoint");
        reader.Status.CheckpointId.Should().Be(second);
        await reader.DisposeAsync();
        (await w.LatestAsync()).Core.Checkpoints.Should().NotContain(c => c.Id == second, "a closed reader releases its checkpoint");
        db.Status.State.Should().Be(DbOpenState.Open);
    }

    private static async Task EventuallyAsync(Func<bool> condition, string because)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!condition() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        condition().Should().BeTrue(because);
    }

    [Fact]
    public async Task A_managed_reader_whose_checkpoint_lapsed_establishes_a_new_one()
    {
        var w = new CheckpointTestWorld();
        await using var db = await w.OpenWriterAsync();
        await db.PutAsync("a", "1");
        await db.FlushAsync(new FlushOptions { FlushType = FlushType.MemTable });
        await using var reader = await w.OpenReaderAsync(DbReaderOptions.Default with { CheckpointLifetime = TimeSpan.FromMinutes(2), ManifestPollInterval = TimeSpan.FromMinutes(1) });
        var first = reader.Status.CheckpointId;
        w.Time.Advance(TimeSpan.FromMinutes(5));
        await w.CollectAsync();
        (await w.LatestAsync()).Core.Checkpoints.Should().NotContain(c => c.Id == first, "it expired and was removed");
        await reader.RefreshAsync();
        reader.Status.CheckpointId.Should().NotBe(first!.Value);
        (await w.LatestAsync()).Core.Checkpoints.Should().Contain(c => c.Id == reader.Status.CheckpointId);
        (await reader.GetAsync("a")).Should().Be("1");
    }

    [Fact]
    public async Task Bad_input_is_refused_with_a_clear_error_and_writes_nothing()
    {
        var w = new CheckpointTestWorld();
        var none = () => w.OpenReaderAsync(Follow);
        (await none.Should().ThrowAsync<SlateDbException>()).Which.Kind.Should().Be(SlateDbErrorKind.Invalid);
        var listed = new List<ObjectMetadata>();
        await foreach (var item in w.Store.ListAsync(string.Empty, default))
        {
            listed.Add(item);
        }

        listed.Should().BeEmpty("a reader on a path with no database creates nothing");

        await using var db = await w.OpenWriterAsync();
        var unknown = () => w.OpenReaderAsync(DbReaderOptions.Default with { Mode = DbReaderMode.Checkpoint(Guid.Parse("00000000-0000-4000-8000-000000000002")) });
        (await unknown.Should().ThrowAsync<SlateDbException>()).Which.Kind.Should().Be(SlateDbErrorKind.Invalid);
        (await w.LatestAsync()).Core.Checkpoints.Should().BeEmpty("a refused reader writes no checkpoint");

        var tooShort = () => w.OpenReaderAsync(DbReaderOptions.Default with { CheckpointLifetime = TimeSpan.FromSeconds(15) });
        await tooShort.Should().ThrowAsync<ArgumentOutOfRangeException>("the lifetime must be at least twice the poll interval");

        var reader = await w.OpenReaderAsync(Follow);
        await reader.DisposeAsync();
        var closed = () => reader.GetAsync("a").AsTask();
        (await closed.Should().ThrowAsync<SlateDbException>()).Which.Kind.Should().Be(SlateDbErrorKind.Closed);
    }

    private static async Task CheckAsync(DbReader reader, SortedDictionary<string, string> expected, string because)
    {
        var rows = await ScanAsync(reader.ScanAsync(KeyRange.All));
        rows.Should().Equal(expected.Select(kv => (kv.Key, kv.Value)), because);
        foreach (var (key, value) in expected.Take(5))
        {
            (await reader.GetAsync(key)).Should().Be(value, because);
        }
    }
}
