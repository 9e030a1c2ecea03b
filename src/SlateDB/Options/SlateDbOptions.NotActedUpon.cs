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
        if (CompactorOptions is { } compactor)
        {
            // Acted upon by a standalone Compactor or CompactionWorker; the embedded compactor shares the database's
            // retrying store (bounded by object_store_max_retries), so here it is listed.
            var dc = new CompactorOptions();
            Check("compactor_options.object_store_max_retries", compactor.ObjectStoreMaxRetries, dc.ObjectStoreMaxRetries);
        }

        var cache = ObjectStoreCacheOptions;
        var dcache = new ObjectStoreCacheOptions();
        Check("object_store_cache_options.cache_on_flush", cache.CacheOnFlush, dcache.CacheOnFlush);
        Check("object_store_cache_options.cache_on_compaction", cache.CacheOnCompaction, dcache.CacheOnCompaction);
        Check("object_store_cache_options.max_open_file_handles", cache.MaxOpenFileHandles, dcache.MaxOpenFileHandles);

        if (GarbageCollectorOptions is { } gc)
        {
            // As the compactor's: a standalone GarbageCollector acts upon it; the embedded one shares the database's store.
            var extras = GarbageCollectorSettingsExtras.Of(gc);
            var dg = GarbageCollectorSettingsExtras.Default;
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
