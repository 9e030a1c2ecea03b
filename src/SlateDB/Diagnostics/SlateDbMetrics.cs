using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace SlateDB.Diagnostics;

/// <summary>
/// The engine's instruments on the <see cref="SlateDbMeter.Name"/> meter (System.Diagnostics.Metrics). They cost
/// nothing while nobody listens. Internal: users listen by the meter's name.
/// </summary>
internal sealed class SlateDbMetrics : IDisposable
{
    /// <summary>The meter's name (<see cref="SlateDbMeter.Name"/>).</summary>
    public const string MeterName = SlateDbMeter.Name;

    private readonly Meter _meter;
    private readonly bool _ownsMeter;

    internal SlateDbMetrics(IMeterFactory? meterFactory)
    {
        if (meterFactory is null)
        {
            _meter = new Meter(MeterName);
            _ownsMeter = true;
        }
        else
        {
            _meter = meterFactory.Create(MeterName);
        }

        WriteBatches = _meter.CreateCounter<long>("slatedb.db.write.batches", "{batch}", "Write batches committed.");
        WriteRows = _meter.CreateCounter<long>("slatedb.db.write.rows", "{row}", "Rows (puts and deletes) committed.");
        WriteBytes = _meter.CreateCounter<long>("slatedb.db.write.bytes", "By", "Key and value bytes committed.");
        Gets = _meter.CreateCounter<long>("slatedb.db.get.requests", "{request}", "Point reads served.");
        WalFlushes = _meter.CreateCounter<long>("slatedb.wal.flushes", "{object}", "WAL objects written.");
        WalFlushBytes = _meter.CreateCounter<long>("slatedb.wal.flush.bytes", "By", "Bytes of WAL objects written.");
        L0Flushes = _meter.CreateCounter<long>("slatedb.l0.flushes", "{sst}", "Memtables flushed to L0 SSTs.");
        L0FlushBytes = _meter.CreateCounter<long>("slatedb.l0.flush.bytes", "By", "Bytes of L0 SSTs written.");
        BackpressureWaits = _meter.CreateCounter<long>("slatedb.db.backpressure.waits", "{wait}", "Writes that waited for flushes to free memory or L0 slots.");
        ManifestUpdates = _meter.CreateCounter<long>("slatedb.manifest.updates", "{update}", "Manifest versions written.");
        ObjectStoreRequests = _meter.CreateCounter<long>("slatedb.object_store.requests", "{request}", "Object-store requests, by operation.");
        ObjectStoreBytes = _meter.CreateCounter<long>("slatedb.object_store.bytes", "By", "Object-store bytes moved, by operation.");
        ObjectStoreDuration = _meter.CreateHistogram<double>("slatedb.object_store.request.duration", "s", "Object-store request latency, by operation.");
        ObjectStoreErrors = _meter.CreateCounter<long>("slatedb.object_store.errors", "{error}", "Object-store requests that failed, by operation.");
        GcDeletedObjects = _meter.CreateCounter<long>("slatedb.gc.deleted", "{object}", "Objects deleted by the garbage collector, by kind (manifest, wal, compacted, compactions).");
    }

    internal Counter<long> WriteBatches { get; }

    internal Counter<long> WriteRows { get; }

    internal Counter<long> WriteBytes { get; }

    internal Counter<long> Gets { get; }

    internal Counter<long> WalFlushes { get; }

    internal Counter<long> WalFlushBytes { get; }

    internal Counter<long> L0Flushes { get; }

    internal Counter<long> L0FlushBytes { get; }

    internal Counter<long> BackpressureWaits { get; }

    internal Counter<long> ManifestUpdates { get; }

    internal Counter<long> ObjectStoreRequests { get; }

    internal Counter<long> ObjectStoreBytes { get; }

    internal Histogram<double> ObjectStoreDuration { get; }

    internal Counter<long> ObjectStoreErrors { get; }

    internal Counter<long> GcDeletedObjects { get; }

    internal static TagList OperationTag(string operation) => new() { { "operation", operation } };

    /// <summary>Disposes the meter when this object created it (no meter factory was given).</summary>
    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }
}
