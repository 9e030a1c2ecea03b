using SlateDB.Storage;
using static SlateDB.Tests.Engine.EngineTestSupport;

namespace SlateDB.Tests.Engine;

/// <summary>The engine's System.Diagnostics.Metrics instruments, seen through a MeterListener.</summary>
public sealed class EngineMetricsTests
{
    [Fact]
    public async Task A_meter_listener_sees_write_batches_and_wal_flushes()
    {
        using var meters = new TestMeterFactory();
        // No periodic WAL flush: only the explicit flushes below write WAL objects.
        await using var db = await SlateDb.Builder("db", new InMemoryObjectStore()).WithOptions(TestOptions() with { FlushInterval = null }).WithMeterFactory(meters).WithSeed(1).OpenAsync();
        using var batches = meters.Listen("slatedb.db.write.batches");
        using var rows = meters.Listen("slatedb.db.write.rows");
        using var walFlushes = meters.Listen("slatedb.wal.flushes");
        using var l0Flushes = meters.Listen("slatedb.l0.flushes");

        await db.PutAsync("a", "1");
        await db.WriteAsync(new WriteBatch().Put("b", "2").Delete("c").Put("d", "4"));
        await db.DeleteAsync("a");
        await db.FlushAsync();
        await db.PutAsync("e", "5");
        await db.FlushAsync();
        await db.FlushAsync(new FlushOptions { FlushType = FlushType.MemTable });

        batches.Total.Should().Be(4);
        rows.Total.Should().Be(6);
        walFlushes.Total.Should().Be(2, "two explicit WAL flushes, each with something to write");
        l0Flushes.Total.Should().Be(1);
    }
}
