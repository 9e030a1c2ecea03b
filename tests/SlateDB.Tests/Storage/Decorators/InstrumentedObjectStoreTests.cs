using System.Diagnostics.Metrics;
using Microsoft.Extensions.Time.Testing;
using SlateDB.Diagnostics;
using SlateDB.Storage;

namespace SlateDB.Tests.Storage.Decorators;

public sealed class InstrumentedObjectStoreTests
{
    [Fact]
    public async Task Counts_and_bytes_are_exact_for_a_scripted_sequence()
    {
        var memory = new TestMemoryStore();
        using var store = new InstrumentedObjectStore(memory);

        var created = await store.PutAsync("a", new byte[100], PutMode.Create, default);
        await store.PutAsync("a", new byte[7], PutMode.Create, default); // conflict: bytes still sent
        await store.PutAsync("b", new byte[50], PutMode.Overwrite, default);
        await store.PutAsync("a", new byte[30], PutMode.Update(created.Version!), default);
        await store.PutAsync("a", new byte[1], PutMode.Update("stale"), default); // version mismatch
        (await store.GetAsync("a", default))!.Data.Length.Should().Be(30);
        (await store.GetAsync("missing", default)).Should().BeNull();
        (await store.GetRangeAsync("b", new ByteRange(10, 15), default))!.Data.Length.Should().Be(15);
        (await store.GetRangeAsync("b", new ByteRange(45, 15), default))!.Data.Length.Should().Be(5);
        (await store.HeadAsync("b", default))!.Size.Should().Be(50);
        await store.DeleteAsync("b", default);
        await store.DeleteAsync("b", default);
        var listed = 0;
        await foreach (var _ in store.ListAsync("", default))
        {
            listed++;
        }

        listed.Should().Be(1);

        store.Stats.Should().Be(new ObjectStoreStats(
            Gets: 2,
            RangeGets: 2,
            Heads: 1,
            OverwritePuts: 1,
            CreatePuts: 2,
            UpdatePuts: 2,
            PutConflicts: 2,
            Deletes: 2,
            Lists: 1,
            Errors: 0,
            BytesRead: 30 + 15 + 5,
            BytesWritten: 100 + 7 + 50 + 30 + 1));
        store.Stats.Puts.Should().Be(5);
        store.Stats.Requests.Should().Be(13);

        store.ResetStats();
        store.Stats.Should().Be(new ObjectStoreStats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
    }

    [Fact]
    public async Task Failures_count_as_requests_and_errors()
    {
        var scripted = new ScriptedStore(new TestMemoryStore())
            .FailBefore(2, () => new SlateDbException(SlateDbErrorKind.Unavailable, "down"))
            .Pass()
            .FailBefore(1, () => new IOException("reset"));
        using var store = new InstrumentedObjectStore(scripted);

        await store.Invoking(s => s.GetAsync("a", default).AsTask()).Should().ThrowAsync<SlateDbException>();
        await store.Invoking(s => s.PutAsync("a", new byte[3], PutMode.Create, default).AsTask()).Should().ThrowAsync<SlateDbException>();
        (await store.PutAsync("a", new byte[3], PutMode.Create, default)).IsWritten.Should().BeTrue();
        var listing = async () =>
        {
            await foreach (var _ in store.ListAsync("", default))
            {
            }
        };
        await listing.Should().ThrowAsync<IOException>();

        var stats = store.Stats;
        stats.Gets.Should().Be(1);
        stats.CreatePuts.Should().Be(2);
        stats.Lists.Should().Be(1);
        stats.Errors.Should().Be(3);
        stats.BytesWritten.Should().Be(3, "a put that threw is not counted as bytes written");
    }

    [Fact]
    public async Task A_meter_listener_sees_the_instruments_with_their_tags()
    {
        using var meterFactory = new TestMeterFactory();
        var clock = new FakeTimeProvider();
        var slow = new SlowStore(new TestMemoryStore(), clock, TimeSpan.FromMilliseconds(250));
        using var store = new InstrumentedObjectStore(slow, meterFactory, clock);
        var measurements = new List<(string Instrument, double Value, Dictionary<string, object?> Tags)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            // Only our factory's meter: other tests may publish SlateDB meters at the same time.
            if (instrument.Meter.Scope == meterFactory)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((i, value, tags, _) => Record(i.Name, value, tags));
        listener.SetMeasurementEventCallback<double>((i, value, tags, _) => Record(i.Name, value, tags));
        listener.Start();

        void Record(string name, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            lock (measurements)
            {
                measurements.Add((name, value, tags.ToArray().ToDictionary(t => t.Key, t => t.Value)));
            }
        }

        await store.PutAsync("a", new byte[40], PutMode.Create, default);
        await store.PutAsync("a", new byte[40], PutMode.Create, default);
        await store.GetRangeAsync("a", new ByteRange(0, 10), default);
        slow.Fail = true;
        await store.Invoking(s => s.HeadAsync("a", default).AsTask()).Should().ThrowAsync<SlateDbException>();

        measurements.Should().ContainSingle(m => m.Instrument == "slatedb.object_store.requests" && Equals(m.Tags["operation"], "put")
            && Equals(m.Tags["mode"], "create") && Equals(m.Tags["outcome"], "written"));
        measurements.Should().ContainSingle(m => m.Instrument == "slatedb.object_store.requests" && Equals(m.Tags["operation"], "put")
            && Equals(m.Tags["outcome"], "already_exists"));
        measurements.Where(m => m.Instrument == "slatedb.object_store.bytes").Select(m => (m.Tags["operation"], m.Value))
            .Should().Equal(("put", 40.0), ("put", 40.0), ("get_range", 10.0));
        var durations = measurements.Where(m => m.Instrument == "slatedb.object_store.request.duration").ToList();
        durations.Select(m => m.Tags["operation"]).Should().Equal("put", "put", "get_range", "head");
        durations.Should().OnlyContain(m => Math.Abs(m.Value - 0.25) < 1e-9, "each request took 250 ms on the fake clock");
        var error = measurements.Should().ContainSingle(m => m.Instrument == "slatedb.object_store.errors").Subject;
        error.Tags["operation"].Should().Be("head");
        error.Tags["error.type"].Should().Be("unavailable");
        measurements.Should().ContainSingle(m => m.Instrument == "slatedb.object_store.requests" && Equals(m.Tags["operation"], "head"));
        meterFactory.Meters.Should().ContainSingle().Which.Name.Should().Be(SlateDbMeter.Name);
    }

    [Fact]
    public async Task An_engine_metrics_object_can_be_shared()
    {
        using var meterFactory = new TestMeterFactory();
        using var metrics = new SlateDbMetrics(meterFactory);
        using var first = new InstrumentedObjectStore(new TestMemoryStore(), metrics);
        using var second = new InstrumentedObjectStore(new TestMemoryStore(), metrics);
        var operations = new List<object?>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Scope == meterFactory && instrument.Name == "slatedb.object_store.requests")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, _, tags, _) => operations.Add(tags.ToArray().Single(t => t.Key == "operation").Value));
        listener.Start();

        await first.HeadAsync("x", default);
        await second.HeadAsync("x", default);
        first.Dispose(); // it does not own the metrics: the instruments keep working
        await second.DeleteAsync("x", default);

        operations.Should().Equal("head", "head", "delete");
        first.Stats.Heads.Should().Be(1);
        second.Stats.Requests.Should().Be(2);
    }

    private sealed class TestMeterFactory : IMeterFactory
    {
        private readonly List<Meter> _meters = [];

        public IReadOnlyList<Meter> Meters => _meters;

        public Meter Create(MeterOptions options)
        {
            var meter = new Meter(new MeterOptions(options.Name) { Version = options.Version, Tags = options.Tags, Scope = this });
            _meters.Add(meter);
            return meter;
        }

        public void Dispose()
        {
            foreach (var meter in _meters)
            {
                meter.Dispose();
            }
        }
    }

    /// <summary>Takes a fixed time on a fake clock per request by advancing it; fails heads when told to.</summary>
    private sealed class SlowStore(IObjectStore inner, FakeTimeProvider clock, TimeSpan latency) : IObjectStore
    {
        public bool Fail { get; set; }

        public ValueTask<ObjectContent?> GetAsync(string path, CancellationToken cancellationToken)
        {
            clock.Advance(latency);
            return inner.GetAsync(path, cancellationToken);
        }

        public ValueTask<ObjectContent?> GetRangeAsync(string path, ByteRange range, CancellationToken cancellationToken)
        {
            clock.Advance(latency);
            return inner.GetRangeAsync(path, range, cancellationToken);
        }

        public ValueTask<ObjectMetadata?> HeadAsync(string path, CancellationToken cancellationToken)
        {
            clock.Advance(latency);
            return Fail ? throw new SlateDbException(SlateDbErrorKind.Unavailable, "down") : inner.HeadAsync(path, cancellationToken);
        }

        public ValueTask<PutResult> PutAsync(string path, ReadOnlyMemory<byte> data, PutMode mode, CancellationToken cancellationToken)
        {
            clock.Advance(latency);
            return inner.PutAsync(path, data, mode, cancellationToken);
        }

        public ValueTask DeleteAsync(string path, CancellationToken cancellationToken)
        {
            clock.Advance(latency);
            return inner.DeleteAsync(path, cancellationToken);
        }

        public IAsyncEnumerable<ObjectMetadata> ListAsync(string prefix, CancellationToken cancellationToken) => inner.ListAsync(prefix, cancellationToken);
    }
}
