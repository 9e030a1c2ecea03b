using Microsoft.Extensions.Configuration;

namespace SlateDB.Tests.Options;

public sealed class SlateDbOptionsTests
{
    [Fact]
    public void Defaults_match_SlateDB()
    {
        var o = SlateDbOptions.Default;
        o.FlushInterval.Should().Be(TimeSpan.FromMilliseconds(100));
        o.WalEnabled.Should().BeTrue();
        o.ManifestPollInterval.Should().Be(TimeSpan.FromSeconds(1));
        o.ManifestUpdateTimeout.Should().Be(TimeSpan.FromSeconds(300));
        o.MinFilterKeys.Should().Be(1000);
        o.FilterBitsPerKey.Should().Be(10);
        o.L0SstSizeBytes.Should().Be(64L << 20);
        o.L0MaxSsts.Should().Be(8);
        o.L0FlushParallelism.Should().Be(4);
        o.MaxUnflushedBytes.Should().Be(1L << 30);
        o.CompressionCodec.Should().Be(CompressionCodec.None);
        o.DefaultTtl.Should().BeNull();
        o.CompactorOptions!.PollInterval.Should().Be(TimeSpan.FromSeconds(5));
        o.CompactorOptions.MaxSstSize.Should().Be(256L << 20);
        o.CompactorOptions.MaxConcurrentCompactions.Should().Be(4);
        o.GarbageCollectorOptions!.WalOptions!.Interval.Should().Be(TimeSpan.FromMinutes(10));
        o.GarbageCollectorOptions.WalOptions.MinAge.Should().Be(TimeSpan.FromMinutes(5));
        o.ObjectStoreCacheOptions.RootFolder.Should().BeNull();
        o.ObjectStoreCacheOptions.PartSizeBytes.Should().Be(4L << 20);
        o.Validate();
    }

    [Fact]
    public void Reads_a_SlateDB_settings_file_unchanged()
    {
        // The shape SlateDB documents for its SlateDb.json.
        const string json = """
        {
          "flush_interval": "50ms",
          "manifest_poll_interval": "1s+500ms",
          "manifest_update_timeout": "5m",
          "min_filter_keys": 500,
          "filter_bits_per_key": 12,
          "l0_sst_size_bytes": 1048576,
          "l0_max_ssts": 16,
          "l0_flush_parallelism": 2,
          "max_unflushed_bytes": 536870912,
          "compactor_options": {
            "poll_interval": "2s",
            "manifest_update_timeout": "300s",
            "max_sst_size": 1073741824,
            "max_concurrent_compactions": 2,
            "max_fetch_tasks": 8,
            "scheduler_options": { "min_compaction_sources": "3" }
          },
          "compression_codec": "Zstd",
          "object_store_cache_options": {
            "root_folder": "/tmp/cache",
            "max_cache_size_bytes": 17179869184,
            "part_size_bytes": 4194304,
            "cache_puts": true,
            "preload_disk_cache_on_startup": "L0Sst",
            "scan_interval": "1h"
          },
          "garbage_collector_options": {
            "manifest_options": { "interval": "60s", "min_age": "86400s" },
            "wal_options": null,
            "compacted_options": { "interval": null, "min_age": "10m" },
            "compactions_options": { "interval": "10m", "min_age": "5m" }
          },
          "default_ttl": 60000,
          "some_future_setting": 1
        }
        """;

        var o = SlateDbOptions.FromJson(json);

        o.FlushInterval.Should().Be(TimeSpan.FromMilliseconds(50));
        o.ManifestPollInterval.Should().Be(TimeSpan.FromMilliseconds(1500));
        o.ManifestUpdateTimeout.Should().Be(TimeSpan.FromMinutes(5));
        o.MinFilterKeys.Should().Be(500);
        o.FilterBitsPerKey.Should().Be(12);
        o.L0SstSizeBytes.Should().Be(1048576);
        o.L0MaxSsts.Should().Be(16);
        o.L0FlushParallelism.Should().Be(2);
        o.MaxUnflushedBytes.Should().Be(536870912);
        o.CompactorOptions!.PollInterval.Should().Be(TimeSpan.FromSeconds(2));
        o.CompactorOptions.MaxSstSize.Should().Be(1073741824);
        o.CompactorOptions.MaxConcurrentCompactions.Should().Be(2);
        o.CompactorOptions.MaxFetchTasks.Should().Be(8);
        o.CompactorOptions.SchedulerOptions.Should().Contain("min_compaction_sources", "3");
        o.CompressionCodec.Should().Be(CompressionCodec.Zstd);
        o.ObjectStoreCacheOptions.RootFolder.Should().Be("/tmp/cache");
        o.ObjectStoreCacheOptions.CachePuts.Should().BeTrue();
        o.ObjectStoreCacheOptions.PreloadDiskCacheOnStartup.Should().Be(PreloadLevel.L0Sst);
        o.ObjectStoreCacheOptions.ScanInterval.Should().Be(TimeSpan.FromHours(1));
        o.GarbageCollectorOptions!.ManifestOptions!.MinAge.Should().Be(TimeSpan.FromDays(1));
        o.GarbageCollectorOptions.WalOptions.Should().BeNull();
        o.GarbageCollectorOptions.CompactedOptions!.Interval.Should().BeNull();
        o.GarbageCollectorOptions.CompactedOptions.MinAge.Should().Be(TimeSpan.FromMinutes(10));
        o.DefaultTtl.Should().Be(TimeSpan.FromMinutes(1));
        o.Validate();
    }

    [Fact]
    public void Null_switches_optional_parts_off()
    {
        var o = SlateDbOptions.FromJson("""{ "flush_interval": null, "compactor_options": null, "garbage_collector_options": null, "compression_codec": null }""");

        o.FlushInterval.Should().BeNull();
        o.CompactorOptions.Should().BeNull();
        o.GarbageCollectorOptions.Should().BeNull();
        o.CompressionCodec.Should().Be(CompressionCodec.None);
    }

    [Fact]
    public void Missing_names_keep_their_defaults() =>
        SlateDbOptions.FromJson("{}").Should().BeEquivalentTo(SlateDbOptions.Default);

    [Theory]
    [InlineData(0L)]
    [InlineData(-1L)]
    [InlineData((1L << 30) + 1)]
    public void An_l0_sst_size_outside_1_byte_to_1_GiB_is_invalid(long bytes)
    {
        var act = () => (SlateDbOptions.Default with { L0SstSizeBytes = bytes, MaxUnflushedBytes = long.MaxValue }).Validate();

        act.Should().Throw<SlateDbException>().Where(e => e.Kind == SlateDbErrorKind.Invalid && e.Message.Contains("l0_sst_size_bytes"));
        (SlateDbOptions.Default with { L0SstSizeBytes = 1L << 30, MaxUnflushedBytes = 1L << 31 }).Validate();
    }

    [Fact]
    public void Bad_values_are_all_reported()
    {
        var act = () => SlateDbOptions.FromJson("""{ "flush_interval": "soon", "l0_max_ssts": "many", "compression_codec": "Brotli" }""");

        act.Should().Throw<SlateDbException>()
            .Where(e => e.Kind == SlateDbErrorKind.Invalid)
            .Where(e => e.Message.Contains("flush_interval") && e.Message.Contains("l0_max_ssts") && e.Message.Contains("compression_codec"));
    }

    [Fact]
    public void Malformed_json_is_invalid()
    {
        var act = () => SlateDbOptions.FromJson("{ not json");
        act.Should().Throw<SlateDbException>().Where(e => e.Kind == SlateDbErrorKind.Invalid);
    }

    [Fact]
    public void Binds_from_configuration_in_either_casing()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["SlateDb:FlushInterval"] = "00:00:00.250",
            ["SlateDb:l0_max_ssts"] = "12",
            ["SlateDb:CompressionCodec"] = "lz4",
            ["SlateDb:CompactorOptions:PollInterval"] = "3s",
        }).Build();

        var o = SlateDbOptions.FromConfiguration(configuration.GetSection("SlateDb"));

        o.FlushInterval.Should().Be(TimeSpan.FromMilliseconds(250));
        o.L0MaxSsts.Should().Be(12);
        o.CompressionCodec.Should().Be(CompressionCodec.Lz4);
        o.CompactorOptions!.PollInterval.Should().Be(TimeSpan.FromSeconds(3));
        o.CompactorOptions.MaxSstSize.Should().Be(256L << 20);
    }

    [Fact]
    public void Validate_reports_every_problem()
    {
        var o = SlateDbOptions.Default with { L0FlushParallelism = 0, MaxUnflushedBytes = 10, L0SstSizeBytes = 100, FilterBitsPerKey = 0 };

        var act = o.Validate;

        act.Should().Throw<SlateDbException>().Where(e => e.Kind == SlateDbErrorKind.Invalid
            && e.Message.Contains("l0_flush_parallelism") && e.Message.Contains("max_unflushed_bytes") && e.Message.Contains("filter_bits_per_key"));
    }

    [Theory]
    [InlineData("100ms", 100)]
    [InlineData("5s", 5000)]
    [InlineData("5", 5000)]
    [InlineData("1m", 60000)]
    [InlineData("2h", 7200000)]
    [InlineData("1d", 86400000)]
    [InlineData("1s+500ms", 1500)]
    [InlineData("1m 30s", 90000)]
    [InlineData("00:00:02", 2000)]
    public void Durations_parse(string text, long millis) =>
        DurationText.Parse(text).Should().Be(TimeSpan.FromMilliseconds(millis));

    [Theory]
    [InlineData("")]
    [InlineData("ms")]
    [InlineData("5 parsecs")]
    [InlineData("-5s")]
    public void Bad_durations_throw(string text)
    {
        var act = () => DurationText.Parse(text);
        act.Should().Throw<FormatException>();
    }

    [Theory]
    [InlineData(100, "100ms")]
    [InlineData(5000, "5s")]
    [InlineData(1500, "1s+500ms")]
    public void Durations_format_as_SlateDB_writes_them(long millis, string text)
    {
        DurationText.Format(TimeSpan.FromMilliseconds(millis)).Should().Be(text);
        DurationText.Parse(text).Should().Be(TimeSpan.FromMilliseconds(millis));
    }
}
