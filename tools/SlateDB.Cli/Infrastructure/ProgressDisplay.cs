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
        Interlocked.Add(ref _done, amount);
        task?.Increment(amount);
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
    /// <summary>Runs <paramref name="work"/> with a progress bar (counts of <paramref name="unit"/> and a rate) when stderr is a terminal.</summary>
    public static async Task<T> RunAsync<T>(CliContext context, string description, string unit, long? total, Func<ProgressTracker, Task<T>> work)
    {
        if (!context.ShowProgress)
        {
            return await work(new ProgressTracker(null)).ConfigureAwait(false);
        }

        return await context.Err.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new CountAndRateColumn(unit), new ElapsedTimeColumn())
            .StartAsync(async progress =>
            {
                var task = progress.AddTask(description, maxValue: Math.Max(1, total ?? 1));
                task.IsIndeterminate = total is null;
                var result = await work(new ProgressTracker(task)).ConfigureAwait(false);
                if (task.IsIndeterminate)
                {
                    task.IsIndeterminate = false;
                    task.MaxValue = Math.Max(1, task.Value);
                }

                task.Value = task.MaxValue;
                task.StopTask();
                return result;
            }).ConfigureAwait(false);
    }

    /// <summary>"12,345 rows  4,321/s".</summary>
    private sealed class CountAndRateColumn(string unit) : ProgressColumn
    {
        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime)
        {
            var count = ((long)task.Value).ToString("N0", CultureInfo.InvariantCulture);
            var rate = task.Speed is { } speed ? $"{speed.ToString("N0", CultureInfo.InvariantCulture)}/s" : "-/s";
            return new Markup($"[blue]{count}[/] {unit}  [grey]{rate}[/]");
        }
    }
}
