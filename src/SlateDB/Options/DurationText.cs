using System.Globalization;

namespace SlateDB;

/// <summary>
/// Reads and writes durations as SlateDB's settings files spell them: terms such as <c>100ms</c>, <c>5s</c>, <c>1m</c>,
/// <c>2h</c> or <c>1d</c>, optionally joined by <c>+</c> or spaces (<c>1s+500ms</c>); a bare number is seconds.
/// .NET's <c>hh:mm:ss</c> form is accepted too.
/// </summary>
public static class DurationText
{
    /// <summary>Parses a duration.</summary>
    /// <exception cref="FormatException">The text is not a duration.</exception>
    public static TimeSpan Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (TryParse(text, out var value))
        {
            return value;
        }

        throw new FormatException($"'{text}' is not a duration: use forms like '100ms', '5s', '1m', '1h', '1s+500ms' or 'hh:mm:ss'.");
    }

    /// <summary>Tries to parse a duration.</summary>
    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var s = text.Trim();
        if (s.Contains(':', StringComparison.Ordinal))
        {
            return TimeSpan.TryParse(s, CultureInfo.InvariantCulture, out value) && value >= TimeSpan.Zero;
        }

        decimal totalTicks = 0;
        var i = 0;
        var terms = 0;
        while (i < s.Length)
        {
            while (i < s.Length && (s[i] == '+' || char.IsWhiteSpace(s[i])))
            {
                i++;
            }

            if (i == s.Length)
            {
                break;
            }

            var start = i;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.'))
            {
                i++;
            }

            if (i == start || !decimal.TryParse(s.AsSpan(start, i - start), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            {
                return false;
            }

            var unitStart = i;
            while (i < s.Length && char.IsLetter(s[i]))
            {
                i++;
            }

            var ticksPerUnit = TicksPerUnit(s.AsSpan(unitStart, i - unitStart));
            if (ticksPerUnit is null)
            {
                return false;
            }

            try
            {
                totalTicks += number * ticksPerUnit.Value;
            }
            catch (OverflowException)
            {
                return false;
            }

            terms++;
        }

        if (terms == 0 || totalTicks > TimeSpan.MaxValue.Ticks)
        {
            return false;
        }

        value = TimeSpan.FromTicks((long)decimal.Round(totalTicks));
        return true;
    }

    /// <summary>Formats a duration the way SlateDB writes it (<c>5s</c>, <c>100ms</c>, <c>1s+500ms</c>).</summary>
    public static string Format(TimeSpan value)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero);
        var seconds = (long)value.TotalSeconds;
        var millis = value.Milliseconds;
        return (seconds, millis) switch
        {
            ( > 0, > 0) => string.Create(CultureInfo.InvariantCulture, $"{seconds}s+{millis:000}ms"),
            (_, > 0) => string.Create(CultureInfo.InvariantCulture, $"{millis:000}ms"),
            _ => string.Create(CultureInfo.InvariantCulture, $"{seconds}s"),
        };
    }

    private static decimal? TicksPerUnit(ReadOnlySpan<char> unit) => unit.ToString().ToLowerInvariant() switch
    {
        "" or "s" or "sec" or "secs" or "second" or "seconds" => TimeSpan.TicksPerSecond,
        "ms" or "msec" or "millis" or "millisecond" or "milliseconds" => TimeSpan.TicksPerMillisecond,
        "us" or "µs" or "usec" or "microsecond" or "microseconds" => TimeSpan.TicksPerMicrosecond,
        "ns" or "nsec" or "nanosecond" or "nanoseconds" => 0.01m,
        "m" or "min" or "mins" or "minute" or "minutes" => TimeSpan.TicksPerMinute,
        "h" or "hr" or "hour" or "hours" => TimeSpan.TicksPerHour,
        "d" or "day" or "days" => TimeSpan.TicksPerDay,
        "w" or "week" or "weeks" => TimeSpan.TicksPerDay * 7,
        _ => null,
    };
}
