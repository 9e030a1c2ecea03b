using System.CommandLine;
using SlateDB.Cli.Infrastructure;
using SlateDB.Compaction;
using Spectre.Console;

namespace SlateDB.Cli.Commands;

/// <summary><c>run-compactor</c>: a standalone compactor until Ctrl-C.</summary>
internal static class CompactorCommand
{
    public static Command Create()
    {
        var poll = new Option<string>("--poll-interval") { Description = "How often it looks for work.", DefaultValueFactory = _ => "5s" };
        var coordinatorOnly = new Option<bool>("--no-embedded-worker") { Description = "Only schedule compactions, for `run-worker` processes to claim and run (RFC-0025 coordinator)." };
        var command = new Command("run-compactor", "Runs a standalone compactor until Ctrl-C (claims the compactor epoch: a running compactor, embedded or not, is fenced).\n\nExample: slatedb run-compactor --url s3://bucket/mydb\nCoordinator for workers: slatedb run-compactor --url s3://bucket/mydb --no-embedded-worker")
        {
            poll,
            coordinatorOnly,
        };
        return command.WithAction(async context =>
        {
            var target = context.Target;
            await context.Admin.ReadManifestAsync(cancellationToken: context.CancellationToken).ConfigureAwait(false);
            var options = new CompactorOptions { PollInterval = Durations.Parse(context.Get(poll)!) };
            if (context.Get(coordinatorOnly))
            {
                options = options with { Worker = null };
            }

            var compactor = await Compactor.Builder(target.DbPath, target.Store).WithOptions(options).StartAsync(context.CancellationToken).ConfigureAwait(false);
            await using (compactor.ConfigureAwait(false))
            {
                var role = options.Worker is null ? "coordinator (no embedded worker) " : "";
                context.Note($"compactor {role}running on {Markup.Escape(target.Url)} (epoch {compactor.Epoch}); Ctrl-C stops it");
                try
                {
                    while (!compactor.IsFenced)
                    {
                        await Task.Delay(TimeSpan.FromMilliseconds(500), TimeProvider.System, context.CancellationToken).ConfigureAwait(false);
                    }
                }
                catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
                {
                    context.Note("stopping");
                }

                await compactor.StopAsync().ConfigureAwait(false);
                if (compactor.IsFenced)
                {
                    throw new CliException(ExitCodes.Fenced, "Another compactor claimed the database; this one stopped.");
                }
            }

            return ExitCodes.Ok;
        });
    }
}
