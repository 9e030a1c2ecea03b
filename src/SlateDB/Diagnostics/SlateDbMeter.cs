namespace SlateDB.Diagnostics;

/// <summary>
/// The engine's meter (System.Diagnostics.Metrics). Listen to it by <see cref="Name"/> with a MeterListener,
/// dotnet-counters or OpenTelemetry; its instruments cost nothing while nobody listens.
/// </summary>
/// <remarks>
/// Instruments: <c>slatedb.db.write.batches</c>, <c>slatedb.db.write.rows</c>, <c>slatedb.db.write.bytes</c>,
/// <c>slatedb.db.get.requests</c>, <c>slatedb.wal.flushes</c>, <c>slatedb.wal.flush.bytes</c>, <c>slatedb.l0.flushes</c>,
/// <c>slatedb.l0.flush.bytes</c>, <c>slatedb.db.backpressure.waits</c>, <c>slatedb.manifest.updates</c>,
/// <c>slatedb.object_store.requests</c>, <c>slatedb.object_store.bytes</c>, <c>slatedb.object_store.request.duration</c>,
/// <c>slatedb.object_store.errors</c> and <c>slatedb.gc.deleted</c>. A meter factory given to the builder
/// (<c>WithMeterFactory</c>) creates the meter; otherwise each database owns a standalone one.
/// </remarks>
public static class SlateDbMeter
{
    /// <summary>The meter's name, <c>SlateDB</c>.</summary>
    public const string Name = "SlateDB";
}
