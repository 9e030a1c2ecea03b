using System.CommandLine;
using SlateDB.Cli.Infrastructure;
using SlateDB.GarbageCollection;
using Spectre.Console;

namespace SlateDB.Cli.Commands;

/// <summary><c>run-garbage-collection</c> (once, one resource) and <c>schedule-garbage-collection</c> (until Ctrl-C).</summary>
internal static class GarbageCollectionCommands
{
    private static readonly string[] s_resources = ["manifest", "wal", "wal-fence", "compacted", "compactions"];

    public static Command RunOnce()
    {
        var resource = new Option<string>("--resource", "-r") { Description = "What to collect: manifest, wal, wal-fence, compacted or compactions.", Required = true }.AcceptOnlyFromAmong(s_resources);
        var minAge = new Option<string>("--min-age", "-m") { Description = "Only objects older than this, such as 1h or 10min.", Required = true };
        var dryRun = new Option<bool>("--dry-run") { Description = "List what would be deleted; delete nothing." };
        var command = new Command("run-garbage-collection", "Runs garbage collection of one resource once (expired checkpoints are removed first).\n\nExample: slatedb run-garbage-collection --url file:///data/mydb --resource compacted --min-age 1h")
        {
            resource, minAge, dryRun,
        };
        return command.WithAction(async context =>
        {
            var task = new GarbageCollectorDirectoryOptions { Interval = null, MinAge = Durations.Parse(context.Get(minAge)!), DryRun = context.Get(dryRun) };
            var options = Only(context.Get(resource)!, task, new GarbageCollectorOptions
            {
                ManifestOptions = null, WalOptions = null, WalFenceOptions = null, CompactedOptions = null, CompactionsOptions = null,
            });
            var summary = await ProgressDisplay.RunAsync(context, $"collecting {context.Get(resource)}", "tasks", 1, async progress =>
            {
                var result = await context.Admin.RunGarbageCollectionOnceAsync(options, context.CancellationToken).ConfigureAwait(false);
                progress.Add(1);
                return result;
            }).ConfigureAwait(false);
            Report(context, summary);
            return summary.Tasks.All(t => t.Succeeded) ? ExitCodes.Ok : ExitCodes.Failure;
        });
    }

    public static Command Schedule()
    {
        var command = new Command("schedule-garbage-collection", "Runs a garbage collector until Ctrl-C; each resource given runs every period. Values: min_age=<duration>,period=<duration>.\n\nExample: slatedb schedule-garbage-collection --url file:///data/mydb --wal min_age=10min,period=1min --compacted min_age=1h,period=10min");
        var perResource = s_resources.Select(r => (Resource: r, Option: new Option<string?>("--" + r) { Description = $"Collect {r} objects: min_age=<duration>,period=<duration>." })).ToList();
        foreach (var (_, option) in perResource)
        {
            command.Add(option);
        }

        command.Validators.Add(result =>
        {
            if (perResource.All(p => result.GetValue(p.Option) is null))
            {
                result.AddError("Give at least one of --manifest, --wal, --wal-fence, --compacted, --compactions.");
            }
        });
        return command.WithAction(async context =>
        {
            var options = new GarbageCollectorOptions
            {
                ManifestOptions = null, WalOptions = null, WalFenceOptions = null, CompactedOptions = null, CompactionsOptions = null,
            };
            foreach (var (resource, option) in perResource)
            {
                if (context.Get(option) is { } text)
                {
                    options = Only(resource, ParseSchedule(resource, text), options);
                }
            }

            var target = context.Target;
            await context.Admin.ReadManifestAsync(cancellationToken: context.CancellationToken).ConfigureAwait(false);
            var collector = await GarbageCollector.StartAsync(target.DbPath, new Storage.RetryingObjectStore(target.Store), options, cancellationToken: context.CancellationToken).ConfigureAwait(false);
            await using (collector.ConfigureAwait(false))
            {
                context.Note($"garbage collector running on {Markup.Escape(target.Url)}; Ctrl-C stops it");
                try
                {
                    await Task.Delay(Timeout.InfiniteTimeSpan, TimeProvider.System, context.CancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
                {
                    context.Note("stopping");
                }

                await collector.StopAsync().ConfigureAwait(false);
            }

            return ExitCodes.Ok;
        });
    }

    private static GarbageCollectorDirectoryOptions ParseSchedule(string resource, string text)
    {
        TimeSpan? minAge = null, period = null;
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var pair = part.Split('=', 2, StringSplitOptions.TrimEntries);
            switch (pair)
            {
                case ["min_age", var value]:
                    minAge = Durations.Parse(value);
                    break;
                case ["period", var value]:
                    period = Durations.Parse(value);
                    break;
                default:
                    throw new CliException(ExitCodes.Usage, $"--{resource} '{text}': expected min_age=<duration>,period=<duration>.");
            }
        }

        if (minAge is null || period is null)
        {
            throw new CliException(ExitCodes.Usage, $"--{resource} '{text}': both min_age and period are needed.");
        }

        return new GarbageCollectorDirectoryOptions { MinAge = minAge.Value, Interval = period.Value };
    }

    private static GarbageCollectorOptions Only(string resource, GarbageCollectorDirectoryOptions task, GarbageCollectorOptions options) => resource switch
    {
        "manifest" => options with { ManifestOptions = task },
        "wal" => options with { WalOptions = task },
        "wal-fence" => options with { WalFenceOptions = task },
        "compacted" => options with { CompactedOptions = task },
        _ => options with { CompactionsOptions = task },
    };

    private static void Report(CliContext context, GarbageCollectionSummary summary)
    {
        if (context.Json)
        {
            context.WriteJson(new
            {
                expired_checkpoints = summary.ExpiredCheckpoints,
                deleted = summary.TotalDeleted,
                tasks = summary.Tasks.Select(t => new { kind = t.Kind, dry_run = t.DryRun, candidates = t.Candidates, deleted = t.Deleted, failed = t.Failed, error = t.Error?.Message }),
            });
            return;
        }

        var table = new Table().AddColumns("resource", "candidates", "deleted", "failed", "error");
        foreach (var t in summary.Tasks)
        {
            table.AddRow(t.Kind.ToString(), t.Candidates.Count.ToString(System.Globalization.CultureInfo.InvariantCulture) + (t.DryRun ? " (dry run)" : string.Empty), t.Deleted.ToString(System.Globalization.CultureInfo.InvariantCulture), t.Failed.ToString(System.Globalization.CultureInfo.InvariantCulture), Markup.Escape(t.Error?.Message ?? string.Empty));
        }

        context.Out.Write(table);
        if (summary.ExpiredCheckpoints > 0)
        {
            context.Out.MarkupLine($"removed {summary.ExpiredCheckpoints} expired checkpoints");
        }
    }
}
