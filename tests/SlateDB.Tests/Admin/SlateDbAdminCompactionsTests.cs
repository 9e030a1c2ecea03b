using SlateDB.Compaction;
using SlateDB.Storage;
using static SlateDB.Tests.Compaction.CompactionTestKit;

namespace SlateDB.Tests.Admin;

/// <summary>SlateDbAdmin over <c>.compactions</c>: reading versions and records, listing, and submitting to a running compactor.</summary>
public sealed class SlateDbAdminCompactionsTests
{
    private static readonly SlateDbOptions WriterOptions = SlateDbOptions.Default with
    {
        FlushInterval = null,
        CompactorOptions = null,
        GarbageCollectorOptions = null,
    };

    private static async Task WriteL0Async(SlateDb db, int flushes, int keys)
    {
        for (var f = 0; f < flushes; f++)
        {
            var batch = new WriteBatch();
            for (var i = 0; i < keys; i++)
            {
                batch.Put(B(Key(i)), B($"v{f}"));
            }

            await db.WriteAsync(batch);
            await db.FlushAsync(new FlushOptions { FlushType = FlushType.MemTable });
        }
    }

    [Fact]
    public async Task Without_a_compactor_there_is_no_state_and_a_submission_is_refused()
    {
        var store = new InMemoryObjectStore();
        await using var db = await SlateDb.OpenAsync("db", store, WriterOptions);
        await WriteL0Async(db, 1, 10);
        var admin = SlateDbAdmin.For("db", store);

        (await admin.ReadCompactionsAsync()).Should().BeNull();
        (await admin.ReadCompactionsAsync(1)).Should().BeNull();
        (await admin.ListCompactionsAsync()).Should().BeEmpty();
        var submit = () => admin.SubmitCompactionAsync(CompactionRequest.Full);
        (await submit.Should().ThrowAsync<SlateDbException>()).Which.Kind.Should().Be(SlateDbErrorKind.Invalid);
        var badId = () => admin.ReadCompactionAsync("not-a-ulid");
        await badId.Should().ThrowAsync<ArgumentException>();
    }

    [Fact]
    public async Task A_submitted_compaction_is_recorded_in_version_1_then_run_by_the_compactor_and_read_back_completed()
    {
        var store = new InMemoryObjectStore();
        await using var db = await SlateDb.OpenAsync("db", store, WriterOptions);
        await WriteL0Async(db, flushes: 3, keys: 50);
        await using var compactor = await Compactor.Builder("db", store).WithSeed(3).WithPollingDisabled().StartAsync();
        var admin = SlateDbAdmin.For("db", store, seed: 9);

        var claimed = (await admin.ReadCompactionsAsync())!;
        claimed.FormatVersion.Should().Be(1, "without workers the file stays readable by SlateDB 0.12.1");
        claimed.CompactorEpoch.Should().Be(compactor.Epoch);
        claimed.Compactions.Should().BeEmpty();

        var submitted = (await admin.SubmitCompactionAsync(CompactionRequest.Full))!;
        submitted.Status.Should().Be(CompactionJobStatus.Submitted);
        submitted.Kind.Should().Be(CompactionKind.Tiered);
        submitted.Sources.Should().HaveCount(3).And.OnlyContain(source => !source.IsSortedRun);
        submitted.Destination.Should().BeNull("version 1 stores no destination for an L0-only compaction");
        submitted.WorkerId.Should().BeNull();
        var afterSubmit = (await admin.ReadCompactionsAsync())!;
        afterSubmit.Id.Should().Be(claimed.Id + 1);
        afterSubmit.FormatVersion.Should().Be(1);
        afterSubmit.CompactorEpoch.Should().Be(compactor.Epoch, "the admin never claims an epoch");
        (await admin.ReadCompactionAsync(submitted.Id))!.Status.Should().Be(CompactionJobStatus.Submitted);

        var results = await compactor.RunOnceAsync();
        results.Select(result => result.Id).Should().Equal(submitted.Id);
        var done = (await admin.ReadCompactionAsync(submitted.Id))!;
        done.Status.Should().Be(CompactionJobStatus.Completed);
        done.OutputSstIds.Should().NotBeEmpty();
        done.OutputBytes.Should().BeGreaterThan(0);
        (await admin.ReadCompactionAsync(submitted.Id, afterSubmit.Id))!.Status.Should().Be(CompactionJobStatus.Submitted, "older versions are still readable");
        (await admin.ReadManifestAsync()).SortedRuns.Should().ContainSingle().Which.Ssts.Select(sst => sst.Id).Should().Equal(done.OutputSstIds);

        var all = await admin.ListCompactionsAsync();
        all.Select(version => version.Id).Should().BeInAscendingOrder().And.Contain([claimed.Id, afterSubmit.Id]);
        (await admin.ListCompactionsAsync(start: afterSubmit.Id, end: afterSubmit.Id + 1)).Should().ContainSingle().Which.Id.Should().Be(afterSubmit.Id);
        (await db.GetAsync(B(Key(7)))).Should().NotBeNull();
    }

    [Fact]
    public async Task A_plan_that_breaks_the_tree_rules_is_refused_and_nothing_is_written()
    {
        var store = new InMemoryObjectStore();
        await using var db = await SlateDb.OpenAsync("db", store, WriterOptions);
        await WriteL0Async(db, flushes: 3, keys: 20);
        await using var compactor = await Compactor.Builder("db", store).WithSeed(3).WithPollingDisabled().StartAsync();
        var admin = SlateDbAdmin.For("db", store);
        var before = (await admin.ReadCompactionsAsync())!.Id;
        var manifest = await admin.ReadManifestAsync();

        // The newest L0 view alone leaves older ones below it: not allowed.
        var plan = new CompactionPlan([CompactionInput.L0View(manifest.L0[0].Id)], 5);
        var submit = () => admin.SubmitCompactionAsync(CompactionRequest.ForPlan(plan));
        (await submit.Should().ThrowAsync<SlateDbException>()).Which.Kind.Should().Be(SlateDbErrorKind.Invalid);
        (await admin.ReadCompactionsAsync())!.Id.Should().Be(before);
    }
}
