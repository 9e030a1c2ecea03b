using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace SlateDB.Cli.Infrastructure;

/// <summary>Counts work done, and draws it as a progress bar on stderr when a person is watching.</summary>
internal sealed class ProgressTracker(ProgressTask? task)
{
    private long _done;

    public long Done => Interlocked.Read(ref _done);

    public void Add(long amount)
    {
        var done = Interlocked.Add(ref _done, amount);
        if (task is not null)
        {
            task.State.Update<long>(ProgressDisplay.CountKey, _ => done);
            if (!task.IsIndeterminate)
            {
                task.Increment(amount);
            }
        }
    }

    public void SetTotal(long total)
    {
        if (task is not null)
        {
            task.IsIndeterminate = false;
            task.MaxValue = Math.Max(1, total);
        }
    }
}

internal static class ProgressDisplay
{
    /// <summary>Where a task keeps its count (a bar without a total has no meaningful value).</summary>
    internal const string CountKey = "count";

    /// <summary>Runs <paramref name="work"/> with a progress bar (counts of <paramref name="unit"/> and a rate) when stderr is a terminal.</summary>
    public static async Task<T> RunAsync<T>(CliContext context, string description, string unit, long? total, Func<ProgressTracker, Task<T>> work)
    {
        if (!context.ShowProgress)
        {
            return await work(new ProgressTracker(null)).ConfigureAwait(false);
        }

        return await context.Err.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentColumn(), new CountAndRateColumn(unit), new ElapsedTimeColumn())
            .StartAsync(async progress =>
            {
                var task = progress.AddTask(description, maxValue: Math.Max(1, total ?? 1));
                task.IsIndeterminate = total is null;
                var result = await work(new ProgressTracker(task)).ConfigureAwait(false);
                task.IsIndeterminate = false;
                task.Value = task.MaxValue;
                task.StopTask();
                return result;
            }).ConfigureAwait(false);
    }

    /// <summary>"12,345 entries  4,321/s": the count so far and the mean rate since the start.</summary>
    private sealed class CountAndRateColumn(string unit) : ProgressColumn
    {
        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime)
        {
            var done = task.State.Get<long>(CountKey);
            var seconds = task.ElapsedTime?.TotalSeconds ?? 0;
            var rate = seconds > 0.05 ? (done / seconds).ToString("N0", CultureInfo.InvariantCulture) : "-";
            return new Markup($"[blue]{done.ToString("N0", CultureInfo.InvariantCulture)}[/] {unit}  [grey]{rate}/s[/]");
        }
    }

    /// <summary>The percentage done; blank while the total is unknown.</summary>
    private sealed class PercentColumn : ProgressColumn
    {
        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
            task.IsIndeterminate ? new Text("    ") : new Text($"{(int)task.Percentage,3}%");
    }
}
