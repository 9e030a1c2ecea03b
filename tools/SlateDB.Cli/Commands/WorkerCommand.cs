using System.CommandLine;
using SlateDB.Cli.Infrastructure;
using SlateDB.Compaction;
using Spectre.Console;

namespace SlateDB.Cli.Commands;

/// <summary><c>run-worker</c>: a standalone compaction worker until Ctrl-C.</summary>
internal static class WorkerCommand
{
    public static Command Create()
    {
        var poll = new Option<string>("--poll-interval") { Description = "How often it looks for scheduled compactions.", DefaultValueFactory = _ => "5s" };
        var command = new Command("run-worker", "Runs a compaction worker until Ctrl-C: it claims the compactions a coordinating compactor schedules in the .compactions file, runs them and reports them compacted. Workers never fence each other, the writer or the compactor.\n\nExample: slatedb run-worker --url s3://bucket/mydb")
        {
            poll,
        };
        return command.WithAction(async context =>
        {
            var target = context.Target;
            await context.Admin.ReadManifestAsync(cancellationToken: context.CancellationToken).ConfigureAwait(false);
            var options = new CompactionWorkerOptions { CompactionsPollInterval = Durations.Parse(context.Get(poll)!) };
            var worker = await CompactionWorker.StartAsync(target.DbPath, target.Store, options, context.CancellationToken).ConfigureAwait(false);
            await using (worker.ConfigureAwait(false))
            {
                context.Note($"compaction worker [green]{Markup.Escape(worker.WorkerId)}[/] running on {Markup.Escape(target.Url)}; Ctrl-C stops it");
                try
                {
                    await worker.Completion.WaitAsync(context.CancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
                {
                    context.Note("stopping");
                }

                await worker.StopAsync().ConfigureAwait(false);
                if (context.Json)
                {
                    context.WriteJson(new { worker_id = worker.WorkerId, completed = worker.CompletedCompactions });
                }
                else
                {
                    context.StdOut.WriteLine($"worker {worker.WorkerId} stopped after {worker.CompletedCompactions} compactions");
                }
            }

            return ExitCodes.Ok;
        });
    }
}
