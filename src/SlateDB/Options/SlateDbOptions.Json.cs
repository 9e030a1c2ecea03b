using System.Text;
using System.Text.Json;

namespace SlateDB;

public sealed partial record SlateDbOptions
{
    /// <summary>
    /// Writes the settings as SlateDB's settings JSON (snake_case keys, durations such as <c>"100ms"</c>, <c>null</c>
    /// for a part switched off), readable by <see cref="FromJson"/> (<c>FromJson(ToJson())</c> equals these settings)
    /// and by SlateDB. Durations are written to the millisecond, as SlateDB writes them. Four keys are this engine's own
    /// (<c>filter_bits_per_key</c>, <c>object_store_cache_options.cache_puts</c>, <c>wal_flush_policy</c>, <c>wal_flush_min_interval</c>); SlateDB ignores them.
    /// </summary>
    public string ToJson()
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            WriteDuration(w, "flush_interval", FlushInterval);
            w.WriteString("wal_flush_policy", WalFlushPolicy.ToString());
            WriteDuration(w, "wal_flush_min_interval", WalFlushMinInterval);
            w.WriteBoolean("wal_enabled", WalEnabled);
            WriteDuration(w, "manifest_poll_interval", ManifestPollInterval);
            WriteDuration(w, "manifest_update_timeout", ManifestUpdateTimeout);
            w.WriteNumber("min_filter_keys", MinFilterKeys);
            w.WriteNumber("filter_bits_per_key", FilterBitsPerKey);
            w.WriteNumber("l0_sst_size_bytes", L0SstSizeBytes);
            w.WriteNumber("l0_max_ssts", L0MaxSsts);
            w.WriteNumber("l0_max_ssts_per_key", L0MaxSstsPerKey);
            w.WriteNumber("l0_flush_parallelism", L0FlushParallelism);
            w.WriteNumber("max_wal_flushes_before_l0_flush", MaxWalFlushesBeforeL0Flush);
            w.WriteNumber("max_unflushed_bytes", MaxUnflushedBytes);
            if (MemoryBudgetBytes is { } budget)
            {
                w.WriteNumber("memory_budget_bytes", budget); // This engine's own; written only when set.
            }

            if (MaxInFlightReads is { } reads)
            {
                w.WriteNumber("max_in_flight_reads", reads); // This engine's own; written only when set.
            }

            if (!CacheBlocksOnFlush)
            {
                w.WriteBoolean("cache_blocks_on_flush", false); // This engine's own; written only when off.
            }

            if (!WarmCacheOnRandomReads)
            {
                w.WriteBoolean("warm_cache_on_random_reads", false); // This engine's own; written only when off.
            }

            WriteCompactor(w, CompactorOptions);
            WriteCodec(w, "compression_codec", CompressionCodec);
            WriteCache(w, ObjectStoreCacheOptions);
            WriteGarbageCollector(w, GarbageCollectorOptions);
            w.WriteString("metric_level", MetricLevel.ToString());
            WriteNumber(w, "default_ttl", DefaultTtl is { } ttl ? (long)Math.Ceiling(ttl.TotalMilliseconds) : null);
            WriteNumber(w, "object_store_max_retries", ObjectStoreMaxRetries);
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static void WriteCompactor(Utf8JsonWriter w, CompactorOptions? compactor)
    {
        if (compactor is null)
        {
            w.WriteNull("compactor_options");
            return;
        }

        w.WriteStartObject("compactor_options");
        WriteDuration(w, "poll_interval", compactor.PollInterval);
        WriteDuration(w, "manifest_update_timeout", compactor.ManifestUpdateTimeout);
        w.WriteNumber("max_concurrent_compactions", compactor.MaxConcurrentCompactions);
        w.WriteBoolean("enable_trivial_move", compactor.EnableTrivialMove);
        w.WriteStartObject("scheduler_options");
        foreach (var (key, value) in compactor.SchedulerOptions.OrderBy(static pair => pair.Key, StringComparer.Ordinal))
        {
            w.WriteString(key, value);
        }

        w.WriteEndObject();
        if (compactor.Worker is { } worker)
        {
            w.WriteStartObject("worker");
            w.WriteNumber("max_concurrent_compactions", worker.MaxConcurrentCompactions);
            WriteDuration(w, "compactions_poll_interval", worker.CompactionsPollInterval);
            WriteDuration(w, "heartbeat_interval", worker.HeartbeatInterval);
            w.WriteNumber("max_sst_size", compactor.MaxSstSize);
            w.WriteNumber("max_fetch_tasks", compactor.MaxFetchTasks);
            w.WriteNumber("bytes_to_fetch", worker.BytesToFetch);
            w.WriteNumber("max_subcompactions", worker.MaxSubcompactions);
            w.WriteNumber("min_filter_keys", worker.MinFilterKeys);
            WriteCodec(w, "compression_codec", worker.CompressionCodec ?? CompressionCodec.None);
            WriteString(w, "metric_level", worker.MetricLevel?.ToString());
            w.WriteEndObject();
        }
        else
        {
            // No worker section to hold them: the SlateDB 0.12 keys, which the reader also takes.
            w.WriteNull("worker");
            w.WriteNumber("max_sst_size", compactor.MaxSstSize);
            w.WriteNumber("max_fetch_tasks", compactor.MaxFetchTasks);
        }

        WriteString(w, "metric_level", compactor.MetricLevel?.ToString());
        WriteDuration(w, "commit_compacted_interval", compactor.CommitCompactedInterval);
        WriteDuration(w, "worker_heartbeat_timeout", compactor.WorkerHeartbeatTimeout);
        WriteNumber(w, "object_store_max_retries", compactor.ObjectStoreMaxRetries);
        w.WriteEndObject();
    }

    private static void WriteCache(Utf8JsonWriter w, ObjectStoreCacheOptions cache)
    {
        w.WriteStartObject("object_store_cache_options");
        WriteString(w, "root_folder", cache.RootFolder);
        WriteNumber(w, "max_cache_size_bytes", cache.MaxCacheSizeBytes);
        w.WriteNumber("part_size_bytes", cache.PartSizeBytes);
        w.WriteBoolean("cache_on_flush", cache.CacheOnFlush);
        w.WriteBoolean("cache_on_compaction", cache.CacheOnCompaction);
        w.WriteBoolean("cache_puts", cache.CachePuts);
        WriteString(w, "preload_disk_cache_on_startup", cache.PreloadDiskCacheOnStartup?.ToString());
        WriteDuration(w, "scan_interval", cache.ScanInterval);
        w.WriteNumber("max_open_file_handles", cache.MaxOpenFileHandles);
        w.WriteEndObject();
    }

    private static void WriteGarbageCollector(Utf8JsonWriter w, GarbageCollectorOptions? gc)
    {
        if (gc is null)
        {
            w.WriteNull("garbage_collector_options");
            return;
        }

        var extras = GarbageCollectorSettingsExtras.Of(gc);
        w.WriteStartObject("garbage_collector_options");
        WriteGcDirectory(w, "manifest_options", gc.ManifestOptions);
        WriteGcDirectory(w, "wal_options", gc.WalOptions);
        WriteGcDirectory(w, "wal_fence_options", gc.WalFenceOptions);
        WriteGcDirectory(w, "compacted_options", gc.CompactedOptions);
        WriteGcDirectory(w, "compactions_options", gc.CompactionsOptions);
        if (extras.DetachEnabled)
        {
            w.WriteStartObject("detach_options");
            WriteDuration(w, "interval", extras.DetachInterval);
            w.WriteEndObject();
        }
        else
        {
            w.WriteNull("detach_options");
        }

        WriteString(w, "metric_level", extras.MetricLevel?.ToString());
        w.WriteBoolean("boundary_files_enabled", extras.BoundaryFilesEnabled);
        WriteNumber(w, "object_store_max_retries", extras.ObjectStoreMaxRetries);
        w.WriteEndObject();
    }

    private static void WriteGcDirectory(Utf8JsonWriter w, string name, GarbageCollectorDirectoryOptions? directory)
    {
        if (directory is null)
        {
            w.WriteNull(name);
            return;
        }

        w.WriteStartObject(name);
        WriteDuration(w, "interval", directory.Interval);
        WriteDuration(w, "min_age", directory.MinAge);
        w.WriteBoolean("dry_run", directory.DryRun);
        w.WriteEndObject();
    }

    private static void WriteCodec(Utf8JsonWriter w, string name, CompressionCodec codec) =>
        WriteString(w, name, codec == CompressionCodec.None ? null : codec.ToString());

    private static void WriteDuration(Utf8JsonWriter w, string name, TimeSpan? value) =>
        WriteString(w, name, value is { } v ? DurationText.Format(v) : null);

    private static void WriteString(Utf8JsonWriter w, string name, string? value)
    {
        if (value is null)
        {
            w.WriteNull(name);
        }
        else
        {
            w.WriteString(name, value);
        }
    }

    private static void WriteNumber(Utf8JsonWriter w, string name, long? value)
    {
        if (value is { } v)
        {
            w.WriteNumber(name, v);
        }
        else
        {
            w.WriteNull(name);
        }
    }
}
