using System.CommandLine;
using System.Text;
using System.Text.Json;
using SlateDB.Cli.Infrastructure;

namespace SlateDB.Cli.Commands;

/// <summary><c>scan</c>: key/value pairs through a reader that never fences the writer.</summary>
internal static class ScanCommand
{
    public static Command Create()
    {
        var prefix = new Option<string?>("--prefix") { Description = "Only keys starting with these bytes (read as --key says)." };
        var from = new Option<string?>("--from") { Description = "The first key (inclusive)." };
        var to = new Option<string?>("--to") { Description = "The end key (exclusive)." };
        var keyMode = new Option<BytesMode>("--key") { Description = "How keys are shown and --prefix/--from/--to read: auto, utf8, hex.", DefaultValueFactory = _ => BytesMode.Auto };
        var valueMode = new Option<BytesMode>("--value") { Description = "How values are shown: auto, utf8, hex, none.", DefaultValueFactory = _ => BytesMode.Auto };
        var maxKeys = new Option<long?>("--max-keys") { Description = "Stop after this many entries." };
        var count = new Option<bool>("--count") { Description = "Print only the number of entries and their total size (with a progress bar on a terminal)." };
        var checkpoint = new Option<Guid?>("--checkpoint") { Description = "Scan this checkpoint (protected from garbage collection) instead of the newest state." };
        var command = new Command("scan", "Prints key/value pairs, one '<key>\\t<value>' line each (JSON lines with --json). Opens a reader that never fences the writer and writes nothing, so it is safe on a live database.\n\nExamples:\n  slatedb scan --url file:///data/mydb --prefix user:\n  slatedb scan --url s3://bucket/mydb --count")
        {
            prefix, from, to, keyMode, valueMode, maxKeys, count, checkpoint,
        };
        command.Validators.Add(result =>
        {
            if (result.GetValue(prefix) is not null && (result.GetValue(from) is not null || result.GetValue(to) is not null))
            {
                result.AddError("--prefix cannot be combined with --from or --to.");
            }

            if (result.GetValue(maxKeys) is < 0)
            {
                result.AddError("--max-keys must not be negative.");
            }
        });
        return command.WithAction(async context =>
        {
            var keys = context.Get(keyMode);
            var values = context.Get(valueMode);
            var range = context.Get(prefix) is { } p
                ? KeyRange.Prefix(Bytes.Parse(p, keys))
                : KeyRange.Create(
                    context.Get(from) is { } f ? (ReadOnlyMemory<byte>?)Bytes.Parse(f, keys) : null,
                    true,
                    context.Get(to) is { } t ? (ReadOnlyMemory<byte>?)Bytes.Parse(t, keys) : null,
                    false);
            var limit = context.Get(maxKeys) ?? long.MaxValue;
            var reader = await ReaderFactory.OpenAsync(context, context.Get(checkpoint)).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                if (context.Get(count))
                {
                    var (entries, bytes) = await ProgressDisplay.RunAsync(context, "scanning", "entries", null, async progress =>
                    {
                        long n = 0, size = 0;
                        await foreach (var kv in reader.ScanAsync(range, cancellationToken: context.CancellationToken).ConfigureAwait(false))
                        {
                            if (n == limit)
                            {
                                break;
                            }

                            n++;
                            size += kv.Key.Length + kv.Value.Length;
                            progress.Add(1);
                        }

                        return (n, size);
                    }).ConfigureAwait(false);
                    if (context.Json)
                    {
                        context.WriteJson(new { count = entries, bytes });
                    }
                    else
                    {
                        Console.Out.WriteLine($"{entries} entries, {bytes} bytes");
                    }

                    return ExitCodes.Ok;
                }

                var output = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false), 1 << 16) { AutoFlush = false };
                await using (output.ConfigureAwait(false))
                {
                    long written = 0;
                    await foreach (var kv in reader.ScanAsync(range, cancellationToken: context.CancellationToken).ConfigureAwait(false))
                    {
                        if (written == limit)
                        {
                            break;
                        }

                        written++;
                        if (context.Json)
                        {
                            await output.WriteLineAsync(JsonSerializer.Serialize(new Dictionary<string, object?>
                            {
                                ["key"] = Bytes.Render(kv.Key.Span, keys),
                                ["value"] = values == BytesMode.None ? null : Bytes.Render(kv.Value.Span, values),
                                ["seq"] = kv.Sequence,
                            })).ConfigureAwait(false);
                        }
                        else if (values == BytesMode.None)
                        {
                            await output.WriteLineAsync(Bytes.Render(kv.Key.Span, keys)).ConfigureAwait(false);
                        }
                        else
                        {
                            await output.WriteLineAsync($"{Bytes.Render(kv.Key.Span, keys)}\t{Bytes.Render(kv.Value.Span, values)}").ConfigureAwait(false);
                        }
                    }
                }
            }

            return ExitCodes.Ok;
        });
    }
}
