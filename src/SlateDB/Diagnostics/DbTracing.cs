using System.Diagnostics;

namespace SlateDB.Diagnostics;

/// <summary>The engine's <see cref="ActivitySource"/> and the span-and-latency scope its operations use.</summary>
internal static class DbTracing
{
    public static readonly ActivitySource Source = new(SlateDbActivitySource.Name, typeof(DbTracing).Assembly.GetName().Version?.ToString());

    /// <summary>Starts a span tagged with the database's name; null (and free) when nobody listens.</summary>
    public static Activity? Start(string name, string? db, ActivityKind kind = ActivityKind.Internal)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var activity = Source.StartActivity(name, kind);
        if (activity is not null && db is not null)
        {
            activity.SetTag(SlateDbMetrics.DbTag, db);
        }

        return activity;
    }

    /// <summary>Starts a span without making it the current one (for spans that end in another flow, like a scan).</summary>
    public static Activity? StartDetached(string name, string? db)
    {
        var previous = Activity.Current;
        var activity = Start(name, db);
        Activity.Current = previous;
        return activity;
    }

    /// <summary>Marks a span failed with the exception's type.</summary>
    public static void Failed(Activity? activity, Exception exception)
    {
        if (activity is null)
        {
            return;
        }

        activity.SetStatus(ActivityStatusCode.Error, exception.Message);
        activity.SetTag("error.type", exception is SlateDbException slate ? slate.Kind.ToString() : exception.GetType().FullName);
    }

    /// <summary>Runs <paramref name="work"/> inside a span named <paramref name="name"/> (just runs it when nobody listens).</summary>
    public static async Task<T> TraceAsync<T>(string name, string? db, Func<Task<T>> work)
    {
        using var activity = Start(name, db);
        try
        {
            return await work().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            Failed(activity, e);
            throw;
        }
    }

    /// <summary>Ends <paramref name="activity"/> when <paramref name="task"/> completes, and returns its result.</summary>
    public static ValueTask<T> EndWhenDone<T>(ValueTask<T> task, Activity? activity)
    {
        if (activity is null)
        {
            return task;
        }

        if (task.IsCompletedSuccessfully)
        {
            activity.Dispose();
            return task;
        }

        return Awaited(task, activity);

        static async ValueTask<T> Awaited(ValueTask<T> task, Activity activity)
        {
            try
            {
                return await task.ConfigureAwait(false);
            }
            catch (Exception e)
            {
                Failed(activity, e);
                throw;
            }
            finally
            {
                activity.Dispose();
            }
        }
    }
}

/// <summary>
/// One timed operation: a span (when someone listens) and a latency histogram (when someone listens). Dispose ends
/// both; <see cref="Fail"/> marks the span failed first.
/// </summary>
internal readonly struct TimedOperation : IDisposable
{
    private readonly Activity? _activity;
    private readonly DbHistogram? _duration;
    private readonly long _start;

    public TimedOperation(string name, SlateDbMetrics metrics, DbHistogram duration, bool detached = false)
    {
        _activity = detached ? DbTracing.StartDetached(name, metrics.DbName) : DbTracing.Start(name, metrics.DbName);
        _duration = duration.Enabled ? duration : null;
        _start = _duration is null ? 0 : Stopwatch.GetTimestamp();
    }

    public Activity? Activity => _activity;

    public void Fail(Exception exception) => DbTracing.Failed(_activity, exception);

    public void Dispose()
    {
        _duration?.Record(Stopwatch.GetElapsedTime(_start).TotalSeconds);
        _activity?.Dispose();
    }
}
