using System.Diagnostics.Metrics;

namespace SlateDB.WalBench;

/// <summary>Counts WAL writes (objects, or local-WAL records: one fsync each) from the engine's <c>slatedb.wal.flushes</c> counter.</summary>
internal sealed class WalWriteCounter : IDisposable
{
    private readonly MeterListener _listener = new();
    private long _count;

    public WalWriteCounter()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "SlateDB" && instrument.Name == "slatedb.wal.flushes")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref _count, value));
        _listener.Start();
    }

    public long Count => Interlocked.Read(ref _count);

    public void Dispose() => _listener.Dispose();
}
