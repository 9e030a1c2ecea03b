using System.CommandLine;
using SlateDB.Cli.Infrastructure;

namespace SlateDB.Cli.Commands;

/// <summary><c>get</c> (a reader: never fences) and <c>put</c>/<c>delete</c> (open a writer: need <c>--yes</c>).</summary>
internal static class KeyValueCommands
{
    private const string WriterWarning = "opens a writer, which fences the database's running writer (it fails on its next write); add --yes to go ahead.";

    private static Option<BytesMode> KeyMode() => new("--key-format") { Description = "How the key is read and shown: auto (0x-prefixed hex or UTF-8), utf8, hex.", DefaultValueFactory = _ => BytesMode.Auto };

    private static Option<bool> Yes() => new("--yes", "-y") { Description = "Confirm opening a writer (this fences the running writer)." };

    public static Command Get()
    {
        var key = new Argument<string>("key") { Description = "The key." };
        var keyMode = KeyMode();
        var valueMode = new Option<BytesMode>("--value") { Description = "How the value is shown: auto, utf8, hex.", DefaultValueFactory = _ => BytesMode.Auto };
        var checkpoint = new Option<Guid?>("--checkpoint") { Description = "Read this checkpoint instead of the newest state." };
        var command = new Command("get", "Reads one key through a reader that never fences the writer. Exit code 3 when the key is absent.\n\nExample: slatedb get --url file:///data/mydb user:42")
        {
            key, keyMode, valueMode, checkpoint,
        };
        return command.WithAction(async context =>
        {
            var mode = context.Get(keyMode);
            var keyText = context.Get(key)!;
            var reader = await ReaderFactory.OpenAsync(context, context.Get(checkpoint)).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                var found = await reader.GetKeyValueAsync(Bytes.Parse(keyText, mode), cancellationToken: context.CancellationToken).ConfigureAwait(false)
                    ?? throw new CliException(ExitCodes.NotFound, $"The key '{keyText}' is not in '{context.Target.Url}'.");
                var value = Bytes.Render(found.Value.Span, context.Get(valueMode));
                if (context.Json)
                {
                    context.WriteJson(new { key = Bytes.Render(found.Key.Span, mode), value, seq = found.Sequence, created_at = found.CreatedAt, expires_at = found.ExpiresAt });
                }
                else
                {
                    context.StdOut.WriteLine(value);
                }
            }

            return ExitCodes.Ok;
        });
    }

    public static Command Put()
    {
        var key = new Argument<string>("key") { Description = "The key." };
        var value = new Argument<string>("value") { Description = "The value (UTF-8, or hex with --value-format hex)." };
        var keyMode = KeyMode();
        var valueMode = new Option<BytesMode>("--value-format") { Description = "How the value is read: auto (0x-prefixed hex or UTF-8), utf8, hex.", DefaultValueFactory = _ => BytesMode.Auto };
        var ttl = new Option<string?>("--ttl") { Description = "A time to live, such as 10min." };
        var yes = Yes();
        var command = new Command("put", "Writes one key. Opens a writer, which fences the running writer: needs --yes.\n\nExample: slatedb put --url file:///data/mydb --yes user:42 '{\"name\":\"Ada\"}'")
        {
            key, value, keyMode, valueMode, ttl, yes,
        };
        return command.WithAction(async context =>
        {
            RequireYes(context, yes, "put");
            var keyBytes = Bytes.Parse(context.Get(key)!, context.Get(keyMode));
            var valueBytes = Bytes.Parse(context.Get(value)!, context.Get(valueMode));
            var putOptions = context.Get(ttl) is { } text ? new PutOptions { Ttl = Ttl.ExpireAfter(Durations.Parse(text)) } : null;
            var db = await OpenWriterAsync(context).ConfigureAwait(false);
            long seq;
            await using (db.ConfigureAwait(false))
            {
                var handle = await db.PutAsync(keyBytes, valueBytes, putOptions, cancellationToken: context.CancellationToken).ConfigureAwait(false);
                seq = handle.Sequence;
                await db.CloseAsync(context.CancellationToken).ConfigureAwait(false);
            }

            Report(context, "put", context.Get(key)!, seq);
            return ExitCodes.Ok;
        });
    }

    public static Command Delete()
    {
        var key = new Argument<string>("key") { Description = "The key." };
        var keyMode = KeyMode();
        var yes = Yes();
        var command = new Command("delete", "Deletes one key. Opens a writer, which fences the running writer: needs --yes.\n\nExample: slatedb delete --url file:///data/mydb --yes user:42")
        {
            key, keyMode, yes,
        };
        return command.WithAction(async context =>
        {
            RequireYes(context, yes, "delete");
            var keyBytes = Bytes.Parse(context.Get(key)!, context.Get(keyMode));
            var db = await OpenWriterAsync(context).ConfigureAwait(false);
            long seq;
            await using (db.ConfigureAwait(false))
            {
                var handle = await db.DeleteAsync(keyBytes, cancellationToken: context.CancellationToken).ConfigureAwait(false);
                seq = handle.Sequence;
                await db.CloseAsync(context.CancellationToken).ConfigureAwait(false);
            }

            Report(context, "delete", context.Get(key)!, seq);
            return ExitCodes.Ok;
        });
    }

    private static void RequireYes(CliContext context, Option<bool> yes, string verb)
    {
        if (!context.Get(yes))
        {
            throw new CliException(ExitCodes.Usage, $"{verb} {WriterWarning}");
        }
    }

    private static async Task<SlateDb> OpenWriterAsync(CliContext context)
    {
        var target = context.Target;
        context.Note($"[yellow]opening a writer on {Spectre.Console.Markup.Escape(target.Url)}: the running writer, if any, is fenced[/]");
        return await SlateDb.OpenAsync(target.DbPath, target.Store, cancellationToken: context.CancellationToken).ConfigureAwait(false);
    }

    private static void Report(CliContext context, string verb, string key, long seq)
    {
        if (context.Json)
        {
            context.WriteJson(new { op = verb, key, seq });
        }
        else
        {
            context.StdOut.WriteLine($"{verb} {key} at sequence {seq}");
        }
    }
}
