using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace SlateDB.Diagnostics;

/// <summary>
/// A counter whose every measurement carries the database's <c>db</c> tag (when it has one). Without a counter (its
/// metric level is above the configured one) it records nothing.
/// </summary>
internal sealed class DbCounter<T>(Counter<T>? counter, KeyValuePair<string, object?>? db)
    where T : struct
{
    public bool Enabled => counter is { Enabled: true };

    public void Add(T value)
    {
        if (counter is null)
        {
            return;
        }

        if (db is { } tag)
        {
            counter.Add(value, tag);
        }
        else
        {
            counter.Add(value);
        }
    }

    public void Add(T value, TagList tags)
    {
        if (counter is null)
        {
            return;
        }

        if (db is { } tag)
        {
            tags.Add(tag);
        }

        counter.Add(value, tags);
    }

    public void Add(T value, string name, object? tagValue) => Add(value, new TagList { { name, tagValue } });
}

/// <summary>
/// A histogram whose every measurement carries the database's <c>db</c> tag (when it has one). Without a histogram
/// (its metric level is above the configured one) it records nothing.
/// </summary>
internal sealed class DbHistogram(Histogram<double>? histogram, KeyValuePair<string, object?>? db)
{
    public bool Enabled => histogram is { Enabled: true };

    public void Record(double value)
    {
        if (histogram is null)
        {
            return;
        }

        if (db is { } tag)
        {
            histogram.Record(value, tag);
        }
        else
        {
            histogram.Record(value);
        }
    }

    public void Record(double value, TagList tags)
    {
        if (histogram is null)
        {
            return;
        }

        if (db is { } tag)
        {
            tags.Add(tag);
        }

        histogram.Record(value, tags);
    }
}

/// <summary>What the database's gauges read: its LSM shape and memory, from memory and without I/O.</summary>
internal interface IDbGaugeSource
{
    int L0SstCount { get; }

    int SortedRunCount { get; }

    long MemtableBytes { get; }

    long UnflushedBytes { get; }
}
