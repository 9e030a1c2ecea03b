using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace SlateDB.Diagnostics;

/// <summary>
/// The engine's instruments on the <see cref="SlateDbMeter.Name"/> meter (System.Diagnostics.Metrics), one set per
/// database, every measurement tagged <c>db</c> with the database's name (its path unless the builder was given
/// another), so two databases in one process have separate series. They cost nothing while nobody listens.
/// Internal: users listen by the meter's name; the instruments are listed on <see cref="SlateDbMeter"/>.
/// </summary>
internal sealed class SlateDbMetrics : IDisposable
{
    /// <summary>The meter's name (<see cref="SlateDbMeter.Name"/>).</summary>
    public const string MeterName = SlateDbMeter.Name;

    /// <summary>The tag naming the database on every measurement.</summary>
    public const string DbTag = "db";

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly KeyValuePair<string, object?>? _db;
    private readonly GaugeSet _gaugeSet;
    private volatile IDbGaugeSource? _gauges;

    private readonly MetricLevels _levels;
    private MetricLevel _area;

    /// <summary>
    /// Creates the instruments; <paramref name="dbName"/> null leaves measurements without a <c>db</c> tag. An
    /// instrument whose level is below its component's configured level (<paramref name="levels"/>; default: all
    /// <see cref="MetricLevel.Info"/>) is not created and records nothing (SlateDB RFC-0021's level gate).
    /// </summary>
    internal SlateDbMetrics(IMeterFactory? meterFactory, string? dbName = null, MetricLevels? levels = null)
    {
        _levels = levels ?? MetricLevels.Default;
        if (meterFactory is null)
        {
            _meter = new Meter(MeterName);
            _ownsMeter = true;
        }
        else
        {
            _meter = meterFactory.Create(MeterName);
        }

        DbName = dbName;
        _db = dbName is null ? null : new KeyValuePair<string, object?>(DbTag, dbName);

        _area = _levels.Db;

        // slatedb.db.*: SlateDB's db_stats (write_ops, write_batch_count, request_count, backpressure_count, ...).
        WriteBatches = Counter("slatedb.db.write.batches", "{batch}", "Write batches committed.");
        WriteRows = Counter("slatedb.db.write.rows", "{row}", "Rows (puts and deletes) committed.");
        WriteBytes = Counter("slatedb.db.write.bytes", "By", "Key and value bytes committed.");
        Gets = Counter("slatedb.db.get.requests", "{request}", "Point reads served.");
        GetDuration = Histogram("slatedb.db.get.duration", "s", "Point read latency (metric level Debug).", MetricLevel.Debug);
        Scans = Counter("slatedb.db.scan.requests", "{request}", "Scans and iterators opened.");
        ScanDuration = Histogram("slatedb.db.scan.duration", "s", "Scan latency, from opening the iterator to disposing it (metric level Debug).", MetricLevel.Debug);
        BackpressureWaits = Counter("slatedb.db.backpressure.waits", "{wait}", "Writes that waited for flushes to free memory or L0 slots.");
        BackpressureStallTime = DoubleCounter("slatedb.db.backpressure.stall_time", "s", "Time writers spent held by backpressure, summed over writers.");

        // wal, l0 flushes, manifest.
        WalFlushes = Counter("slatedb.wal.flushes", "{object}", "WAL objects written.");
        WalFlushBytes = Counter("slatedb.wal.flush.bytes", "By", "Bytes of WAL objects written.");
        WalFlushDuration = Histogram("slatedb.wal.flush.duration", "s", "Time to write one WAL object.");
        L0Flushes = Counter("slatedb.l0.flushes", "{sst}", "Memtables flushed to L0 SSTs.");
        L0FlushBytes = Counter("slatedb.l0.flush.bytes", "By", "Bytes of L0 SSTs written.");
        ManifestUpdates = Counter("slatedb.manifest.updates", "{update}", "Manifest versions written.");

        // compactor: SlateDB's compactor stats (bytes_compacted, ssts_written, ...), at the compactor's (or worker's) level.
        _area = _levels.Compactor;
        CompactionJobs = Counter("slatedb.compactor.jobs", "{job}", "Compactions finished, by outcome (completed, failed).");
        CompactionBytes = Counter("slatedb.compactor.bytes_compacted", "By", "Bytes read by completed compactions.");
        CompactionOutputBytes = Counter("slatedb.compactor.output.bytes", "By", "Bytes written by completed compactions.");
        CompactionSsts = Counter("slatedb.compactor.ssts_written", "{sst}", "SSTs written by completed compactions.");
        CompactionDuration = Histogram("slatedb.compactor.duration", "s", "How long a completed compaction ran.");
        CompactionSubcompactions = Counter(
            "slatedb.compactor.subcompactions", "{range}", "Key ranges (subcompactions) completed compactions ran, by resumed (true: taken up from recorded progress) (metric level Debug).", MetricLevel.Debug);
        _area = _levels.Db;

        // object_store: SlateDB's instrumented object store (request_count, error_count, request_duration_seconds).
        ObjectStoreRequests = Counter("slatedb.object_store.requests", "{request}", "Object-store requests, by operation.");
        ObjectStoreBytes = Counter("slatedb.object_store.bytes", "By", "Object-store bytes moved, by operation.");
        ObjectStoreDuration = Histogram("slatedb.object_store.request.duration", "s", "Object-store request latency, by operation.");
        ObjectStoreErrors = Counter("slatedb.object_store.errors", "{error}", "Object-store requests that failed, by operation.");

        // gc (at the collector's level) and cache.
        _area = _levels.Gc;
        GcDeletedObjects = Counter("slatedb.gc.deleted", "{object}", "Objects deleted by the garbage collector, by kind (manifest, wal, compacted, compactions).");
        GcCandidates = Counter("slatedb.gc.candidates", "{object}", "Obsolete objects a collector task found, by kind, dry runs included (metric level Debug).", MetricLevel.Debug);
        _area = _levels.Db;
        CacheHits = Counter("slatedb.cache.hits", "{lookup}", "Block-cache lookups that found the entry, by kind (data_block, metadata).");
        CacheMisses = Counter("slatedb.cache.misses", "{lookup}", "Block-cache lookups that missed, by kind (data_block, metadata).");
        CacheWarmedBlocks = Counter("slatedb.cache.warmed", "{block}", "Data blocks read into the block cache by its warming (SlateDbOptions.WarmCacheOnRandomReads), cached ones included.");

        // Gauges, read from each open database's memory when observed: one set per meter, over all its databases.
        _gaugeSet = GaugeSet.For(_meter);
    }

    /// <summary>The database's name on the <c>db</c> tag; null when measurements carry none.</summary>
    internal string? DbName { get; }

    internal DbCounter<long> WriteBatches { get; }

    internal DbCounter<long> WriteRows { get; }

    internal DbCounter<long> WriteBytes { get; }

    internal DbCounter<long> Gets { get; }

    internal DbHistogram GetDuration { get; }

    internal DbCounter<long> Scans { get; }

    internal DbHistogram ScanDuration { get; }

    internal DbCounter<long> BackpressureWaits { get; }

    internal DbCounter<double> BackpressureStallTime { get; }

    internal DbCounter<long> WalFlushes { get; }

    internal DbCounter<long> WalFlushBytes { get; }

    internal DbHistogram WalFlushDuration { get; }

    internal DbCounter<long> L0Flushes { get; }

    internal DbCounter<long> L0FlushBytes { get; }

    internal DbCounter<long> ManifestUpdates { get; }

    internal DbCounter<long> CompactionJobs { get; }

    internal DbCounter<long> CompactionBytes { get; }

    internal DbCounter<long> CompactionOutputBytes { get; }

    internal DbCounter<long> CompactionSsts { get; }

    internal DbHistogram CompactionDuration { get; }

    internal DbCounter<long> ObjectStoreRequests { get; }

    internal DbCounter<long> ObjectStoreBytes { get; }

    internal DbHistogram ObjectStoreDuration { get; }

    internal DbCounter<long> ObjectStoreErrors { get; }

    internal DbCounter<long> GcDeletedObjects { get; }

    internal DbCounter<long> GcCandidates { get; }

    internal DbCounter<long> CompactionSubcompactions { get; }

    internal DbCounter<long> CacheHits { get; }

    internal DbCounter<long> CacheMisses { get; }

    internal DbCounter<long> CacheWarmedBlocks { get; }

    /// <summary>Lets the gauges read this database (an open writer); until then they report nothing.</summary>
    internal void ObserveDatabase(IDbGaugeSource source)
    {
        _gauges = source;
        _gaugeSet.Add(this);
    }

    /// <summary>Stops the gauges reading the database (it closed).</summary>
    internal void StopObserving()
    {
        _gauges = null;
        _gaugeSet.Remove(this);
    }

    /// <summary>Records a finished compaction; <paramref name="workerId"/> tags a compaction worker's measurements.</summary>
    internal void CompactionFinished(bool completed, long inputBytes, long outputBytes, int ssts, TimeSpan duration, string? workerId = null)
    {
        var tags = workerId is null ? default : new TagList { { "worker", workerId } };
        var outcome = tags;
        outcome.Add("outcome", completed ? "completed" : "failed");
        CompactionJobs.Add(1, outcome);
        if (completed)
        {
            CompactionBytes.Add(inputBytes, tags);
            CompactionOutputBytes.Add(outputBytes, tags);
            CompactionSsts.Add(ssts, tags);
            CompactionDuration.Record(duration.TotalSeconds, tags);
        }
    }

    /// <summary>Records the key ranges a completed compaction ran and how many of them resumed recorded progress.</summary>
    internal void CompactionRanges(int ranges, int resumed, string? workerId = null)
    {
        var fresh = workerId is null ? default : new TagList { { "worker", workerId } };
        var taken = fresh;
        fresh.Add("resumed", false);
        taken.Add("resumed", true);
        if (ranges - resumed > 0)
        {
            CompactionSubcompactions.Add(ranges - resumed, fresh);
        }

        if (resumed > 0)
        {
            CompactionSubcompactions.Add(resumed, taken);
        }
    }

    internal static TagList OperationTag(string operation) => new() { { "operation", operation } };

    /// <summary>Disposes the meter when this object created it (no meter factory was given).</summary>
    public void Dispose()
    {
        StopObserving();
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }

    /// <summary>Whether an instrument of <paramref name="level"/> is recorded in the current component (at or above its level).</summary>
    private bool On(MetricLevel level) => level >= _area;

    private DbCounter<long> Counter(string name, string unit, string description, MetricLevel level = MetricLevel.Info) =>
        new(On(level) ? _meter.CreateCounter<long>(name, unit, description) : null, _db);

    private DbCounter<double> DoubleCounter(string name, string unit, string description, MetricLevel level = MetricLevel.Info) =>
        new(On(level) ? _meter.CreateCounter<double>(name, unit, description) : null, _db);

    private DbHistogram Histogram(string name, string unit, string description, MetricLevel level = MetricLevel.Info) =>
        new(On(level) ? _meter.CreateHistogram<double>(name, unit, description) : null, _db);

    /// <summary>
    /// The gauges of one meter. A meter factory hands every database the same meter, and an observable instrument
    /// created per database would outlive it there; so each meter gets the gauges once, and they report every
    /// database observed through it, each with its own <c>db</c> tag.
    /// </summary>
    private sealed class GaugeSet
    {
        private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<Meter, GaugeSet> s_sets = new();
        private readonly Lock _lock = new();
        private SlateDbMetrics[] _members = [];

        private GaugeSet(Meter meter)
        {
            meter.CreateObservableGauge("slatedb.db.l0_sst_count", () => Observe(g => g.L0SstCount), "{sst}", "L0 SSTs in the manifest.");
            meter.CreateObservableGauge("slatedb.db.sorted_run_count", () => Observe(g => g.SortedRunCount), "{run}", "Sorted runs in the manifest.");
            meter.CreateObservableGauge("slatedb.db.memtable.bytes", () => Observe(g => g.MemtableBytes), "By", "Estimated bytes in the active memtable.");
            meter.CreateObservableGauge("slatedb.db.unflushed.bytes", () => Observe(g => g.UnflushedBytes), "By", "Bytes in memory not yet in L0 (WAL buffer and memtables); writers wait above MaxUnflushedBytes.");
        }

        public static GaugeSet For(Meter meter) => s_sets.GetValue(meter, static m => new GaugeSet(m));

        public void Add(SlateDbMetrics member)
        {
            lock (_lock)
            {
                if (Array.IndexOf(_members, member) < 0)
                {
                    _members = [.. _members, member];
                }
            }
        }

        public void Remove(SlateDbMetrics member)
        {
            lock (_lock)
            {
                _members = [.. _members.Where(m => m != member)];
            }
        }

        private List<Measurement<long>> Observe(Func<IDbGaugeSource, long> read)
        {
            var measurements = new List<Measurement<long>>();
            foreach (var member in Volatile.Read(ref _members))
            {
                if (member._gauges is { } source)
                {
                    var value = read(source);
                    measurements.Add(member._db is { } tag ? new Measurement<long>(value, tag) : new Measurement<long>(value));
                }
            }

            return measurements;
        }
    }
}
