using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using SlateDB.Tests.Storage.Decorators;

namespace SlateDB.Tests.Options;

/// <summary>
/// SlateDB v0.15 settings files: every key loads, unknown keys are reported (or rejected when strict), keys kept but not
/// acted upon are logged when not at their default, and <see cref="SlateDbOptions.ToJson"/> writes SlateDB's JSON back.
/// </summary>
public sealed class SettingsV015Tests
{
    /// <summary>
    /// SlateDB v0.15's default <c>Settings</c> as its <c>to_json_string</c> writes them, every key present.
    /// </summary>
    private const string FullV015Json = """
    {
      "flush_interval": "100ms",
      "wal_enabled": true,
      "manifest_poll_interval": "1s",
      "manifest_update_timeout": "300s",
      "min_filter_keys": 1000,
      "l0_sst_size_bytes": 67108864,
      "l0_max_ssts": 8,
      "l0_max_ssts_per_key": 8,
      "l0_flush_parallelism": 4,
      "max_wal_flushes_before_l0_flush": 4096,
      "max_unflushed_bytes": 1073741824,
      "compactor_options": {
        "poll_interval": "5s",
        "manifest_update_timeout": "300s",
        "max_concurrent_compactions": 4,
        "enable_trivial_move": false,
        "scheduler_options": {},
        "worker": {
          "max_concurrent_compactions": 4,
          "compactions_poll_interval": "5s",
          "heartbeat_interval": "10s",
          "max_sst_size": 268435456,
          "max_fetch_tasks": 4,
          "bytes_to_fetch": 2097152,
          "max_subcompactions": 4,
          "min_filter_keys": 1000,
          "compression_codec": null,
          "metric_level": null
        },
        "metric_level": null,
        "commit_compacted_interval": "1s",
        "worker_heartbeat_timeout": "30s",
        "object_store_max_retries": null
      },
      "compression_codec": null,
      "object_store_cache_options": {
        "root_folder": null,
        "max_cache_size_bytes": 17179869184,
        "part_size_bytes": 4194304,
        "cache_on_flush": false,
        "cache_on_compaction": false,
        "preload_disk_cache_on_startup": null,
        "scan_interval": "3600s",
        "max_open_file_handles": 1000
      },
      "garbage_collector_options": {
        "manifest_options": { "interval": "600s", "min_age": "300s", "dry_run": false },
        "wal_options": { "interval": "600s", "min_age": "300s", "dry_run": false },
        "wal_fence_options": { "interval": "600s", "min_age": "300s", "dry_run": true },
        "compacted_options": { "interval": "600s", "min_age": "300s", "dry_run": false },
        "compactions_options": { "interval": "600s", "min_age": "300s", "dry_run": false },
        "detach_options": { "interval": "600s" },
        "metric_level": null,
        "boundary_files_enabled": true,
        "object_store_max_retries": null
      },
      "metric_level": "Info",
      "default_ttl": null,
      "object_store_max_retries": null
    }
    """;

    [Fact]
    public void A_full_v015_settings_file_loads_with_no_warning_as_the_defaults()
    {
        var logger = new ListLogger();

        var o = SlateDbOptions.FromJson(FullV015Json, logger);

        logger.Entries.Should().BeEmpty();
        o.Should().Be(SlateDbOptions.Default);
        o.CompactorOptions!.Worker!.CompactionsPollInterval.Should().Be(TimeSpan.FromSeconds(5));
        o.CompactorOptions.MaxSstSize.Should().Be(256L << 20);
        o.GarbageCollectorOptions!.WalFenceOptions!.DryRun.Should().BeTrue();
        o.SettingsNotActedUpon().Should().BeEmpty();
        SlateDbOptions.FromJson(FullV015Json, strict: true).Should().Be(o);
        o.Validate();
    }

    [Fact]
    public void Every_v015_key_is_read()
    {
        const string json = """
        {
          "l0_max_ssts_per_key": 3,
          "metric_level": "debug",
          "compactor_options": {
            "enable_trivial_move": true,
            "worker": {
              "max_concurrent_compactions": 2, "compactions_poll_interval": "7s", "heartbeat_interval": "3s",
              "max_sst_size": 1048576, "max_fetch_tasks": 6, "bytes_to_fetch": 4096, "max_subcompactions": 1,
              "min_filter_keys": 10, "compression_codec": "Lz4", "metric_level": "Info"
            },
            "metric_level": "Debug", "commit_compacted_interval": "2s", "worker_heartbeat_timeout": "1m",
            "object_store_max_retries": 3
          },
          "object_store_cache_options": { "cache_on_flush": true, "cache_on_compaction": true, "max_open_file_handles": 10 },
          "garbage_collector_options": {
            "wal_fence_options": { "interval": "1m", "min_age": "2m", "dry_run": false },
            "detach_options": null, "metric_level": "Debug", "boundary_files_enabled": false, "object_store_max_retries": 5
          }
        }
        """;

        var o = SlateDbOptions.FromJson(json);

        o.L0MaxSstsPerKey.Should().Be(3);
        o.MetricLevel.Should().Be(MetricLevel.Debug);
        var compactor = o.CompactorOptions!;
        compactor.EnableTrivialMove.Should().BeTrue();
        compactor.MaxSstSize.Should().Be(1048576, "worker.max_sst_size is the compactor's output size");
        compactor.MaxFetchTasks.Should().Be(6);
        compactor.Worker.Should().Be(new CompactionWorkerOptions
        {
            MaxConcurrentCompactions = 2, CompactionsPollInterval = TimeSpan.FromSeconds(7), HeartbeatInterval = TimeSpan.FromSeconds(3),
            BytesToFetch = 4096, MaxSubcompactions = 1, MinFilterKeys = 10, CompressionCodec = CompressionCodec.Lz4, MetricLevel = MetricLevel.Info,
        });
        compactor.MetricLevel.Should().Be(MetricLevel.Debug);
        compactor.CommitCompactedInterval.Should().Be(TimeSpan.FromSeconds(2));
        compactor.WorkerHeartbeatTimeout.Should().Be(TimeSpan.FromMinutes(1));
        compactor.ObjectStoreMaxRetries.Should().Be(3);
        o.ObjectStoreCacheOptions.CacheOnFlush.Should().BeTrue();
        o.ObjectStoreCacheOptions.CacheOnCompaction.Should().BeTrue();
        o.ObjectStoreCacheOptions.MaxOpenFileHandles.Should().Be(10);
        var extras = GarbageCollectorSettingsExtras.Of(o.GarbageCollectorOptions!);
        o.GarbageCollectorOptions!.WalFenceOptions.Should().Be(new GarbageCollectorDirectoryOptions { Interval = TimeSpan.FromMinutes(1), MinAge = TimeSpan.FromMinutes(2), DryRun = false });
        extras.DetachEnabled.Should().BeFalse();
        extras.MetricLevel.Should().Be(MetricLevel.Debug);
        extras.BoundaryFilesEnabled.Should().BeFalse();
        extras.ObjectStoreMaxRetries.Should().Be(5);
        o.Validate();

        var again = SlateDbOptions.FromJson(o.ToJson());
        again.Should().Be(o);
        GarbageCollectorSettingsExtras.Of(again.GarbageCollectorOptions!).Should().Be(extras, "the keys without a property yet round-trip too");
    }

    [Fact]
    public void The_SlateDB_0_12_compactor_keys_still_load_and_worker_keys_win()
    {
        var legacy = SlateDbOptions.FromJson("""{ "compactor_options": { "max_sst_size": 1024, "max_fetch_tasks": 2 } }""");
        legacy.CompactorOptions!.MaxSstSize.Should().Be(1024);
        legacy.CompactorOptions.MaxFetchTasks.Should().Be(2);
        legacy.CompactorOptions.Worker.Should().Be(new CompactionWorkerOptions());

        var both = SlateDbOptions.FromJson("""{ "compactor_options": { "max_sst_size": 1024, "worker": { "max_sst_size": 2048 } } }""");
        both.CompactorOptions!.MaxSstSize.Should().Be(2048);

        var noWorker = SlateDbOptions.FromJson("""{ "compactor_options": { "max_sst_size": 1024, "worker": null } }""");
        noWorker.CompactorOptions!.Worker.Should().BeNull();
        noWorker.CompactorOptions.MaxSstSize.Should().Be(1024);
        SlateDbOptions.FromJson(noWorker.ToJson()).Should().Be(noWorker);
    }

    [Fact]
    public void An_unknown_key_is_logged_by_name_and_rejected_when_strict()
    {
        const string json = """{ "flush_interval": "1s", "flush_intervall": "2s", "compactor_options": { "worker": { "bogus": 1 } } }""";
        var logger = new ListLogger();

        var o = SlateDbOptions.FromJson(json, logger);

        o.FlushInterval.Should().Be(TimeSpan.FromSeconds(1));
        logger.Entries.Should().HaveCount(2).And.OnlyContain(e => e.Level == LogLevel.Warning);
        logger.Entries.Select(e => e.Message).Should().Contain(m => m.Contains("'flush_intervall'"))
            .And.Contain(m => m.Contains("'compactor_options.worker.bogus'"));

        var strict = () => SlateDbOptions.FromJson(json, logger, strict: true);
        strict.Should().Throw<SlateDbException>()
            .Where(e => e.Kind == SlateDbErrorKind.Invalid && e.Message.Contains("flush_intervall") && e.Message.Contains("compactor_options.worker.bogus"));
    }

    [Fact]
    public void A_key_kept_but_not_acted_upon_is_logged_when_not_at_its_default()
    {
        var logger = new ListLogger();

        SlateDbOptions.FromJson(
            """{ "l0_max_ssts_per_key": 4, "object_store_cache_options": { "root_folder": "/tmp/cache" }, "compactor_options": { "enable_trivial_move": true, "worker": null, "object_store_max_retries": 3 } }""",
            logger);

        var messages = logger.Entries.Select(e => e.Message).ToList();
        messages.Should().ContainSingle().Which.Should().Contain(
            "compactor_options.object_store_max_retries = 3", "l0_max_ssts_per_key, enable_trivial_move and worker = null are acted upon; the retries not behind a disk cache");
        logger.Entries.Should().OnlyContain(e => e.Level == LogLevel.Warning);
    }

    [Fact]
    public void Defaults_and_a_non_default_instance_round_trip_through_ToJson()
    {
        SlateDbOptions.FromJson(SlateDbOptions.Default.ToJson()).Should().Be(SlateDbOptions.Default);

        var custom = new SlateDbOptions
        {
            FlushInterval = null,
            WalEnabled = false,
            ManifestPollInterval = TimeSpan.FromMilliseconds(1500),
            ManifestUpdateTimeout = TimeSpan.FromMinutes(2),
            MinFilterKeys = 7,
            FilterBitsPerKey = 12,
            L0SstSizeBytes = 1 << 20,
            L0MaxSsts = 20,
            L0MaxSstsPerKey = 5,
            L0FlushParallelism = 2,
            MaxUnflushedBytes = 1L << 32,
            CompressionCodec = CompressionCodec.Zstd,
            MetricLevel = MetricLevel.Debug,
            DefaultTtl = TimeSpan.FromHours(2),
            ObjectStoreMaxRetries = 9,
            CompactorOptions = new CompactorOptions
            {
                PollInterval = TimeSpan.FromMilliseconds(250),
                MaxSstSize = 1 << 24,
                MaxFetchTasks = 3,
                SchedulerOptions = new Dictionary<string, string> { ["min_compaction_sources"] = "2", ["include_size_threshold"] = "1.5" },
                EnableTrivialMove = true,
                Worker = new CompactionWorkerOptions { HeartbeatInterval = TimeSpan.FromSeconds(4), CompressionCodec = CompressionCodec.Snappy, MetricLevel = MetricLevel.Info },
                MetricLevel = MetricLevel.Info,
                ObjectStoreMaxRetries = 0,
            },
            ObjectStoreCacheOptions = new ObjectStoreCacheOptions
            {
                RootFolder = "/var/cache/slatedb",
                MaxCacheSizeBytes = null,
                PartSizeBytes = 64 * 1024,
                CachePuts = true,
                CacheOnFlush = true,
                PreloadDiskCacheOnStartup = PreloadLevel.AllSst,
                ScanInterval = null,
                MaxOpenFileHandles = 5,
            },
            GarbageCollectorOptions = new GarbageCollectorOptions
            {
                ManifestOptions = null,
                WalOptions = new GarbageCollectorDirectoryOptions { Interval = null, MinAge = TimeSpan.FromSeconds(1), DryRun = true },
            },
        };

        var json = custom.ToJson();
        var again = SlateDbOptions.FromJson(json, strict: true);

        again.Should().Be(custom);
        again.Should().NotBe(SlateDbOptions.Default);
        using var document = JsonDocument.Parse(json);
        document.RootElement.GetProperty("compactor_options").GetProperty("worker").GetProperty("heartbeat_interval").GetString().Should().Be("4s");
        document.RootElement.GetProperty("default_ttl").GetInt64().Should().Be(7_200_000);
        document.RootElement.GetProperty("flush_interval").ValueKind.Should().Be(JsonValueKind.Null);
        document.RootElement.GetProperty("garbage_collector_options").GetProperty("wal_fence_options").GetProperty("dry_run").GetBoolean().Should().BeTrue();
    }

    [Fact]
    public void Configuration_binding_reports_unknown_keys_too()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["FlushInterval"] = "1s",
            ["CompactorOptions:Worker:MaxSstSize"] = "1048576",
            ["CompactorOptions:Wroker:MaxSstSize"] = "2048",
        }).Build();
        var logger = new ListLogger();

        var o = SlateDbOptions.FromConfiguration(configuration, logger);

        o.CompactorOptions!.MaxSstSize.Should().Be(1048576);
        logger.Entries.Should().ContainSingle().Which.Message.Should().Contain("'compactor_options.Wroker'");
    }
}
