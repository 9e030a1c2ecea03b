using System.CommandLine;
using System.Globalization;
using SlateDB.Cli.Infrastructure;
using Spectre.Console;

namespace SlateDB.Cli.Commands;

/// <summary><c>create-checkpoint</c>, <c>refresh-checkpoint</c>, <c>delete-checkpoint</c>, <c>list-checkpoints</c>.</summary>
internal static class CheckpointCommands
{
    private static Option<string?> LifetimeOption(string description) => new("--lifetime", "-l") { Description = description };

    private static Option<Guid> IdOption() => new("--id", "-i") { Description = "The checkpoint's id (a UUID).", Required = true };

    public static Command Create()
    {
        var lifetime = LifetimeOption("How long it lives, such as 7days 12h or 30min; default: until deleted.");
        var source = new Option<Guid?>("--source", "-s") { Description = "Copy this existing checkpoint instead of the newest manifest." };
        var name = new Option<string?>("--name", "-n") { Description = "A name to find it by (names need not be unique)." };
        var command = new Command("create-checkpoint", "Creates a checkpoint of the database's current durable state (nothing is flushed; the writer is not fenced).\n\nExample: slatedb create-checkpoint --url file:///data/mydb --name before-deploy --lifetime 7days")
        {
            lifetime, source, name,
        };
        return command.WithAction(async context =>
        {
            var options = new CheckpointOptions
            {
                Lifetime = context.Get(lifetime) is { } text ? Durations.Parse(text) : null,
                Source = context.Get(source),
                Name = context.Get(name),
            };
            var result = await context.Admin.CreateDetachedCheckpointAsync(options, context.CancellationToken).ConfigureAwait(false);
            if (context.Json)
            {
                context.WriteJson(result);
            }
            else
            {
                context.Out.MarkupLine($"created checkpoint [green]{result.Id}[/] of manifest {result.ManifestId}");
            }

            return ExitCodes.Ok;
        });
    }

    public static Command Refresh()
    {
        var id = IdOption();
        var lifetime = LifetimeOption("The new lifetime from now, such as 1h; default: never expires.");
        var command = new Command("refresh-checkpoint", "Sets an existing checkpoint to expire a lifetime from now (or never).\n\nExample: slatedb refresh-checkpoint --url file:///data/mydb --id 01740ee5-6459-44af-9a45-85deb6e468e3 --lifetime 1h")
        {
            id, lifetime,
        };
        return command.WithAction(async context =>
        {
            var checkpointId = context.Get(id);
            var span = context.Get(lifetime) is { } text ? Durations.Parse(text) : (TimeSpan?)null;
            var found = await context.Admin.ListCheckpointsAsync(cancellationToken: context.CancellationToken).ConfigureAwait(false);
            if (!found.Any(c => c.Id == checkpointId))
            {
                throw new CliException(ExitCodes.NotFound, $"There is no checkpoint {checkpointId} in '{context.Target.Url}'.");
            }

            var info = await context.Admin.RefreshCheckpointAsync(checkpointId, span, context.CancellationToken).ConfigureAwait(false);
            if (context.Json)
            {
                context.WriteJson(info);
            }
            else
            {
                context.Out.MarkupLine($"checkpoint [green]{info.Id}[/] now expires {Expiry(info)}");
            }

            return ExitCodes.Ok;
        });
    }

    public static Command Delete()
    {
        var id = IdOption();
        var command = new Command("delete-checkpoint", "Deletes a checkpoint; what only it kept is collected by the next garbage collection.\n\nExample: slatedb delete-checkpoint --url file:///data/mydb --id 01740ee5-6459-44af-9a45-85deb6e468e3")
        {
            id,
        };
        return command.WithAction(async context =>
        {
            var checkpointId = context.Get(id);
            if (!await context.Admin.DeleteCheckpointAsync(checkpointId, context.CancellationToken).ConfigureAwait(false))
            {
                throw new CliException(ExitCodes.NotFound, $"There is no checkpoint {checkpointId} in '{context.Target.Url}'.");
            }

            if (context.Json)
            {
                context.WriteJson(new { id = checkpointId, deleted = true });
            }
            else
            {
                context.Out.MarkupLine($"deleted checkpoint [green]{checkpointId}[/]");
            }

            return ExitCodes.Ok;
        });
    }

    public static Command List()
    {
        var name = new Option<string?>("--name", "-n") { Description = "Only checkpoints with this name." };
        var command = new Command("list-checkpoints", "Lists the database's checkpoints.\n\nExample: slatedb list-checkpoints --url file:///data/mydb --name before-deploy --json")
        {
            name,
        };
        return command.WithAction(async context =>
        {
            var checkpoints = await context.Admin.ListCheckpointsAsync(context.Get(name), context.CancellationToken).ConfigureAwait(false);
            if (context.Json)
            {
                context.WriteJson(checkpoints);
                return ExitCodes.Ok;
            }

            context.Out.Write(Table(checkpoints));
            return ExitCodes.Ok;
        });
    }

    internal static Table Table(IEnumerable<CheckpointInfo> checkpoints)
    {
        var table = new Table().AddColumns("id", "name", "manifest", "created", "expires");
        foreach (var c in checkpoints)
        {
            table.AddRow(
                c.Id.ToString(),
                Markup.Escape(c.Name ?? string.Empty),
                c.ManifestId.ToString(CultureInfo.InvariantCulture),
                c.CreateTime.ToString("u", CultureInfo.InvariantCulture),
                Expiry(c));
        }

        return table;
    }

    private static string Expiry(CheckpointInfo c) => c.ExpireTime?.ToString("u", CultureInfo.InvariantCulture) ?? "never";
}
