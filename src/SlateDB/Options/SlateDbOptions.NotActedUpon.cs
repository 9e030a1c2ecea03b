using System.Globalization;

namespace SlateDB;

public sealed partial record SlateDbOptions
{
    /// <summary>
    /// The settings this engine keeps (and writes back with <see cref="ToJson"/>) but does not act upon yet, whose value
    /// differs from SlateDB's default, as <c>name = value</c> (docs/configuration.md lists them). At their defaults they
    /// change nothing, so they are not listed.
    /// </summary>
    public IReadOnlyList<string> SettingsNotActedUpon()
    {
        var found = new List<string>();
        void Check<T>(string name, T value, T fallback)
        {
            if (!EqualityComparer<T>.Default.Equals(value, fallback))
            {
                found.Add(string.Create(CultureInfo.InvariantCulture, $"{name} = {Show(value)}"));
            }
        }

        var d = Default;
        Check("l0_max_ssts_per_key", L0MaxSstsPerKey, d.L0MaxSstsPerKey);
        Check("metric_level", MetricLevel, d.MetricLevel);
        if (CompactorOptions is { } compactor)
        {
            var dc = new CompactorOptions();
            Check("compactor_options.metric_level", compactor.MetricLevel, dc.MetricLevel);
            Check("compactor_options.object_store_max_retries", compactor.ObjectStoreMaxRetries, dc.ObjectStoreMaxRetries);
            if (compactor.Worker is { } worker)
            {
                var dw = new CompactionWorkerOptions();
                Check("compactor_options.worker.max_concurrent_compactions", worker.MaxConcurrentCompactions, dw.MaxConcurrentCompactions);
                Check("compactor_options.worker.compactions_poll_interval", worker.CompactionsPollInterval, dw.CompactionsPollInterval);
                Check("compactor_options.worker.heartbeat_interval", worker.HeartbeatInterval, dw.HeartbeatInterval);
                Check("compactor_options.worker.bytes_to_fetch", worker.BytesToFetch, dw.BytesToFetch);
                Check("compactor_options.worker.min_filter_keys", worker.MinFilterKeys, dw.MinFilterKeys);
                Check("compactor_options.worker.compression_codec", worker.CompressionCodec, dw.CompressionCodec);
                Check("compactor_options.worker.metric_level", worker.MetricLevel, dw.MetricLevel);
            }
        }

        if (GarbageCollectorOptions is { } gc)
        {
            var extras = GarbageCollectorSettingsExtras.Of(gc);
            var dg = GarbageCollectorSettingsExtras.Default;
            Check("garbage_collector_options.detach_options", extras.DetachEnabled ? (object?)extras.DetachInterval : "null", dg.DetachInterval);
            Check("garbage_collector_options.metric_level", extras.MetricLevel, dg.MetricLevel);
            Check("garbage_collector_options.boundary_files_enabled", extras.BoundaryFilesEnabled, dg.BoundaryFilesEnabled);
            Check("garbage_collector_options.object_store_max_retries", extras.ObjectStoreMaxRetries, dg.ObjectStoreMaxRetries);
        }

        return found;
    }

    private static string Show<T>(T value) => value switch
    {
        null => "null",
        TimeSpan span => DurationText.Format(span),
        bool flag => flag ? "true" : "false",
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "null",
    };
}
