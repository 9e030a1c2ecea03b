using System.Diagnostics.Metrics;

namespace SlateDB.Tests.Engine;

/// <summary>A meter factory of the test's own, so a listener sees only the measurements of the database it opened.</summary>
internal sealed class TestMeterFactory : IMeterFactory
{
    private readonly List<Meter> _meters = [];

    public Meter Create(MeterOptions options)
    {
        var meter = new Meter(options.Name, options.Version, options.Tags, scope: this);
        lock (_meters)
        {
            _meters.Add(meter);
        }

        return meter;
    }

    /// <summary>Sums the long measurements of the named instrument on this factory's meters.</summary>
    public CounterListener Listen(string instrumentName) => new(this, instrumentName);

    public void Dispose()
    {
        lock (_meters)
        {
            _meters.ForEach(m => m.Dispose());
        }
    }

    internal sealed class CounterListener : IDisposable
    {
        private readonly MeterListener _listener = new();
        private long _total;

        public CounterListener(TestMeterFactory factory, string instrumentName)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Scope == factory && instrument.Name == instrumentName)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref _total, value));
            _listener.Start();
        }

        public long Total => Interlocked.Read(ref _total);

        public void Dispose() => _listener.Dispose();
    }
}
