using System.Runtime.CompilerServices;

namespace SlateDB;

/// <summary>
/// The v0.15 keys of <c>garbage_collector_options</c> that <see cref="GarbageCollectorOptions"/> has no property for
/// yet (<c>detach_options</c>, <c>metric_level</c>, <c>boundary_files_enabled</c>,
/// <c>object_store_max_retries</c>). The settings reader attaches them to the options instance it builds, so
/// <see cref="SlateDbOptions.ToJson"/> writes them back; <c>with</c> copies and equality do not carry them.
/// </summary>
internal sealed record GarbageCollectorSettingsExtras
{
    private static readonly ConditionalWeakTable<GarbageCollectorOptions, GarbageCollectorSettingsExtras> s_attached = new();

    /// <summary>The defaults (SlateDB's): detach every 10 min, boundary files on.</summary>
    public static GarbageCollectorSettingsExtras Default { get; } = new();

    /// <summary>Whether the clone-detach task exists (<c>detach_options</c> is not null).</summary>
    public bool DetachEnabled { get; init; } = true;

    /// <summary>How often the clone-detach pass runs (with the compacted SST task); null: SlateDB's default, 10 min. Default 10 min.</summary>
    public TimeSpan? DetachInterval { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>The collector's metric level; null inherits the database's.</summary>
    public MetricLevel? MetricLevel { get; init; }

    /// <summary>Whether the collector writes boundary files. Default true.</summary>
    public bool BoundaryFilesEnabled { get; init; } = true;

    /// <summary>Retries of the collector's object-store requests; null: without bound.</summary>
    public int? ObjectStoreMaxRetries { get; init; }

    /// <summary>Returns <paramref name="options"/> carrying <paramref name="extras"/>.</summary>
    public static GarbageCollectorOptions Attach(GarbageCollectorOptions options, GarbageCollectorSettingsExtras extras)
    {
        s_attached.AddOrUpdate(options, extras);
        return options;
    }

    /// <summary>The extras attached to <paramref name="options"/>, or the defaults.</summary>
    public static GarbageCollectorSettingsExtras Of(GarbageCollectorOptions options) =>
        s_attached.TryGetValue(options, out var extras) ? extras : Default;
}
