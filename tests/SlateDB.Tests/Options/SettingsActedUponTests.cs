using System.Diagnostics.Metrics;
using Microsoft.Extensions.Time.Testing;
using SlateDB.Compaction;
using SlateDB.Diagnostics;
using SlateDB.Format.Compression;
using SlateDB.GarbageCollection;
using SlateDB.Storage;

namespace SlateDB.Tests.Options;

/// <summary>Settings that used to be kept and not acted upon: each now changes what the engine does.</summary>
[Collection(SlateDB.Tests.Diagnostics.TelemetryCollection.Name)]
public sealed class SettingsActedUponTests
{
    [Fact]
    public void Worker_metric_level_and_gc_settings_are_no_longer_listed_as_not_acted_upon()
    {
        var gc = GarbageCollectorSettingsExtras.Attach(
            new GarbageCollectorOptions(),
            new GarbageCollectorSettingsExtras { DetachEnabled = false, DetachInterval = null, MetricLevel = MetricLevel.Debug, BoundaryFilesEnabled = false });
        var options = SlateDbOptions.Default with
        {
            MetricLevel = MetricLevel.Debug,
            GarbageCollectorOptions = gc,
            CompactorOptions = new CompactorOptions
            {
                MetricLevel = MetricLevel.Debug,
                Worker = new CompactionWorkerOptions
                {
                    MaxConcurrentCompactions = 2,
                    CompactionsPollInterval = TimeSpan.FromSeconds(1),
                    HeartbeatInterval = TimeSpan.FromSeconds(2),
                    BytesToFetch = 65536,
                    MinFilterKeys = 10,
                    CompressionCodec = CompressionCodec.Zstd,
                    MetricLevel = MetricLevel.Debug,
                },
            },
        };

        options.SettingsNotActedUpon().Should().BeEmpty();
    }

    [Fact]
    public void A_worker_executes_with_its_read_size_subcompactions_codec_and_filter_threshold()
    {
        var worker = new CompactionWorkerOptions { BytesToFetch = 65536, MaxSubcompactions = 3, MinFilterKeys = 7, CompressionCodec = CompressionCodec.Lz4 };
        var settings = CompactionWorkerBuilder.ExecutorSettings(worker, new CompactorOptions(), dbOptions: null);
        settings.ReadAheadBytes.Should().Be(65536);
        settings.MaxSubcompactions.Should().Be(3);
        settings.Build!.Codec.Should().Be(BlockCodec.Lz4);
        settings.Build.MinFilterKeys.Should().Be(7);

        // No codec named: the database's when given, else inferred per compaction (with the worker's threshold).
        var fromDb = CompactionWorkerBuilder.ExecutorSettings(worker with { CompressionCodec = null }, new CompactorOptions(), SlateDbOptions.Default with { CompressionCodec = CompressionCodec.Snappy });
        fromDb.Build!.Codec.Should().Be(BlockCodec.Snappy);
        fromDb.Build.MinFilterKeys.Should().Be(7);
        var inferred = CompactionWorkerBuilder.ExecutorSettings(worker with { CompressionCodec = null }, new CompactorOptions(), dbOptions: null);
        inferred.Build.Should().BeNull();
        inferred.InferredMinFilterKeys.Should().Be(7);

        // The embedded worker reads bytes_to_fetch and max_subcompactions too (the database builds its SSTs).
        var embedded = CompactorContext.ExecutorSettingsFor(new CompactorOptions { Worker = worker }, build: null);
        embedded.ReadAheadBytes.Should().Be(65536);
        embedded.MaxSubcompactions.Should().Be(3);
    }

    [Fact]
    public void Metric_levels_inherit_the_database_level_unless_set()
    {
        MetricLevels.From(SlateDbOptions.Default).Should().Be(MetricLevels.Default);
        var gc = GarbageCollectorSettingsExtras.Attach(new GarbageCollectorOptions(), new GarbageCollectorSettingsExtras { MetricLevel = MetricLevel.Info });
        var levels = MetricLevels.From(SlateDbOptions.Default with { MetricLevel = MetricLevel.Debug, GarbageCollectorOptions = gc, CompactorOptions = new CompactorOptions() });
        levels.Should().Be(new MetricLevels(MetricLevel.Debug, MetricLevel.Debug, MetricLevel.Info));
    }

    [Theory]
    [InlineData(MetricLevel.Info, MetricLevel.Info, MetricLevel.Info)]
    [InlineData(MetricLevel.Debug, MetricLevel.Info, MetricLevel.Info)]
    [InlineData(MetricLevel.Info, MetricLevel.Debug, MetricLevel.Info)]
    [InlineData(MetricLevel.Info, MetricLevel.Info, MetricLevel.Debug)]
    public void A_debug_metric_is_recorded_only_where_the_level_is_debug(MetricLevel db, MetricLevel compactor, MetricLevel gc)
    {
        var name = $"levels/{db}/{compactor}/{gc}";
        var seen = new HashSet<string>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == SlateDbMeter.Name)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        void Seen(Instrument instrument, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            foreach (var tag in tags)
            {
                if (tag.Key == SlateDbMetrics.DbTag && (tag.Value as string) == name)
                {
                    lock (seen)
                    {
                        seen.Add(instrument.Name);
                    }
                }
            }
        }

        listener.SetMeasurementEventCallback<long>((instrument, _, tags, _) => Seen(instrument, tags));
        listener.SetMeasurementEventCallback<double>((instrument, _, tags, _) => Seen(instrument, tags));
        listener.Start();

        using var metrics = new SlateDbMetrics(meterFactory: null, name, new MetricLevels(db, compactor, gc));
        metrics.Gets.Add(1);
        metrics.GetDuration.Record(0.001);
        metrics.ScanDuration.Record(0.001);
        metrics.CompactionFinished(true, 10, 10, 1, TimeSpan.FromSeconds(1));
        metrics.CompactionRanges(2, 1);
        metrics.GcDeletedObjects.Add(1);
        metrics.GcCandidates.Add(1);

        // Info metrics always; Debug ones at Debug only.
        seen.Should().Contain(["slatedb.db.get.requests", "slatedb.compactor.bytes_compacted", "slatedb.gc.deleted"]);
        seen.Contains("slatedb.db.get.duration").Should().Be(db == MetricLevel.Debug);
        seen.Contains("slatedb.db.scan.duration").Should().Be(db == MetricLevel.Debug);
        seen.Contains("slatedb.compactor.subcompactions").Should().Be(compactor == MetricLevel.Debug);
        seen.Contains("slatedb.gc.candidates").Should().Be(gc == MetricLevel.Debug);
        metrics.GetDuration.Enabled.Should().Be(db == MetricLevel.Debug);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Boundary_files_are_advanced_only_when_enabled(bool enabled)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero));
        var store = new InMemoryObjectStore(time);
        await using (var db = await SlateDb.Builder("db", store).WithOptions(SlateDbOptions.Default with { FlushInterval = null, CompactorOptions = null, GarbageCollectorOptions = null }).WithTimeProvider(time).OpenAsync())
        {
            for (var i = 0; i < 4; i++)
            {
                await db.PutAsync($"k{i}", "v");
                await db.FlushAsync(new FlushOptions { FlushType = FlushType.MemTable });
            }
        }

        time.Advance(TimeSpan.FromHours(1));
        var quick = new GarbageCollectorDirectoryOptions { MinAge = TimeSpan.FromMinutes(1), Interval = null };
        var options = GarbageCollectorSettingsExtras.Attach(
            new GarbageCollectorOptions { ManifestOptions = quick, WalOptions = null, WalFenceOptions = null, CompactedOptions = null, CompactionsOptions = null },
            new GarbageCollectorSettingsExtras { BoundaryFilesEnabled = enabled });
        await using (var collector = await GarbageCollector.StartAsync("db", store, options, time))
        {
            var summary = await collector.RunOnceAsync();
            summary.For(GarbageKind.Manifest)!.Deleted.Should().BePositive();
        }

        (await store.HeadAsync("db/gc/manifest.boundary", CancellationToken.None) is not null).Should().Be(enabled);
    }
}
