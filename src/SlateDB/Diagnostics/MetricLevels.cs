namespace SlateDB.Diagnostics;

/// <summary>
/// The configured metric level of each component sharing one set of instruments (SlateDB's <c>metric_level</c>
/// settings): the database's, the compactor's (or a compaction worker's) and the garbage collector's. An instrument
/// of level Debug is recorded only where the level is Debug; Info instruments always are.
/// </summary>
internal sealed record MetricLevels(MetricLevel Db, MetricLevel Compactor, MetricLevel Gc)
{
    /// <summary>Every component at SlateDB's default, Info.</summary>
    public static MetricLevels Default { get; } = new(MetricLevel.Info, MetricLevel.Info, MetricLevel.Info);

    /// <summary>
    /// The levels <paramref name="options"/> set: <c>metric_level</c>, and <c>compactor_options.metric_level</c> and
    /// <c>garbage_collector_options.metric_level</c>, which inherit it when unset (as a SlateDB database's do).
    /// </summary>
    public static MetricLevels From(SlateDbOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var gc = options.GarbageCollectorOptions is { } collector ? GarbageCollectorSettingsExtras.Of(collector).MetricLevel : null;
        return new MetricLevels(options.MetricLevel, options.CompactorOptions?.MetricLevel ?? options.MetricLevel, gc ?? options.MetricLevel);
    }
}
