using System.Globalization;
using System.Text.RegularExpressions;

namespace SlateDB.Cli.Infrastructure;

/// <summary>Human durations as SlateDB's CLI takes them (humantime): <c>7days 30min 10s</c>, <c>1h</c>, <c>500ms</c>.</summary>
internal static partial class Durations
{
    public static TimeSpan Parse(string text)
    {
        var total = TimeSpan.Zero;
        var matches = Part().Matches(text.Replace(" ", string.Empty, StringComparison.Ordinal));
        var consumed = 0;
        foreach (Match match in matches)
        {
            consumed += match.Length;
            var amount = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
            total += match.Groups[2].Value.ToLowerInvariant() switch
            {
                "ms" or "msec" or "millis" => TimeSpan.FromMilliseconds(amount),
                "s" or "sec" or "secs" or "second" or "seconds" => TimeSpan.FromSeconds(amount),
                "m" or "min" or "mins" or "minute" or "minutes" => TimeSpan.FromMinutes(amount),
                "h" or "hr" or "hrs" or "hour" or "hours" => TimeSpan.FromHours(amount),
                "d" or "day" or "days" => TimeSpan.FromDays(amount),
                "w" or "week" or "weeks" => TimeSpan.FromDays(7 * amount),
                "y" or "year" or "years" => TimeSpan.FromDays(365.25 * amount),
                var unit => throw new CliException(ExitCodes.Usage, $"'{text}': unknown time unit '{unit}' (use ms, s, min, h, days, weeks, years)."),
            };
        }

        if (matches.Count == 0 || consumed != text.Replace(" ", string.Empty, StringComparison.Ordinal).Length)
        {
            throw new CliException(ExitCodes.Usage, $"'{text}' is not a duration such as 30s, 10min, 7days 12h.");
        }

        return total;
    }

    [GeneratedRegex(@"(\d+(?:\.\d+)?)([a-zA-Z]+)")]
    private static partial Regex Part();
}
