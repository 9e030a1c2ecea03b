using System.Diagnostics.Metrics;
using SlateDB.Diagnostics;
using SlateDB.Storage;

namespace SlateDB.Comparison.Ingest;

/// <summary>
/// Ours during ingest: the L0 and sorted-run counts from <see cref="SlateDb.Status"/> (memory only), the bytes put
/// through an <see cref="InstrumentedObjectStore"/> around the local store, and a few engine counters (backpressure
/// stall time, WAL / L0 / compaction bytes, compaction busy time) from the <see cref="SlateDbMeter"/> meter.
/// </summary>
internal sealed class OursIngestProbe : IIngestProbe, IDisposable
{
    /// <summary>The counters listened to, by instrument name (nothing else of the meter is enabled).</summary>
    private static readonly HashSet<string> Listened =
    [
        "slatedb.db.backpressure.stall_time", "slatedb.db.backpressure.waits", "slatedb.wal.flush.bytes", "slatedb.l0.flushes",
        "slatedb.l0.flush.bytes", "slatedb.compactor.bytes_compacted", "slatedb.compactor.output.bytes", "slatedb.compactor.duration",
    ];

    private readonly Func<SlateDb> _db;
    private readonly InstrumentedObjectStore _store;
    private readonly MeterListener _listener = new();
    private readonly Dictionary<string, double> _sums = [];

    public OursIngestProbe(Func<SlateDb> db, InstrumentedObjectStore store, int l0Limit)
    {
        _db = db;
        _store = store;
        L0Limit = l0Limit;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == SlateDbMeter.Name && Listened.Contains(instrument.Name))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<double>((instrument, value, _, _) => Add(instrument.Name, value));
        _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => Add(instrument.Name, value));
        _listener.Start();
    }

    public int? L0Limit { get; }

    public LsmShape? Shape()
    {
        var status = _db().Status;
        return new LsmShape(status.L0SstCount, status.SortedRunCount, status.UnflushedBytes);
    }

    public double? StallSeconds() => Counters().GetValueOrDefault("slatedb.db.backpressure.stall_time");

    public long? StoreBytesWritten() => _store.Stats.BytesWritten;

    public IReadOnlyDictionary<string, double> Counters()
    {
        lock (_sums)
        {
            return new Dictionary<string, double>(_sums);
        }
    }

    public void Dispose() => _listener.Dispose();

    private void Add(string name, double value)
    {
        lock (_sums)
        {
            _sums[name] = _sums.GetValueOrDefault(name) + value;
        }
    }
}
