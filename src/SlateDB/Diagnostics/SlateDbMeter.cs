namespace SlateDB.Diagnostics;

/// <summary>
/// The engine's meter (System.Diagnostics.Metrics). Listen to it by <see cref="Name"/> with a MeterListener,
/// dotnet-counters or OpenTelemetry; its instruments cost nothing while nobody listens.
/// </summary>
/// <remarks>
/// Every measurement is tagged <c>db</c> with the database's name (its path, or the builder's
/// <c>WithTelemetryName</c>), so several databases in one process have separate series. Instruments:
/// <c>slatedb.db.write.batches</c>, <c>.write.rows</c>, <c>.write.bytes</c>, <c>.get.requests</c>,
/// <c>.get.duration</c>, <c>.scan.requests</c>, <c>.scan.duration</c>, <c>.backpressure.waits</c>,
/// <c>.backpressure.stall_time</c>, gauges <c>slatedb.db.l0_sst_count</c>, <c>.sorted_run_count</c>,
/// <c>.memtable.bytes</c>, <c>.unflushed.bytes</c>; <c>slatedb.wal.flushes</c>, <c>.flush.bytes</c>,
/// <c>.flush.duration</c>; <c>slatedb.l0.flushes</c>, <c>.flush.bytes</c>; <c>slatedb.manifest.updates</c>;
/// <c>slatedb.compactor.jobs</c> (by <c>outcome</c>), <c>.bytes_compacted</c>, <c>.output.bytes</c>,
/// <c>.ssts_written</c>, <c>.duration</c>; <c>slatedb.object_store.requests</c>, <c>.bytes</c>,
/// <c>.request.duration</c>, <c>.errors</c>; <c>slatedb.gc.deleted</c>; <c>slatedb.cache.hits</c> and
/// <c>.misses</c> (by <c>kind</c>), <c>.warmed</c>. A meter factory given to the builder (<c>WithMeterFactory</c>) creates the meter;
/// otherwise each database owns a standalone one. Spans: <see cref="SlateDbActivitySource"/>.
/// </remarks>
public static class SlateDbMeter
{
    /// <summary>The meter's name, <c>SlateDB</c>.</summary>
    public const string Name = "SlateDB";
}
