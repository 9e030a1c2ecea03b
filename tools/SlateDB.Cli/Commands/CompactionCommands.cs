using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using SlateDB.Cli.Infrastructure;
using SlateDB.Compaction;
using Spectre.Console;

namespace SlateDB.Cli.Commands;

/// <summary><c>read-compactions</c>, <c>list-compactions</c>, <c>read-compaction</c>, <c>submit-compaction</c>.</summary>
internal static class CompactionCommands
{
    public static Command ReadCompactions()
    {
        var id = new Option<ulong?>("--id", "-i") { Description = "A version of the .compactions file; default: the newest." };
        var command = new Command("read-compactions", "Reads the compactor's state file (.compactions): the compactions submitted, running and recently finished.\n\nExample: slatedb read-compactions --url file:///data/mydb --json")
        {
            id,
        };
        return command.WithAction(async context =>
        {
            var admin = context.Admin;
            await admin.ReadManifestAsync(cancellationToken: context.CancellationToken).ConfigureAwait(false);
            var found = await admin.ReadCompactionsAsync(context.Get(id), context.CancellationToken).ConfigureAwait(false)
                ?? throw new CliException(ExitCodes.NotFound, context.Get(id) is { } wanted
                    ? $"Version {wanted} of the .compactions file of '{context.Target.Url}' does not exist."
                    : $"'{context.Target.Url}' has no .compactions file (no compactor ever ran on it).");
            if (context.Json)
            {
                context.WriteJson(found);
            }
            else
            {
                context.Out.MarkupLine($".compactions version [yellow]{found.Id}[/] (format {found.FormatVersion}), compactor epoch {found.CompactorEpoch}");
                context.Out.Write(Table(found.Compactions));
            }

            return ExitCodes.Ok;
        });
    }

    public static Command ListCompactions()
    {
        var start = new Option<ulong?>("--start", "-s") { Description = "The first version (inclusive)." };
        var end = new Option<ulong?>("--end", "-e") { Description = "The end version (exclusive)." };
        var command = new Command("list-compactions", "Lists the versions of the .compactions file in a range, each read.\n\nExample: slatedb list-compactions --url file:///data/mydb --start 3 --json")
        {
            start, end,
        };
        return command.WithAction(async context =>
        {
            var admin = context.Admin;
            await admin.ReadManifestAsync(cancellationToken: context.CancellationToken).ConfigureAwait(false);
            var versions = await admin.ListCompactionsAsync(context.Get(start), context.Get(end), context.CancellationToken).ConfigureAwait(false);
            if (context.Json)
            {
                context.WriteJson(versions);
                return ExitCodes.Ok;
            }

            var table = new Table().AddColumns("version", "format", "compactor epoch", "compactions", "running", "finished");
            foreach (var v in versions)
            {
                table.AddRow(
                    N(v.Id),
                    N(v.FormatVersion),
                    N(v.CompactorEpoch),
                    N(v.Compactions.Count),
                    N(v.Compactions.Count(c => c.Status is CompactionJobStatus.Running or CompactionJobStatus.Scheduled or CompactionJobStatus.Submitted)),
                    N(v.Compactions.Count(c => c.Status is CompactionJobStatus.Completed or CompactionJobStatus.Failed)));
            }

            context.Out.Write(table);
            return ExitCodes.Ok;
        });
    }

    public static Command ReadCompaction()
    {
        var id = new Option<string>("--id", "-i") { Description = "The compaction's id (a ULID).", Required = true };
        var compactionsId = new Option<ulong?>("--compactions-id") { Description = "The .compactions version to read it from; default: the newest." };
        var command = new Command("read-compaction", "Reads one compaction by id from the .compactions file (exit code 3 when it is not there).\n\nExample: slatedb read-compaction --url file:///data/mydb --id 01JH8FQ5K6K7QK6EJ0E9HNF1J2")
        {
            id, compactionsId,
        };
        return command.WithAction(async context =>
        {
            var admin = context.Admin;
            await admin.ReadManifestAsync(cancellationToken: context.CancellationToken).ConfigureAwait(false);
            var compaction = await admin.ReadCompactionAsync(context.Get(id)!, context.Get(compactionsId), context.CancellationToken).ConfigureAwait(false)
                ?? throw new CliException(ExitCodes.NotFound, $"There is no compaction {context.Get(id)} in the .compactions file of '{context.Target.Url}'.");
            if (context.Json)
            {
                context.WriteJson(compaction);
            }
            else
            {
                context.Out.Write(Table([compaction]));
            }

            return ExitCodes.Ok;
        });
    }

    public static Command Submit()
    {
        var scheduler = new Option<string>("--scheduler") { Description = "The compaction scheduler (only size-tiered).", DefaultValueFactory = _ => "size-tiered" }.AcceptOnlyFromAmong("size-tiered");
        var request = new Option<string>("--request") { Description = "The request as JSON: \"Full\", {\"FullSegment\":{\"segment\":[]}} or {\"Spec\":{\"sources\":[{\"SortedRun\":3},{\"Sst\":\"<ULID>\"}],\"destination\":7}}.", Required = true };
        var command = new Command("submit-compaction", "Submits a compaction for the running compactor to run (recorded in the .compactions file; never fences anyone).\n\nExamples:\n  slatedb submit-compaction --url file:///data/mydb --request '\"Full\"'\n  slatedb submit-compaction --url file:///data/mydb --request '{\"Spec\":{\"sources\":[{\"SortedRun\":3}],\"destination\":3}}'")
        {
            scheduler, request,
        };
        return command.WithAction(async context =>
        {
            var parsed = ParseRequest(context.Get(request)!);
            var submitted = await context.Admin.SubmitCompactionAsync(parsed, context.CancellationToken).ConfigureAwait(false);
            if (submitted is null)
            {
                if (context.Json)
                {
                    context.WriteJson(new { submitted = false, reason = "nothing to compact" });
                }
                else
                {
                    context.StdOut.WriteLine("nothing to compact; no compaction submitted");
                }

                return ExitCodes.Ok;
            }

            if (context.Json)
            {
                context.WriteJson(submitted);
            }
            else
            {
                context.Out.MarkupLine($"submitted compaction [green]{submitted.Id}[/]");
                context.Out.Write(Table([submitted]));
            }

            return ExitCodes.Ok;
        });
    }

    /// <summary>Reads SlateDB's JSON form of a compaction request.</summary>
    internal static CompactionRequest ParseRequest(string json)
    {
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(json);
            root = document.RootElement.Clone();
        }
        catch (JsonException exception)
        {
            throw new CliException(ExitCodes.Usage, $"--request is not JSON: {exception.Message}");
        }

        if (root.ValueKind == JsonValueKind.String && root.GetString() == "Full")
        {
            return CompactionRequest.Full;
        }

        if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("FullSegment", out var full))
        {
            if (!full.TryGetProperty("segment", out var segment) || segment.ValueKind != JsonValueKind.Array)
            {
                throw new CliException(ExitCodes.Usage, "--request FullSegment needs \"segment\": [bytes].");
            }

            if (segment.GetArrayLength() != 0)
            {
                throw new CliException(ExitCodes.Usage, "--request FullSegment: this database is unsegmented; only the root tree (\"segment\": []) exists.");
            }

            return CompactionRequest.Full;
        }

        if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("Spec", out var spec))
        {
            if (!spec.TryGetProperty("sources", out var sources) || sources.ValueKind != JsonValueKind.Array
                || !spec.TryGetProperty("destination", out var destination) || !destination.TryGetUInt32(out var destinationId))
            {
                throw new CliException(ExitCodes.Usage, "--request Spec needs \"sources\": [...] and \"destination\": <sorted run id>.");
            }

            var inputs = new List<CompactionInput>();
            foreach (var source in sources.EnumerateArray())
            {
                if (source.ValueKind == JsonValueKind.Object && source.TryGetProperty("SortedRun", out var run) && run.TryGetUInt32(out var runId))
                {
                    inputs.Add(CompactionInput.SortedRun(runId));
                }
                else if (source.ValueKind == JsonValueKind.Object && source.TryGetProperty("Sst", out var sst) && sst.ValueKind == JsonValueKind.String)
                {
                    inputs.Add(CompactionInput.L0View(sst.GetString()!));
                }
                else
                {
                    throw new CliException(ExitCodes.Usage, $"--request: source {source.GetRawText()} is neither {{\"SortedRun\": <id>}} nor {{\"Sst\": \"<ULID>\"}}.");
                }
            }

            return CompactionRequest.ForPlan(new CompactionPlan(inputs, destinationId));
        }

        throw new CliException(ExitCodes.Usage, $"--request '{json}' is not \"Full\", {{\"FullSegment\":...}} or {{\"Spec\":...}}.");
    }

    internal static Table Table(IEnumerable<CompactionInfo> compactions)
    {
        var table = new Table().AddColumns("id", "status", "sources", "destination", "outputs", "worker");
        foreach (var c in compactions)
        {
            table.AddRow(
                c.Id,
                c.Status.ToString(),
                Markup.Escape(string.Join(", ", c.Sources.Select(s => s.IsSortedRun ? $"SR {s.SortedRunId}" : $"L0 {s.L0ViewId}"))),
                c.Destination is { } d ? N(d) : "",
                $"{c.OutputSstIds.Count} SSTs, {Bytes.Size((long)c.OutputBytes)}",
                Markup.Escape(c.WorkerId ?? ""));
        }

        return table;
    }

    private static string N<T>(T value)
        where T : IFormattable => value.ToString(null, CultureInfo.InvariantCulture);
}
