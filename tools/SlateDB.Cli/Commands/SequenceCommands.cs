using System.CommandLine;
using System.Globalization;
using SlateDB.Cli.Infrastructure;

namespace SlateDB.Cli.Commands;

/// <summary><c>seq-to-ts</c> and <c>ts-to-seq</c>: the manifest's sequence tracker (RFC-0012).</summary>
internal static class SequenceCommands
{
    private static Option<string> Round() => new("--round")
    {
        Description = "Without an exact record, take the nearest one below (down) or above (up).",
        DefaultValueFactory = _ => "down",
    };

    public static Command SeqToTs()
    {
        var seq = new Argument<long>("seq") { Description = "A sequence number." };
        var round = Round().AcceptOnlyFromAmong("down", "up");
        var command = new Command("seq-to-ts", "Converts a sequence number to the time recorded for it (exit code 3 when none is recorded).\n\nExample: slatedb seq-to-ts --url file:///data/mydb 1200 --round up")
        {
            seq, round,
        };
        return command.WithAction(async context =>
        {
            var sequence = context.Get(seq);
            var up = context.Get(round) == "up";
            var time = await context.Admin.GetTimestampForSequenceAsync(sequence, up, context.CancellationToken).ConfigureAwait(false)
                ?? throw new CliException(ExitCodes.NotFound, $"No time is recorded for sequence {sequence} (rounding {(up ? "up" : "down")}).");
            if (context.Json)
            {
                context.WriteJson(new { seq = sequence, timestamp = time, ts_secs = time.ToUnixTimeSeconds() });
            }
            else
            {
                context.StdOut.WriteLine(time.ToString("O", CultureInfo.InvariantCulture));
            }

            return ExitCodes.Ok;
        });
    }

    public static Command TsToSeq()
    {
        var ts = new Argument<long>("ts-secs") { Description = "A Unix time in seconds." };
        var round = Round().AcceptOnlyFromAmong("down", "up");
        var command = new Command("ts-to-seq", "Converts a Unix time (seconds) to the sequence number recorded then (exit code 3 when none is recorded).\n\nExample: slatedb ts-to-seq --url file:///data/mydb 1767225600")
        {
            ts, round,
        };
        return command.WithAction(async context =>
        {
            var seconds = context.Get(ts);
            var up = context.Get(round) == "up";
            var time = DateTimeOffset.FromUnixTimeSeconds(seconds);
            var sequence = await context.Admin.GetSequenceForTimestampAsync(time, up, context.CancellationToken).ConfigureAwait(false)
                ?? throw new CliException(ExitCodes.NotFound, $"No sequence number is recorded at {time:O} (rounding {(up ? "up" : "down")}).");
            if (context.Json)
            {
                context.WriteJson(new { ts_secs = seconds, seq = sequence });
            }
            else
            {
                context.StdOut.WriteLine(sequence.ToString(CultureInfo.InvariantCulture));
            }

            return ExitCodes.Ok;
        });
    }
}
