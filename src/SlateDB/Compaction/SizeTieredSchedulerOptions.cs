using System.Globalization;

namespace SlateDB.Compaction;

/// <summary>
/// Settings of the size-tiered scheduler (SlateDB's <c>SizeTieredCompactionSchedulerOptions</c>), read from
/// <see cref="CompactorOptions.SchedulerOptions"/>: <c>min_compaction_sources</c> (default 4),
/// <c>max_compaction_sources</c> (8) and <c>include_size_threshold</c> (4.0). Other keys are ignored.
/// </summary>
internal sealed record SizeTieredSchedulerOptions(int MinCompactionSources, int MaxCompactionSources, float IncludeSizeThreshold)
{
    public const string MinSourcesKey = "min_compaction_sources";
    public const string MaxSourcesKey = "max_compaction_sources";
    public const string SizeThresholdKey = "include_size_threshold";

    public static SizeTieredSchedulerOptions Default { get; } = new(4, 8, 4.0f);

    /// <summary>Reads the options from the string map; absent keys keep their defaults.</summary>
    /// <exception cref="SlateDbException">Invalid: a value does not parse or is out of range.</exception>
    public static SizeTieredSchedulerOptions From(IReadOnlyDictionary<string, string>? map)
    {
        var options = Default;
        if (map is null)
        {
            return options;
        }

        if (map.TryGetValue(MinSourcesKey, out var min))
        {
            options = options with { MinCompactionSources = ParseCount(MinSourcesKey, min) };
        }

        if (map.TryGetValue(MaxSourcesKey, out var max))
        {
            options = options with { MaxCompactionSources = ParseCount(MaxSourcesKey, max) };
        }

        if (map.TryGetValue(SizeThresholdKey, out var threshold))
        {
            if (!float.TryParse(threshold, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) || !float.IsFinite(parsed) || parsed < 1.0f)
            {
                throw Invalid($"{SizeThresholdKey} must be a number of at least 1.0, not '{threshold}'.");
            }

            options = options with { IncludeSizeThreshold = parsed };
        }

        if (options.MaxCompactionSources < options.MinCompactionSources)
        {
            throw Invalid($"{MaxSourcesKey} ({options.MaxCompactionSources}) must not be below {MinSourcesKey} ({options.MinCompactionSources}).");
        }

        return options;
    }

    private static int ParseCount(string key, string value)
    {
        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) || parsed < 1)
        {
            throw Invalid($"{key} must be a positive integer, not '{value}'.");
        }

        return parsed;
    }

    private static SlateDbException Invalid(string detail) =>
        new(SlateDbErrorKind.Invalid, "Invalid compactor_options.scheduler_options: " + detail);
}
