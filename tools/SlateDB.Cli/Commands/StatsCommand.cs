using System.CommandLine;
using System.Globalization;
using SlateDB.Cli.Infrastructure;
using Spectre.Console;

namespace SlateDB.Cli.Commands;

/// <summary><c>stats</c>: what is in the bucket and what the newest manifest says, without opening the database.</summary>
internal static class StatsCommand
{
    public static Command Create()
    {
        var command = new Command("stats", "Shows objects and bytes per kind, L0 and sorted runs with sizes, checkpoints, the WAL range and the last compactions (reads the listing and the newest manifest; writes nothing).\n\nExample: slatedb stats --url s3://bucket/mydb");
        return command.WithAction(async context =>
        {
            var manifest = await context.Admin.ReadManifestAsync(cancellationToken: context.CancellationToken).ConfigureAwait(false);
            var objects = await DbObjects.ListAsync(context).ConfigureAwait(false);
            var compactions = await context.Admin.ReadCompactionsAsync(cancellationToken: context.CancellationToken).ConfigureAwait(false);
            var lastCompactions = (compactions?.Compactions ?? []).OrderByDescending(c => c.SubmittedAt).Take(LastCompactions).ToList();
            var kinds = objects.GroupBy(o => o.Kind).OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => new { kind = g.Key, objects = g.Count(), bytes = g.Sum(o => o.Size) }).ToList();
            var wal = DbObjects.WalObjects(objects).Where(w => w.Object.Size > 0).Select(w => w.Id).ToList();
            var l0Bytes = manifest.L0.Sum(s => (long)s.EstimatedSize);
            var runs = manifest.SortedRuns.Select(r => new { id = r.Id, ssts = r.Ssts.Count, bytes = r.Ssts.Sum(s => (long)s.EstimatedSize) }).ToList();
            var stats = new
            {
                url = context.Target.Url,
                manifest_id = manifest.Id,
                writer_epoch = manifest.WriterEpoch,
                compactor_epoch = manifest.CompactorEpoch,
                objects = kinds,
                total_objects = objects.Count,
                total_bytes = objects.Sum(o => o.Size),
                l0 = new { ssts = manifest.L0.Count, bytes = l0Bytes },
                sorted_runs = runs,
                checkpoints = manifest.Checkpoints,
                wal = new
                {
                    replay_after = manifest.ReplayAfterWalId,
                    next_id = manifest.NextWalSstId,
                    oldest_object = wal.Count > 0 ? wal[0] : (ulong?)null,
                    newest_object = wal.Count > 0 ? wal[^1] : (ulong?)null,
                    objects = wal.Count,
                },
                last_l0_seq = manifest.LastL0Sequence,
                last_compactions = lastCompactions.Select(c => new
                {
                    id = c.Id,
                    status = c.Status,
                    submitted_at = c.SubmittedAt,
                    sources = c.Sources.Select(s => s.IsSortedRun ? $"SR {s.SortedRunId}" : $"L0 {s.L0ViewId}").ToList(),
                    destination = c.Destination,
                    output_ssts = c.OutputSstIds.Count,
                    output_bytes = c.OutputBytes,
                }).ToList(),
            };
            if (context.Json)
            {
                context.WriteJson(stats);
                return ExitCodes.Ok;
            }

            var objectTable = new Table().Title("objects").AddColumns("kind", "objects", "bytes");
            objectTable.Columns[1].RightAligned();
            objectTable.Columns[2].RightAligned();
            foreach (var k in kinds)
            {
                objectTable.AddRow(k.kind, N(k.objects), Bytes.Size(k.bytes));
            }

            objectTable.AddRow("[bold]total[/]", $"[bold]{N(objects.Count)}[/]", $"[bold]{Bytes.Size(stats.total_bytes)}[/]");

            var tree = new Table().Title("LSM tree").AddColumns("level", "SSTs", "bytes");
            tree.Columns[1].RightAligned();
            tree.Columns[2].RightAligned();
            tree.AddRow("L0", N(manifest.L0.Count), Bytes.Size(l0Bytes));
            foreach (var run in runs)
            {
                tree.AddRow($"SR {run.id}", N(run.ssts), Bytes.Size(run.bytes));
            }

            var header = new Markup(
                $"[bold]{Markup.Escape(context.Target.Url)}[/]\n" +
                $"manifest [yellow]{manifest.Id}[/]  writer epoch {manifest.WriterEpoch}  compactor epoch {manifest.CompactorEpoch}\n" +
                $"WAL: replay after {manifest.ReplayAfterWalId}, next {manifest.NextWalSstId}, objects {(wal.Count > 0 ? $"{wal[0]}..{wal[^1]} ({wal.Count})" : "none")}\n" +
                $"last sequence in L0: {manifest.LastL0Sequence}");
            context.Out.Write(new Rows(header, new Columns(objectTable, tree) { Expand = false }));
            context.Out.WriteLine();
            if (manifest.Checkpoints.Count > 0)
            {
                context.Out.Write(CheckpointCommands.Table(manifest.Checkpoints).Title("checkpoints"));
            }
            else
            {
                context.Out.MarkupLine("checkpoints: none");
            }

            if (lastCompactions.Count > 0)
            {
                context.Out.Write(CompactionCommands.Table(lastCompactions).Title("last compactions"));
            }
            else
            {
                context.Out.MarkupLine("compactions: none recorded");
            }

            return ExitCodes.Ok;
        });
    }

    /// <summary>How many of the newest compactions <c>stats</c> shows.</summary>
    private const int LastCompactions = 5;

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
