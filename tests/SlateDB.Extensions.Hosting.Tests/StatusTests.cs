using SlateDB.Storage;

namespace SlateDB.Extensions.Hosting.Tests;

public sealed class StatusTests
{
    private static readonly WriteOptions NoWait = new() { AwaitDurable = false };

    [Fact]
    public async Task OpenDatabaseReportsOpenWithItsWatermarksManifestAndEpoch()
    {
        var store = new InMemoryObjectStore();
        await using var db = await SlateDb.OpenAsync("db", store, new SlateDbOptions { FlushInterval = null });

        var opened = db.Status;
        opened.State.Should().Be(DbOpenState.Open);
        opened.CloseReason.Should().Be(CloseReason.None);
        opened.WriterEpoch.Should().BeGreaterThan(0);
        opened.ManifestId.Should().BeGreaterThan(0);
        opened.WritersHeldByBackpressure.Should().BeFalse();

        await db.PutAsync("k1", "v1", writeOptions: NoWait);
        await db.PutAsync("k2", "v2", writeOptions: NoWait);
        var written = db.Status;
        written.CommittedSequence.Should().Be(opened.CommittedSequence + 2);
        written.DurableSequence.Should().Be(opened.DurableSequence, "nothing was flushed (flush_interval is off)");
        written.UnflushedBytes.Should().BeGreaterThan(opened.UnflushedBytes);

        await db.FlushAsync();
        db.Status.DurableSequence.Should().Be(written.CommittedSequence);
    }

    [Fact]
    public async Task MemtableFlushShowsAnL0SstAndEmptiesTheUnflushedBytes()
    {
        await using var db = await SlateDb.OpenAsync("db", new InMemoryObjectStore(), new SlateDbOptions { FlushInterval = null });
        await db.PutAsync("k", "v", writeOptions: NoWait);
        var before = db.Status;
        before.L0SstCount.Should().Be(0);
        before.SortedRunCount.Should().Be(0);

        await db.FlushAsync(new FlushOptions { FlushType = FlushType.MemTable });

        var after = db.Status;
        after.L0SstCount.Should().Be(1);
        after.UnflushedBytes.Should().BeLessThan(before.UnflushedBytes);
        after.ManifestId.Should().BeGreaterThan(before.ManifestId, "the L0 flush wrote a manifest version");
    }

    [Fact]
    public async Task CloseReportsClosedWithTheCleanReason()
    {
        var db = await SlateDb.OpenAsync("db", new InMemoryObjectStore());
        await db.CloseAsync();

        var status = db.Status;
        status.State.Should().Be(DbOpenState.Closed);
        status.CloseReason.Should().Be(CloseReason.Clean);
    }

    [Fact]
    public async Task ASecondWriterFencesTheFirst()
    {
        var store = new InMemoryObjectStore();
        var options = new SlateDbOptions { ManifestPollInterval = TimeSpan.FromMilliseconds(20) };
        await using var first = await SlateDb.OpenAsync("db", store, options);
        var firstEpoch = first.Status.WriterEpoch;

        await using var second = await SlateDb.OpenAsync("db", store, options);

        second.Status.WriterEpoch.Should().BeGreaterThan(firstEpoch);
        (await Eventually.HoldsAsync(() => first.Status.State == DbOpenState.Fenced)).Should().BeTrue("the first writer's manifest poll sees the newer epoch");
        first.Status.CloseReason.Should().Be(CloseReason.Fenced);
        second.Status.State.Should().Be(DbOpenState.Open);
    }

    [Fact]
    public async Task WritersHeldByBackpressureAreReportedUntilTheFlushCatchesUp()
    {
        var store = new L0GatedStore(new InMemoryObjectStore());
        var options = new SlateDbOptions { L0SstSizeBytes = 1024, MaxUnflushedBytes = 4096 };
        await using var db = await SlateDb.OpenAsync("db", store, options);
        store.HoldL0 = true;

        var value = new string('x', 512);
        ValueTask<WriteHandle> held = default;
        var heldFound = false;
        for (var i = 0; i < 200 && !heldFound; i++)
        {
            held = db.PutAsync($"key{i:D4}", value, writeOptions: NoWait);
            heldFound = !held.IsCompleted;
        }

        heldFound.Should().BeTrue("unflushed bytes reach max_unflushed_bytes while L0 writes are held");
        (await Eventually.HoldsAsync(() => db.Status.WritersHeldByBackpressure)).Should().BeTrue();
        db.Status.UnflushedBytes.Should().BeGreaterThanOrEqualTo(options.MaxUnflushedBytes);

        store.HoldL0 = false;
        await held;
        (await Eventually.HoldsAsync(() => !db.Status.WritersHeldByBackpressure)).Should().BeTrue();
        db.Status.State.Should().Be(DbOpenState.Open);
    }
}
