using System.CommandLine;
using SlateDB.Cli.Infrastructure;
using Spectre.Console;

namespace SlateDB.Cli.Commands;

/// <summary><c>delete-db</c>: deletes every object of the database (a dry run unless <c>--confirm</c>).</summary>
internal static class DeleteDbCommand
{
    public static Command Create()
    {
        var confirm = new Option<bool>("--confirm") { Description = "Really delete; without it, list what would be deleted." };
        var command = new Command("delete-db", "Deletes the database: every object under its path (after releasing the checkpoints it holds on the databases it was cloned from). A dry run unless --confirm. Close its writers, readers and compactors first.\n\nExample: slatedb delete-db --url file:///data/olddb --confirm")
        {
            confirm,
        };
        return command.WithAction(async context =>
        {
            var admin = context.Admin;
            var really = context.Get(confirm);
            var listing = await DbObjects.ListAsync(context).ConfigureAwait(false);
            if (listing.Count == 0)
            {
                throw new CliException(ExitCodes.NotFound, $"There is no database at '{context.Target.Url}' (no objects).");
            }

            var result = await ProgressDisplay.RunAsync(context, really ? "deleting" : "listing", "objects", listing.Count, async progress =>
            {
                var deleted = await admin.DeleteDatabaseAsync(really, context.CancellationToken).ConfigureAwait(false);
                progress.Add(deleted.Objects.Count);
                return deleted;
            }).ConfigureAwait(false);
            if (context.Json)
            {
                context.WriteJson(result);
                return ExitCodes.Ok;
            }

            context.Out.MarkupLine(result.DryRun
                ? $"[yellow]dry run[/]: {result.Objects.Count} objects would be deleted ({Bytes.Size(listing.Sum(o => o.Size))}); add --confirm to delete them"
                : $"deleted {result.Objects.Count} objects ({Bytes.Size(listing.Sum(o => o.Size))})");
            foreach (var parent in result.ReleasedParentCheckpoints)
            {
                context.Out.MarkupLine(Markup.Escape($"{(result.DryRun ? "would release" : "released")} checkpoint {parent.CheckpointId} of {parent.ParentPath}"));
            }

            return ExitCodes.Ok;
        });
    }
}
