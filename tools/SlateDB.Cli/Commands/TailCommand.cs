using System.CommandLine;
using System.Text.Json;
using SlateDB.Cli.Infrastructure;

namespace SlateDB.Cli.Commands;

/// <summary><c>tail</c>: the live change feed (every durable write, in sequence order) until Ctrl-C.</summary>
internal static class TailCommand
{
    public static Command Create()
    {
        var fromSeq = new Option<long?>("--from-seq") { Description = "The first sequence wanted (default: the oldest the WAL still holds)." };
        var maxEvents = new Option<long?>("--max-events", "-n") { Description = "Stop after this many rows." };
        var poll = new Option<string>("--poll-interval") { Description = "How often to look for new WAL objects.", DefaultValueFactory = _ => "100ms" };
        var keyMode = new Option<BytesMode>("--key") { Description = "How keys are shown: auto, utf8, hex.", DefaultValueFactory = _ => BytesMode.Auto };
        var valueMode = new Option<BytesMode>("--value") { Description = "How values are shown: auto, utf8, hex, none.", DefaultValueFactory = _ => BytesMode.Auto };
        var command = new Command("tail", "Follows the database's change feed (its WAL) and prints each durable write as '<seq>\\t<kind>\\t<key>\\t<value>' (JSON lines with --json) until Ctrl-C. Reads only.\n\nExample: slatedb tail --url file:///data/mydb --from-seq 1000")
        {
            fromSeq, maxEvents, poll, keyMode, valueMode,
        };
        return command.WithAction(async context =>
        {
            var target = context.Target;
            await context.Admin.ReadManifestAsync(cancellationToken: context.CancellationToken).ConfigureAwait(false);
            var keys = context.Get(keyMode);
            var values = context.Get(valueMode);
            var limit = context.Get(maxEvents) ?? long.MaxValue;
            var options = new ChangeFeedOptions { FromSequence = context.Get(fromSeq), PollInterval = Durations.Parse(context.Get(poll)!) };
            long seen = 0;
            try
            {
                await foreach (var change in ChangeFeed.ReadAsync(target.DbPath, target.Store, options, cancellationToken: context.CancellationToken).ConfigureAwait(false))
                {
                    if (seen == limit)
                    {
                        break;
                    }

                    seen++;
                    var key = Bytes.Render(change.Key.Span, keys);
                    var value = change.Value is { } v && values != BytesMode.None ? Bytes.Render(v.Span, values) : null;
                    if (context.Json)
                    {
                        await context.StdOut.WriteLineAsync(JsonSerializer.Serialize(new { seq = change.Sequence, kind = change.Kind.ToString().ToLowerInvariant(), key, value, create_ts = change.CreateTs, expire_ts = change.ExpireTs, wal_id = change.WalId }, JsonOutput.Compact)).ConfigureAwait(false);
                    }
                    else
                    {
                        await context.StdOut.WriteLineAsync($"{change.Sequence}\t{change.Kind.ToString().ToLowerInvariant()}\t{key}\t{value}").ConfigureAwait(false);
                    }

                    await context.StdOut.FlushAsync(context.CancellationToken).ConfigureAwait(false);
                    if (seen == limit)
                    {
                        break;
                    }
                }
            }
            catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
            {
                // Ctrl-C: a normal end.
            }

            return ExitCodes.Ok;
        });
    }
}
