using System.Globalization;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace SlateDB;

public sealed partial record SlateDbOptions
{
    /// <summary>
    /// Reads SlateDB's own settings JSON (for example a <c>SlateDb.json</c> written for the Rust engine): snake_case
    /// names, durations as strings such as <c>"100ms"</c>, <c>null</c> to switch an optional part off. Names missing
    /// from the file keep their defaults. Every key of SlateDB v0.15's settings is read; an unknown key is logged as a
    /// warning naming it (or, when <paramref name="strict"/>, rejected), and a key read but not acted upon yet is logged
    /// as a warning when its value is not SlateDB's default (see docs/configuration.md).
    /// </summary>
    /// <param name="json">The settings JSON.</param>
    /// <param name="logger">Where warnings about unknown or not-acted-upon keys go; none are logged when null.</param>
    /// <param name="strict">Reject unknown keys instead of logging them.</param>
    /// <exception cref="SlateDbException">Kind <see cref="SlateDbErrorKind.Invalid"/>: the JSON or a value is not valid, or (strict) a key is unknown.</exception>
    public static SlateDbOptions FromJson(string json, ILogger? logger = null, bool strict = false)
    {
        ArgumentNullException.ThrowIfNull(json);
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        try
        {
            using var document = System.Text.Json.JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != System.Text.Json.JsonValueKind.Object)
            {
                throw new SlateDbException(SlateDbErrorKind.Invalid, "The settings JSON must be an object.");
            }

            Flatten(document.RootElement, prefix: null, values);
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new SlateDbException(SlateDbErrorKind.Invalid, $"The settings are not valid JSON: {e.Message}", e);
        }

        var configuration = new FlatConfiguration(values);
        return FromConfiguration(configuration, logger, strict);
    }

    // JSON null must stay distinguishable from a missing name (null switches a part off), so nulls become empty values.
    private static void Flatten(System.Text.Json.JsonElement element, string? prefix, Dictionary<string, string?> values)
    {
        switch (element.ValueKind)
        {
            case System.Text.Json.JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    Flatten(property.Value, prefix is null ? property.Name : prefix + ":" + property.Name, values);
                }

                break;
            case System.Text.Json.JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    Flatten(item, prefix + ":" + index.ToString(CultureInfo.InvariantCulture), values);
                    index++;
                }

                break;
            case System.Text.Json.JsonValueKind.Null:
                values[prefix!] = string.Empty;
                break;
            case System.Text.Json.JsonValueKind.String:
                values[prefix!] = element.GetString();
                break;
            default:
                values[prefix!] = element.GetRawText();
                break;
        }
    }

    /// <summary>Reads a SlateDB settings JSON file (see <see cref="FromJson"/>).</summary>
    public static SlateDbOptions FromJsonFile(string path, ILogger? logger = null, bool strict = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return FromJson(File.ReadAllText(path), logger, strict);
    }

    /// <summary>
    /// Binds settings from configuration (for example <c>builder.Configuration.GetSection("SlateDb")</c>). Each name may
    /// be given in SlateDB's snake_case (<c>flush_interval</c>) or .NET PascalCase (<c>FlushInterval</c>); durations
    /// take SlateDB's forms (<c>100ms</c>) or <c>hh:mm:ss</c>; an empty value switches an optional part off. Unknown and
    /// not-acted-upon keys are handled as by <see cref="FromJson"/>.
    /// </summary>
    /// <exception cref="SlateDbException">Kind <see cref="SlateDbErrorKind.Invalid"/>, listing every value that is not valid (and, when strict, every unknown key).</exception>
    public static SlateDbOptions FromConfiguration(IConfiguration configuration, ILogger? logger = null, bool strict = false)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var problems = new List<string>();
        var unknown = new List<string>();
        var root = new SettingsReader(configuration, string.Empty, problems, unknown);
        var d = Default;
        var options = new SlateDbOptions
        {
            FlushInterval = root.OptionalDuration("flush_interval", d.FlushInterval),
            WalFlushPolicy = root.EnumValue("wal_flush_policy", d.WalFlushPolicy),
            WalFlushMinInterval = root.Duration("wal_flush_min_interval", d.WalFlushMinInterval),
            WalEnabled = root.Bool("wal_enabled", d.WalEnabled),
            ManifestPollInterval = root.Duration("manifest_poll_interval", d.ManifestPollInterval),
            ManifestUpdateTimeout = root.Duration("manifest_update_timeout", d.ManifestUpdateTimeout),
            MinFilterKeys = root.Int("min_filter_keys", d.MinFilterKeys),
            FilterBitsPerKey = root.Int("filter_bits_per_key", d.FilterBitsPerKey),
            L0SstSizeBytes = root.Long("l0_sst_size_bytes", d.L0SstSizeBytes),
            L0MaxSsts = root.Int("l0_max_ssts", d.L0MaxSsts),
            L0MaxSstsPerKey = root.Int("l0_max_ssts_per_key", d.L0MaxSstsPerKey),
            L0FlushParallelism = root.Int("l0_flush_parallelism", d.L0FlushParallelism),
            MaxWalFlushesBeforeL0Flush = root.Long("max_wal_flushes_before_l0_flush", d.MaxWalFlushesBeforeL0Flush),
            MaxUnflushedBytes = root.Long("max_unflushed_bytes", d.MaxUnflushedBytes),
            MemoryBudgetBytes = root.OptionalLong("memory_budget_bytes", d.MemoryBudgetBytes),
            MaxInFlightReads = root.OptionalInt("max_in_flight_reads", d.MaxInFlightReads),
            CacheBlocksOnFlush = root.Bool("cache_blocks_on_flush", d.CacheBlocksOnFlush),
            WarmCacheOnRandomReads = root.Bool("warm_cache_on_random_reads", d.WarmCacheOnRandomReads),
            CompressionCodec = root.Codec("compression_codec", d.CompressionCodec),
            DefaultTtl = root.OptionalMilliseconds("default_ttl", d.DefaultTtl),
            ObjectStoreMaxRetries = root.OptionalInt("object_store_max_retries", d.ObjectStoreMaxRetries),
            CompactorOptions = root.Optional("compactor_options", d.CompactorOptions, ReadCompactor),
            GarbageCollectorOptions = root.Optional("garbage_collector_options", d.GarbageCollectorOptions, ReadGarbageCollector),
            ObjectStoreCacheOptions = root.Optional("object_store_cache_options", d.ObjectStoreCacheOptions, ReadCache) ?? new ObjectStoreCacheOptions(),
            MetricLevel = root.EnumValue("metric_level", d.MetricLevel),
        };

        root.CollectUnknown();
        if (strict)
        {
            problems.AddRange(unknown.Select(static name => $"{name} is not a known setting."));
        }

        if (problems.Count > 0)
        {
            throw new SlateDbException(SlateDbErrorKind.Invalid, "Invalid settings: " + string.Join(" ", problems));
        }

        if (logger is not null)
        {
            foreach (var name in unknown)
            {
                SettingsLog.UnknownSetting(logger, name);
            }

            foreach (var setting in options.SettingsNotActedUpon())
            {
                SettingsLog.NotActedUpon(logger, setting);
            }
        }

        return options;
    }

    private static CompactorOptions ReadCompactor(SettingsReader r)
    {
        var d = new CompactorOptions();

        // SlateDB 0.12 kept max_sst_size and max_fetch_tasks here; v0.15 moved them into worker, which wins.
        var legacy = new WorkerSettings(d.Worker, r.Long("max_sst_size", d.MaxSstSize), r.Int("max_fetch_tasks", d.MaxFetchTasks));
        var worker = r.Optional("worker", legacy, w => ReadWorker(w, legacy));
        return new CompactorOptions
        {
            PollInterval = r.Duration("poll_interval", d.PollInterval),
            ManifestUpdateTimeout = r.Duration("manifest_update_timeout", d.ManifestUpdateTimeout),
            MaxSstSize = worker?.MaxSstSize ?? legacy.MaxSstSize,
            MaxConcurrentCompactions = r.Int("max_concurrent_compactions", d.MaxConcurrentCompactions),
            MaxFetchTasks = worker?.MaxFetchTasks ?? legacy.MaxFetchTasks,
            SchedulerOptions = r.StringMap("scheduler_options"),
            EnableTrivialMove = r.Bool("enable_trivial_move", d.EnableTrivialMove),
            Worker = worker?.Options,
            MetricLevel = r.OptionalEnum<MetricLevel>("metric_level", d.MetricLevel),
            CommitCompactedInterval = r.Duration("commit_compacted_interval", d.CommitCompactedInterval),
            WorkerHeartbeatTimeout = r.Duration("worker_heartbeat_timeout", d.WorkerHeartbeatTimeout),
            ObjectStoreMaxRetries = r.OptionalInt("object_store_max_retries", d.ObjectStoreMaxRetries),
        };
    }

    private static WorkerSettings ReadWorker(SettingsReader r, WorkerSettings fallback)
    {
        var d = new CompactionWorkerOptions();
        var options = new CompactionWorkerOptions
        {
            MaxConcurrentCompactions = r.Int("max_concurrent_compactions", d.MaxConcurrentCompactions),
            CompactionsPollInterval = r.Duration("compactions_poll_interval", d.CompactionsPollInterval),
            HeartbeatInterval = r.Duration("heartbeat_interval", d.HeartbeatInterval),
            BytesToFetch = r.Long("bytes_to_fetch", d.BytesToFetch),
            MaxSubcompactions = r.Int("max_subcompactions", d.MaxSubcompactions),
            MinFilterKeys = r.Int("min_filter_keys", d.MinFilterKeys),
            CompressionCodec = r.OptionalCodec("compression_codec", d.CompressionCodec),
            MetricLevel = r.OptionalEnum<MetricLevel>("metric_level", d.MetricLevel),
        };
        return new WorkerSettings(options, r.Long("max_sst_size", fallback.MaxSstSize), r.Int("max_fetch_tasks", fallback.MaxFetchTasks));
    }

    /// <summary>The <c>worker</c> section: the worker's own settings and the two the compactor uses.</summary>
    private sealed record WorkerSettings(CompactionWorkerOptions? Options, long MaxSstSize, int MaxFetchTasks);

    private static GarbageCollectorOptions ReadGarbageCollector(SettingsReader r)
    {
        var d = new GarbageCollectorOptions();
        var options = new GarbageCollectorOptions
        {
            ManifestOptions = r.Optional("manifest_options", d.ManifestOptions, ReadGcDirectory),
            WalOptions = r.Optional("wal_options", d.WalOptions, ReadGcDirectory),
            WalFenceOptions = r.Optional("wal_fence_options", d.WalFenceOptions, w => ReadGcDirectory(w, dryRunByDefault: true)),
            CompactedOptions = r.Optional("compacted_options", d.CompactedOptions, ReadGcDirectory),
            CompactionsOptions = r.Optional("compactions_options", d.CompactionsOptions, ReadGcDirectory),
        };
        return GarbageCollectorSettingsExtras.Attach(options, ReadGcExtras(r));
    }

    private static GarbageCollectorSettingsExtras ReadGcExtras(SettingsReader r)
    {
        var d = GarbageCollectorSettingsExtras.Default;
        var detach = r.Optional("detach_options", new DetachSettings(d.DetachInterval), ReadDetach);
        return new GarbageCollectorSettingsExtras
        {
            DetachEnabled = detach is not null,
            DetachInterval = detach?.Interval ?? d.DetachInterval,
            MetricLevel = r.OptionalEnum<MetricLevel>("metric_level", d.MetricLevel),
            BoundaryFilesEnabled = r.Bool("boundary_files_enabled", d.BoundaryFilesEnabled),
            ObjectStoreMaxRetries = r.OptionalInt("object_store_max_retries", d.ObjectStoreMaxRetries),
        };
    }

    private static DetachSettings ReadDetach(SettingsReader r) => new(r.OptionalDuration("interval", GarbageCollectorSettingsExtras.Default.DetachInterval));

    /// <summary>The <c>detach_options</c> section (SlateDB's <c>GarbageCollectorScheduleOptions</c>).</summary>
    private sealed record DetachSettings(TimeSpan? Interval);

    private static GarbageCollectorDirectoryOptions ReadGcDirectory(SettingsReader r) => ReadGcDirectory(r, dryRunByDefault: false);

    private static GarbageCollectorDirectoryOptions ReadGcDirectory(SettingsReader r, bool dryRunByDefault)
    {
        var d = new GarbageCollectorDirectoryOptions { DryRun = dryRunByDefault };
        return new GarbageCollectorDirectoryOptions
        {
            Interval = r.OptionalDuration("interval", d.Interval),
            MinAge = r.Duration("min_age", d.MinAge),
            DryRun = r.Bool("dry_run", d.DryRun),
        };
    }

    private static ObjectStoreCacheOptions ReadCache(SettingsReader r)
    {
        var d = new ObjectStoreCacheOptions();
        return new ObjectStoreCacheOptions
        {
            RootFolder = r.OptionalString("root_folder", d.RootFolder),
            MaxCacheSizeBytes = r.OptionalLong("max_cache_size_bytes", d.MaxCacheSizeBytes),
            PartSizeBytes = r.Long("part_size_bytes", d.PartSizeBytes),
            CachePuts = r.Bool("cache_puts", d.CachePuts),
            PreloadDiskCacheOnStartup = r.OptionalEnum("preload_disk_cache_on_startup", d.PreloadDiskCacheOnStartup),
            ScanInterval = r.OptionalDuration("scan_interval", d.ScanInterval),
            CacheOnFlush = r.Bool("cache_on_flush", d.CacheOnFlush),
            CacheOnCompaction = r.Bool("cache_on_compaction", d.CacheOnCompaction),
            MaxOpenFileHandles = r.Int("max_open_file_handles", d.MaxOpenFileHandles),
        };
    }

    /// <summary>Reads typed values from one configuration section, by snake_case or PascalCase name, collecting problems.</summary>
    private sealed class SettingsReader(IConfiguration configuration, string path, List<string> problems, List<string> unknown)
    {
        /// <summary>The names read from this section (both spellings), to find the unknown ones.</summary>
        private readonly HashSet<string> _known = new(StringComparer.OrdinalIgnoreCase);

        /// <summary>Adds every key of this section that no read asked for to the unknown keys (qualified).</summary>
        public void CollectUnknown()
        {
            foreach (var child in configuration.GetChildren())
            {
                if (!_known.Contains(child.Key))
                {
                    unknown.Add(Qualified(child.Key));
                }
            }
        }

        public T EnumValue<T>(string name, T fallback)
            where T : struct, System.Enum =>
            Read<T?>(name, fallback, static text => System.Enum.TryParse<T>(text, ignoreCase: true, out var v) && System.Enum.IsDefined(v) && !IsBareNumber(text) ? v : null,
                "one of " + string.Join(", ", System.Enum.GetNames<T>()), allowNull: false)!.Value;

        public TimeSpan? OptionalDuration(string name, TimeSpan? fallback) =>
            Read(name, fallback, static text => DurationText.TryParse(text, out var v) ? v : null, "a duration such as '100ms'", allowNull: true);

        public TimeSpan Duration(string name, TimeSpan fallback) =>
            Read<TimeSpan?>(name, fallback, static text => DurationText.TryParse(text, out var v) ? v : null, "a duration such as '100ms'", allowNull: false)!.Value;

        public TimeSpan? OptionalMilliseconds(string name, TimeSpan? fallback) =>
            Read(name, fallback, static text => DurationText.TryParse(text, out var v) && !IsBareNumber(text) ? v
                : long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var ms) ? TimeSpan.FromMilliseconds(ms) : null,
                "milliseconds or a duration", allowNull: true);

        public bool Bool(string name, bool fallback) =>
            Read<bool?>(name, fallback, static text => bool.TryParse(text, out var v) ? v : null, "true or false", allowNull: false)!.Value;

        public int Int(string name, int fallback) =>
            Read<int?>(name, fallback, static text => int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) ? v : null, "a whole number", allowNull: false)!.Value;

        public int? OptionalInt(string name, int? fallback) =>
            Read(name, fallback, static text => int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) ? v : (int?)null, "a whole number", allowNull: true);

        public long Long(string name, long fallback) =>
            Read<long?>(name, fallback, static text => long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) ? v : null, "a whole number", allowNull: false)!.Value;

        public long? OptionalLong(string name, long? fallback) =>
            Read(name, fallback, static text => long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) ? v : (long?)null, "a whole number", allowNull: true);

        public string? OptionalString(string name, string? fallback) =>
            Read(name, fallback, static text => text, "a string", allowNull: true);

        public CompressionCodec Codec(string name, CompressionCodec fallback) =>
            Read<CompressionCodec?>(name, fallback, static text => Enum.TryParse<CompressionCodec>(text, ignoreCase: true, out var v) && Enum.IsDefined(v) && !IsBareNumber(text) ? v : null,
                "one of Snappy, Zlib, Lz4, Zstd or null", allowNull: true) ?? CompressionCodec.None;

        public CompressionCodec? OptionalCodec(string name, CompressionCodec? fallback) =>
            Read(name, fallback, static text => Enum.TryParse<CompressionCodec>(text, ignoreCase: true, out var v) && Enum.IsDefined(v) && !IsBareNumber(text) ? v : (CompressionCodec?)null,
                "one of Snappy, Zlib, Lz4, Zstd or null", allowNull: true);

        public T? OptionalEnum<T>(string name, T? fallback)
            where T : struct, Enum =>
            Read(name, fallback, static text => Enum.TryParse<T>(text, ignoreCase: true, out var v) && Enum.IsDefined(v) && !IsBareNumber(text) ? v : (T?)null,
                "one of " + string.Join(", ", Enum.GetNames<T>()), allowNull: true);

        public IReadOnlyDictionary<string, string> StringMap(string name)
        {
            var section = Find(name);
            var map = new Dictionary<string, string>(StringComparer.Ordinal);
            if (section is null)
            {
                return map;
            }

            foreach (var child in section.GetChildren())
            {
                map[child.Key] = child.Value ?? string.Empty;
            }

            return map;
        }

        public T? Optional<T>(string name, T? fallback, Func<SettingsReader, T> read)
            where T : class
        {
            var section = Find(name);
            if (section is null)
            {
                return fallback;
            }

            if (!section.GetChildren().Any())
            {
                if (string.IsNullOrEmpty(section.Value) || section.Value.Equals("null", StringComparison.OrdinalIgnoreCase))
                {
                    return null;
                }

                problems.Add($"{Qualified(name)} must be an object or null, not '{section.Value}'.");
                return fallback;
            }

            var reader = new SettingsReader(section, Qualified(name), problems, unknown);
            var value = read(reader);
            reader.CollectUnknown();
            return value;
        }

        private T? Read<T>(string name, T? fallback, Func<string, T?> parse, string expected, bool allowNull)
        {
            var section = Find(name);
            if (section is null)
            {
                return fallback;
            }

            var text = section.Value?.Trim();
            if (string.IsNullOrEmpty(text) || text.Equals("null", StringComparison.OrdinalIgnoreCase))
            {
                if (allowNull)
                {
                    return default;
                }

                problems.Add($"{Qualified(name)} must be {expected}, not null.");
                return fallback;
            }

            var value = parse(text);
            if (value is null)
            {
                problems.Add($"{Qualified(name)} must be {expected}, not '{text}'.");
                return fallback;
            }

            return value;
        }

        private IConfigurationSection? Find(string snakeName)
        {
            var pascalName = ToPascal(snakeName);
            _known.Add(snakeName);
            _known.Add(pascalName);
            foreach (var candidate in new[] { snakeName, pascalName })
            {
                var section = configuration.GetSection(candidate);
                if (section.Exists())
                {
                    return section;
                }
            }

            return null;
        }

        private string Qualified(string name) => path.Length == 0 ? name : path + "." + name;

        private static bool IsBareNumber(string text) => text.All(char.IsAsciiDigit);

        private static string ToPascal(string snake)
        {
            var builder = new StringBuilder(snake.Length);
            var upper = true;
            foreach (var c in snake)
            {
                if (c == '_')
                {
                    upper = true;
                    continue;
                }

                builder.Append(upper ? char.ToUpperInvariant(c) : c);
                upper = false;
            }

            return builder.ToString();
        }
    }
}
