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
        // The embedded compactor and collector retry on their own store, except behind a local disk cache, which they
        // share with the database (and with it its object_store_max_retries): listed then, when the bounds differ.
        var diskCache = ObjectStoreCacheOptions.RootFolder is not null;
        if (diskCache && CompactorOptions is { } compactor && compactor.ObjectStoreMaxRetries != ObjectStoreMaxRetries)
        {
            found.Add(string.Create(CultureInfo.InvariantCulture, $"compactor_options.object_store_max_retries = {Show(compactor.ObjectStoreMaxRetries)} (with object_store_cache_options.root_folder set)"));
        }

        if (GarbageCollectorOptions is { } gc)
        {
            var extras = GarbageCollectorSettingsExtras.Of(gc);
            if (diskCache && extras.ObjectStoreMaxRetries != ObjectStoreMaxRetries)
            {
                found.Add(string.Create(CultureInfo.InvariantCulture, $"garbage_collector_options.object_store_max_retries = {Show(extras.ObjectStoreMaxRetries)} (with object_store_cache_options.root_folder set)"));
            }
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
