using System.Buffers.Binary;
using SlateDB.Common;
using SlateDB.Compaction;
using CompactionsCodec = SlateDB.Manifest.Codec.CompactionsCodec;
using SlateDB.Manifest;
using SlateDB.Manifest.Codec;
using SlateDB.Storage;
using static SlateDB.Tests.Compaction.CompactionTestKit;

namespace SlateDB.Tests.Compaction;

/// <summary>The compactor against a real database: claiming, committing, fencing, resuming, requests.</summary>
public sealed class CompactorTests
{
    private static readonly SlateDbOptions WriterOptions = SlateDbOptions.Default with
    {
        FlushInterval = null,
        CompactorOptions = null,
        GarbageCollectorOptions = null,
        MinFilterKeys = 1,
    };

    private static readonly FlushOptions MemTable = new() { FlushType = FlushType.MemTable };

    private static Task<Compactor> StartAsync(IObjectStore store, CompactorOptions? options = null, int seed = 7) =>
        Compactor.Builder("db", store).WithOptions(options ?? new CompactorOptions()).WithSeed(seed).WithPollingDisabled().StartAsync();

    private static async Task<(ulong Id, DbManifest Manifest)> ManifestAsync(IObjectStore store) =>
        (await new ManifestStore(store, new DbPaths("db")).ReadLatestAsync(CancellationToken.None))!.Value;

    private static async Task<(ulong Id, byte[] Bytes, CompactionsState State)> CompactionsAsync(IObjectStore store)
    {
        var versions = new VersionedObjectStore(store, "db/compactions", "compactions");
        var latest = (await versions.ReadLatestAsync(CancellationToken.None))!.Value;
        return (latest.Id, latest.Bytes.ToArray(), CompactionsCodec.Decode(latest.Bytes, "c"));
    }

    /// <summary>Writes <paramref name="flushes"/> L0 SSTs of <paramref name="keysPerFlush"/> keys each (later flushes overwrite).</summary>
    private static async Task WriteL0Async(SlateDb db, int flushes, int keysPerFlush, string tag = "v")
    {
        for (var f = 0; f < flushes; f++)
        {
            var batch = new WriteBatch();
            for (var i = 0; i < keysPerFlush; i++)
            {
                batch.Put(B(Key(i * flushes + f)), B($"{tag}{f}"));
                batch.Put(B(Key(i)), B($"{tag}{f}"));
            }

            await db.WriteAsync(batch);
            await db.FlushAsync(MemTable);
        }
    }

    [Fact]
    public async Task A_standalone_compactor_merges_L0_into_a_sorted_run_the_writer_then_reads()
    {
        var store = new InMemoryObjectStore();
        await using var db = await SlateDb.OpenAsync("db", store, WriterOptions);
        await WriteL0Async(db, flushes: 4, keysPerFlush: 200);
        var before = (await ManifestAsync(store)).Manifest;
        before.Core.Tree.L0.Should().HaveCount(4);

        await using var compactor = await StartAsync(store);
        var results = await compactor.RunOnceAsync();

        results.Should().ContainSingle();
        results[0].Plan.Inputs.Should().HaveCount(4).And.OnlyContain(input => !input.IsSortedRun);
        results[0].Plan.Destination.Should().Be(0);
        results[0].RowsWritten.Should().BeLessThan(results[0].RowsRead, "overwritten versions are dropped");
        var (manifestId, after) = await ManifestAsync(store);
        after.CompactorEpoch.Should().Be(compactor.Epoch).And.Be(1);
        after.Core.Tree.L0.Should().BeEmpty();
        after.Core.Tree.Compacted.Should().ContainSingle().Which.Id.Should().Be(0);
        after.Core.Tree.LastCompactedL0SstId.Should().Be(before.Core.Tree.L0[0].Sst.Id.CompactedId);
        after.Core.LastL0Seq.Should().Be(before.Core.LastL0Seq);
        after.Core.Checkpoints.Should().ContainSingle().Which.ManifestId.Should().Be(manifestId - 1, "the version that still names the inputs is pinned");

        var (_, bytes, state) = await CompactionsAsync(store);
        BinaryPrimitives.ReadUInt16BigEndian(bytes).Should().Be(1, "SlateDB 0.12.1 reads version 1 only");
        state.CompactorEpoch.Should().Be(1);
        var record = state.Compactions.Should().ContainSingle().Subject;
        record.Status.Should().Be(CompactionStatus.Completed);
        record.Id.ToString().Should().Be(results[0].Id);
        record.OutputSsts.Should().Equal(after.Core.Tree.Compacted[0].Views.Select(view => view.Sst));

        await db.RefreshManifestAsync(CancellationToken.None);
        for (var i = 0; i < 800; i++)
        {
            var expected = i < 200 ? "v3" : $"v{i % 4}";
            (await db.GetAsync(Key(i))).Should().Be(expected, Key(i));
        }

        (await compactor.RunOnceAsync()).Should().BeEmpty("nothing is left to compact");
    }

    [Fact]
    public async Task A_newer_compactor_fences_the_older_one()
    {
        var store = new InMemoryObjectStore();
        await using var db = await SlateDb.OpenAsync("db", store, WriterOptions);
        await WriteL0Async(db, flushes: 4, keysPerFlush: 50);
        await using var first = await StartAsync(store, seed: 1);
        await using var second = await StartAsync(store, seed: 2);
        second.Epoch.Should().Be(first.Epoch + 1);
        var manifestsBefore = (await ManifestAsync(store)).Id;
        var compactionsBefore = (await CompactionsAsync(store)).Id;

        var act = () => first.RunOnceAsync();
        (await act.Should().ThrowAsync<SlateDbException>()).Which.CloseReason.Should().Be(CloseReason.Fenced);
        first.IsFenced.Should().BeTrue();
        (await ManifestAsync(store)).Id.Should().Be(manifestsBefore, "a fenced compactor writes nothing");
        (await CompactionsAsync(store)).Id.Should().Be(compactionsBefore);

        (await second.RunOnceAsync()).Should().ContainSingle();
        await FluentActions.Awaiting(() => first.CompactFullAsync()).Should().ThrowAsync<SlateDbException>();
    }

    [Fact]
    public async Task A_compaction_left_running_by_a_dead_compactor_is_redone()
    {
        var store = new InMemoryObjectStore();
        await using var db = await SlateDb.OpenAsync("db", store, WriterOptions);
        await WriteL0Async(db, flushes: 5, keysPerFlush: 50);
        var tree = (await ManifestAsync(store)).Manifest.Core.Tree;

        // A compactor claimed epoch 1, recorded a compaction of the 4 oldest L0 views, wrote part of its output and died.
        await using (var dead = await StartAsync(store, seed: 3))
        {
        }

        var plan = new CompactionPlan([.. tree.L0.Skip(1).Select(view => CompactionInput.L0View(view.Id.ToString()))], 0);
        var deadId = Ulid.FromParts(1, 0, 99);
        var versions = new VersionedObjectStore(store, "db/compactions", "compactions");
        var latest = await CompactionsAsync(store);
        var running = new CompactionRecord(deadId, CompactionRules.ToSpec(plan), CompactionStatus.Running, [], null, null);
        (await versions.TryCreateAsync(latest.Id + 1, CompactionsCodec.Encode(new CompactionsState(1, [running]), 1), CancellationToken.None)).Should().BeTrue();
        var orphan = "db/compacted/" + Ulid.FromParts(2, 0, 1) + ".sst";
        await store.PutAsync(orphan, new byte[] { 1, 2, 3 }, PutMode.Create, CancellationToken.None);

        await using var next = await StartAsync(store, seed: 4);
        var results = await next.RunOnceAsync();

        results.Should().ContainSingle().Which.Id.Should().Be(deadId.ToString());
        results[0].Plan.Should().Be(plan);
        var after = (await ManifestAsync(store)).Manifest.Core.Tree;
        after.L0.Should().Equal(tree.L0[0]);
        after.Compacted.Should().ContainSingle();
        after.AllViews.Should().NotContain(view => view.Sst.Id.CompactedId.ToString() == Ulid.FromParts(2, 0, 1).ToString());
        (await CompactionsAsync(store)).State.Compactions.Should().ContainSingle().Which.Status.Should().Be(CompactionStatus.Completed);
    }

    [Fact]
    public async Task A_record_whose_commit_landed_before_the_crash_is_dropped()
    {
        var store = new InMemoryObjectStore();
        await using var db = await SlateDb.OpenAsync("db", store, WriterOptions);
        await WriteL0Async(db, flushes: 4, keysPerFlush: 50);
        CompactionPlan plan;
        await using (var first = await StartAsync(store, seed: 5))
        {
            plan = (await first.RunOnceAsync()).Single().Plan;
        }

        // Make it look as if the first compactor died between its manifest commit and its record update.
        var versions = new VersionedObjectStore(store, "db/compactions", "compactions");
        var latest = await CompactionsAsync(store);
        var stale = latest.State.Compactions.Single() with { Status = CompactionStatus.Running, OutputSsts = [] };
        await versions.TryCreateAsync(latest.Id + 1, CompactionsCodec.Encode(latest.State with { Compactions = [stale] }, 1), CancellationToken.None);
        var manifestBefore = await ManifestAsync(store);

        await using var second = await StartAsync(store, seed: 6);
        (await second.RunOnceAsync()).Should().BeEmpty();

        (await CompactionsAsync(store)).State.Compactions.Should().ContainSingle().Which.Status.Should().Be(CompactionStatus.Failed);
        var manifestAfter = (await ManifestAsync(store)).Manifest;
        manifestAfter.Core.Tree.Should().Be(manifestBefore.Manifest.Core.Tree, "the dropped record changes nothing");
        plan.Inputs.Should().HaveCount(4);
    }

    [Fact]
    public async Task Full_compaction_drops_deleted_keys_and_keeps_the_rest()
    {
        var store = new InMemoryObjectStore();
        await using var db = await SlateDb.OpenAsync("db", store, WriterOptions);
        await WriteL0Async(db, flushes: 6, keysPerFlush: 100);
        await using (var compactor = await StartAsync(store))
        {
            (await compactor.RunOnceAsync()).Should().ContainSingle();
            for (var i = 0; i < 600; i += 3)
            {
                await db.DeleteAsync(B(Key(i)));
            }

            await db.FlushAsync(MemTable);
            var result = await compactor.CompactFullAsync();
            result.Should().NotBeNull();
            result!.Plan.Inputs.Should().HaveCount(2, "the L0 view of the deletes and the sorted run of the six first");
            result.Plan.Destination.Should().Be(0);
            result.RowsWritten.Should().Be(400);
            (await compactor.CompactFullAsync()).Should().NotBeNull("a single run is compacted again on request");
        }

        var tree = (await ManifestAsync(store)).Manifest.Core.Tree;
        tree.L0.Should().BeEmpty();
        tree.Compacted.Should().ContainSingle();
        await db.RefreshManifestAsync(CancellationToken.None);
        for (var i = 0; i < 600; i++)
        {
            var value = await db.GetAsync(Key(i));
            if (i % 3 == 0)
            {
                value.Should().BeNull(Key(i));
            }
            else
            {
                value.Should().NotBeNull(Key(i));
            }
        }
    }

    [Fact]
    public async Task Requests_that_break_the_rules_are_refused()
    {
        var store = new InMemoryObjectStore();
        await using var db = await SlateDb.OpenAsync("db", store, WriterOptions);
        await WriteL0Async(db, flushes: 3, keysPerFlush: 10);
        var tree = (await ManifestAsync(store)).Manifest.Core.Tree;
        await using var compactor = await StartAsync(store);
        var newestOnly = new CompactionPlan([CompactionInput.L0View(tree.L0[0].Id.ToString())], 0);
        var act = () => compactor.SubmitAsync(CompactionRequest.ForPlan(newestOnly));
        (await act.Should().ThrowAsync<SlateDbException>()).Which.Kind.Should().Be(SlateDbErrorKind.Invalid);
        (await compactor.SubmitAsync(CompactionRequest.AllSortedRuns)).Should().BeNull("there is no sorted run yet");

        var oldestTwo = new CompactionPlan([.. tree.L0.Skip(1).Select(view => CompactionInput.L0View(view.Id.ToString()))], 0);
        var result = await compactor.SubmitAsync(CompactionRequest.ForPlan(oldestTwo));
        result!.Plan.Should().Be(oldestTwo);
        (await ManifestAsync(store)).Manifest.Core.Tree.L0.Should().Equal(tree.L0[0]);
    }

    [Fact]
    public async Task There_must_be_a_database_to_compact()
    {
        var act = () => Compactor.StartAsync("nothing", new InMemoryObjectStore());
        (await act.Should().ThrowAsync<SlateDbException>()).Which.Kind.Should().Be(SlateDbErrorKind.Invalid);
    }

    [Fact]
    public async Task The_embedded_compactor_keeps_L0_small_and_the_writer_up_to_date()
    {
        var store = new InMemoryObjectStore();
        var options = WriterOptions with
        {
            CompactorOptions = new CompactorOptions { PollInterval = TimeSpan.FromMilliseconds(20) },
            L0SstSizeBytes = 16 * 1024,
        };
        await using var db = await SlateDb.OpenAsync("db", store, options);
        for (var round = 0; round < 40; round++)
        {
            var batch = new WriteBatch();
            for (var i = 0; i < 500; i++)
            {
                batch.Put(B(Key((round * 500) + i)), B($"r{round}"));
            }

            await db.WriteAsync(batch);
        }

        await db.FlushAsync(MemTable);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        DbManifest manifest;
        do
        {
            await Task.Delay(50);
            manifest = (await ManifestAsync(store)).Manifest;
        }
        while (manifest.Core.Tree.L0.Count >= 4 && DateTime.UtcNow < deadline);

        manifest.CompactorEpoch.Should().Be(1);
        manifest.Core.Tree.L0.Count.Should().BeLessThan(4);
        manifest.Core.Tree.Compacted.Should().NotBeEmpty();
        for (var i = 0; i < 20_000; i += 97)
        {
            (await db.GetAsync(Key(i))).Should().Be($"r{i / 500}");
        }

        var result = await db.CompactFullAsync();
        result.Should().NotBeNull();
        result!.RowsWritten.Should().Be(20_000);
        var full = (await ManifestAsync(store)).Manifest.Core.Tree;
        full.L0.Should().BeEmpty();
        full.Compacted.Should().ContainSingle();
    }

    [Fact]
    public async Task Without_an_embedded_compactor_full_compaction_is_refused()
    {
        await using var db = await SlateDb.OpenAsync("db", new InMemoryObjectStore(), WriterOptions);
        var act = () => db.CompactFullAsync();
        (await act.Should().ThrowAsync<SlateDbException>()).Which.Kind.Should().Be(SlateDbErrorKind.Invalid);
    }

    [Fact]
    public async Task A_standalone_compactor_takes_over_from_the_embedded_one()
    {
        var store = new InMemoryObjectStore();
        var options = WriterOptions with { CompactorOptions = new CompactorOptions { PollInterval = TimeSpan.FromMilliseconds(20) } };
        await using var db = await SlateDb.OpenAsync("db", store, options);
        (await db.CompactFullAsync()).Should().BeNull("the embedded compactor runs, but there is nothing to compact");
        await using var standalone = await StartAsync(store);
        standalone.Epoch.Should().Be(2);
        await WriteL0Async(db, flushes: 4, keysPerFlush: 50);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                await db.CompactFullAsync();
            }
            catch (SlateDbException e) when (e.Kind == SlateDbErrorKind.Invalid || e.CloseReason == CloseReason.Fenced)
            {
                break;
            }

            await Task.Delay(20);
        }

        var act = () => db.CompactFullAsync();
        (await act.Should().ThrowAsync<SlateDbException>()).Which.Kind.Should().Be(SlateDbErrorKind.Invalid, "the embedded compactor was fenced");
        (await ManifestAsync(store)).Manifest.Core.Tree.L0.Should().HaveCount(4, "the fenced compactor compacted nothing");
        (await standalone.RunOnceAsync()).Should().ContainSingle();
        await db.PutAsync("still", "writable");
        (await db.GetAsync("still")).Should().Be("writable");
    }

    [Fact]
    public async Task Versions_an_open_snapshot_reads_survive_compaction()
    {
        var store = new InMemoryObjectStore();
        await using var db = await SlateDb.OpenAsync("db", store, WriterOptions);
        await db.PutAsync("a", "old");
        await db.PutAsync("b", "old");
        await db.FlushAsync(MemTable);
        await using var snapshot = db.Snapshot();
        for (var i = 0; i < 4; i++)
        {
            await db.PutAsync("a", $"new{i}");
            await db.DeleteAsync("b");
            await db.FlushAsync(MemTable);
        }

        var manifest = (await ManifestAsync(store)).Manifest;
        manifest.Core.RecentSnapshotMinSeq.Should().Be((ulong)snapshot.Sequence, "the writer records the snapshot for compaction");
        await using var compactor = await StartAsync(store);
        var result = (await compactor.CompactFullAsync())!;
        result.RowsWritten.Should().Be(10, "every version above the snapshot's sequence stays, plus the one it reads, for both keys");

        await db.RefreshManifestAsync(CancellationToken.None);
        (await snapshot.GetAsync(B("a"))).Should().Equal(B("old"));
        (await snapshot.GetAsync(B("b"))).Should().Equal(B("old"));
        (await db.GetAsync("a")).Should().Be("new3");
        (await db.GetAsync("b")).Should().BeNull();
    }

    [Fact]
    public async Task Rows_expire_at_the_clock_tick_of_the_newest_L0()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000));
        var store = new InMemoryObjectStore(time);
        await using var db = await SlateDb.Builder("db", store).WithOptions(WriterOptions).WithTimeProvider(time).OpenAsync();
        await db.PutAsync(B("short"), B("x"), new PutOptions { Ttl = Ttl.ExpireAfter(TimeSpan.FromSeconds(5)) });
        await db.PutAsync(B("long"), B("x"), new PutOptions { Ttl = Ttl.ExpireAfter(TimeSpan.FromHours(1)) });
        await db.PutAsync(B("forever"), B("x"));
        await db.FlushAsync(MemTable);
        time.Advance(TimeSpan.FromSeconds(10));
        await db.PutAsync("tick", "moves the L0 clock");
        await db.FlushAsync(MemTable);

        await using var compactor = Compactor.Builder("db", store).WithTimeProvider(time).WithPollingDisabled().StartAsync() is var starting ? await starting : null!;
        var result = (await compactor.CompactFullAsync())!;
        result.RowsRead.Should().Be(4);
        result.RowsWritten.Should().Be(3, "the expired row became a tombstone, dropped in the last run");
        var rows = await new CompactionTestKit().ReadAsyncFrom(store, (await ManifestAsync(store)).Manifest.Core.Tree.Compacted.Single());
        rows.Select(row => S(row.Key)).Should().Equal("forever", "long", "tick");
    }

    [Fact]
    public async Task Bad_scheduler_options_fail_the_open()
    {
        var options = WriterOptions with { CompactorOptions = new CompactorOptions { SchedulerOptions = new Dictionary<string, string> { ["min_compaction_sources"] = "x" } } };
        var act = () => SlateDb.OpenAsync("db", new InMemoryObjectStore(), options);
        (await act.Should().ThrowAsync<SlateDbException>()).Which.Kind.Should().Be(SlateDbErrorKind.Invalid);
    }
}
