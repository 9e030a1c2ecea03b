namespace SlateDB;

public sealed partial record SlateDbOptions
{
    /// <summary>Checks the settings and reports every problem at once.</summary>
    /// <exception cref="SlateDbException">Kind <see cref="SlateDbErrorKind.Invalid"/>, listing each problem.</exception>
    public void Validate()
    {
        var problems = new List<string>();
        void Check(bool ok, string problem)
        {
            if (!ok)
            {
                problems.Add(problem);
            }
        }

        Check(FlushInterval is null || FlushInterval > TimeSpan.Zero, "flush_interval must be positive (or null to flush only on demand).");
        Check(Enum.IsDefined(WalFlushPolicy), $"wal_flush_policy {WalFlushPolicy} is unknown.");
        Check(WalFlushMinInterval >= TimeSpan.Zero, "wal_flush_min_interval must not be negative.");
        Check(ManifestPollInterval > TimeSpan.Zero, "manifest_poll_interval must be positive.");
        Check(ManifestUpdateTimeout > TimeSpan.Zero, "manifest_update_timeout must be positive.");
        Check(MinFilterKeys >= 0, "min_filter_keys must not be negative.");
        Check(FilterBitsPerKey is > 0 and <= 64, "filter_bits_per_key must be between 1 and 64.");
        Check(L0SstSizeBytes is > 0 and <= MaxL0SstSizeBytes, "l0_sst_size_bytes must be positive and at most 1 GiB (a memtable is built into an L0 SST in memory).");
        Check(L0MaxSsts > 0, "l0_max_ssts must be positive.");
        Check(L0MaxSstsPerKey > 0, "l0_max_ssts_per_key must be positive.");
        Check(Enum.IsDefined(MetricLevel), $"metric_level {MetricLevel} is unknown.");
        Check(L0FlushParallelism > 0, "l0_flush_parallelism must be at least 1.");
        Check(MaxWalFlushesBeforeL0Flush >= MinMaxWalFlushesBeforeL0Flush, $"max_wal_flushes_before_l0_flush must be at least {MinMaxWalFlushesBeforeL0Flush}.");
        Check(MaxUnflushedBytes > L0SstSizeBytes, "max_unflushed_bytes must be greater than l0_sst_size_bytes.");
        Check(Enum.IsDefined(CompressionCodec), $"compression_codec {CompressionCodec} is unknown.");
        Check(DefaultTtl is null || DefaultTtl > TimeSpan.Zero, "default_ttl must be positive.");
        Check(ObjectStoreMaxRetries is null || ObjectStoreMaxRetries >= 0, "object_store_max_retries must not be negative.");
        Check(MemoryBudgetBytes is null || MemoryBudgetBytes >= MinMemoryBudgetBytes, $"memory_budget_bytes must be at least {MinMemoryBudgetBytes} (16 MiB).");
        Check(MaxInFlightReads is null || MaxInFlightReads >= 1, "max_in_flight_reads must be at least 1.");
        if (CompactorOptions is { } compactor)
        {
            Check(compactor.PollInterval > TimeSpan.Zero, "compactor_options.poll_interval must be positive.");
            Check(compactor.ManifestUpdateTimeout > TimeSpan.Zero, "compactor_options.manifest_update_timeout must be positive.");
            Check(compactor.MaxSstSize > 0, "compactor_options.max_sst_size must be positive.");
            Check(compactor.MaxConcurrentCompactions > 0, "compactor_options.max_concurrent_compactions must be at least 1.");
            Check(compactor.MaxFetchTasks > 0, "compactor_options.max_fetch_tasks must be at least 1.");
            Check(compactor.CommitCompactedInterval > TimeSpan.Zero, "compactor_options.commit_compacted_interval must be positive.");
            Check(compactor.WorkerHeartbeatTimeout > TimeSpan.Zero, "compactor_options.worker_heartbeat_timeout must be positive.");
            Check(compactor.ObjectStoreMaxRetries is null or >= 0, "compactor_options.object_store_max_retries must not be negative.");
            if (compactor.Worker is { } worker)
            {
                Check(worker.MaxConcurrentCompactions > 0, "compactor_options.worker.max_concurrent_compactions must be at least 1.");
                Check(worker.CompactionsPollInterval > TimeSpan.Zero, "compactor_options.worker.compactions_poll_interval must be positive.");
                Check(worker.HeartbeatInterval > TimeSpan.Zero, "compactor_options.worker.heartbeat_interval must be positive.");
                Check(worker.BytesToFetch > 0, "compactor_options.worker.bytes_to_fetch must be positive.");
                Check(worker.MinFilterKeys >= 0, "compactor_options.worker.min_filter_keys must not be negative.");
                Check(worker.CompressionCodec is not { } codec || Enum.IsDefined(codec), $"compactor_options.worker.compression_codec {worker.CompressionCodec} is unknown.");
            }
        }

        if (GarbageCollectorOptions is { } gc)
        {
            foreach (var (name, directory) in new[]
            {
                ("manifest_options", gc.ManifestOptions), ("wal_options", gc.WalOptions), ("wal_fence_options", gc.WalFenceOptions),
                ("compacted_options", gc.CompactedOptions), ("compactions_options", gc.CompactionsOptions),
            })
            {
                if (directory is null)
                {
                    continue;
                }

                Check(directory.Interval is null || directory.Interval > TimeSpan.Zero, $"garbage_collector_options.{name}.interval must be positive.");
                Check(directory.MinAge >= TimeSpan.Zero, $"garbage_collector_options.{name}.min_age must not be negative.");
            }
        }

        var cache = ObjectStoreCacheOptions;
        Check(cache.PartSizeBytes > 0 && cache.PartSizeBytes % 1024 == 0, "object_store_cache_options.part_size_bytes must be a positive multiple of 1024.");
        Check(cache.MaxCacheSizeBytes is null || cache.MaxCacheSizeBytes > 0, "object_store_cache_options.max_cache_size_bytes must be positive.");
        Check(cache.ScanInterval is null || cache.ScanInterval > TimeSpan.Zero, "object_store_cache_options.scan_interval must be positive (or null to scan only at start).");
        Check(cache.MaxOpenFileHandles > 0, "object_store_cache_options.max_open_file_handles must be positive.");

        if (problems.Count > 0)
        {
            throw new SlateDbException(SlateDbErrorKind.Invalid, "Invalid settings: " + string.Join(" ", problems));
        }
    }
}
