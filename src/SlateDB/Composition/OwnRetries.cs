using SlateDB.Storage;

namespace SlateDB.Composition;

/// <summary>
/// The request stack of a component embedded in a database whose retry bound differs from the database's
/// (<c>compactor_options.object_store_max_retries</c>, <c>garbage_collector_options.object_store_max_retries</c>):
/// the database's instrumented store under a retrying wrapper of its own, as SlateDB wraps the compactor's and the
/// collector's stores separately.
/// </summary>
internal static class OwnRetries
{
    /// <summary>
    /// A store retrying at most <paramref name="maxRetries"/> times (null: without bound) over the database's
    /// unretried requests; null when the database's store already retries so (or does not retry at all, or a local
    /// disk cache sits in front, which the component keeps sharing: see <see cref="Applies"/>).
    /// </summary>
    public static IObjectStore? Store(DbComponents components, int? maxRetries, string loggerName)
    {
        ArgumentNullException.ThrowIfNull(components);
        if (!Applies(components, maxRetries))
        {
            return null;
        }

        var retrying = components.Retrying!;
        return new RetryingObjectStore(
            retrying.Inner,
            retrying.Options with { MaxRetries = maxRetries },
            components.TimeProvider,
            new Random(components.Random.Next()),
            components.LoggerFactory.CreateLogger(loggerName));
    }

    /// <summary>
    /// Whether the component gets a store of its own: its bound differs from the database's retrying store's, and no
    /// local disk cache is in front (the component then shares the database's stack, cache and retries).
    /// </summary>
    public static bool Applies(DbComponents components, int? maxRetries) =>
        components.Retrying is { } retrying && components.OwnedDiskCache is null && retrying.Options.MaxRetries != maxRetries;
}
