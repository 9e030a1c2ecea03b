using System.CommandLine;
using SlateDB.Cli.Infrastructure;
using Spectre.Console;

namespace SlateDB.Cli.Commands;

/// <summary><c>read-manifest</c> and <c>list-manifests</c>.</summary>
internal static class ManifestCommands
{
    public static Command ReadManifest()
    {
        var id = new Option<ulong?>("--id", "-i") { Description = "A manifest version; default: the newest." };
        var command = new Command("read-manifest", "Reads the newest manifest (or version --id): epochs, WAL and sequence marks, L0, sorted runs, checkpoints.\n\nExample: slatedb read-manifest --url file:///data/mydb --json")
        {
            id,
        };
        return command.WithAction(async context =>
        {
            var manifest = await context.Admin.ReadManifestAsync(context.Get(id), context.CancellationToken).ConfigureAwait(false);
            if (context.Json)
            {
                context.WriteJson(manifest);
            }
            else
            {
                context.Out.Write(ManifestTree(manifest, context.Target.Url));
            }

            return ExitCodes.Ok;
        });
    }

    public static Command ListManifests()
    {
        var start = new Option<ulong?>("--start", "-s") { Description = "The first manifest id (inclusive)." };
        var end = new Option<ulong?>("--end", "-e") { Description = "The last manifest id (exclusive, as SlateDB's CLI)." };
        var command = new Command("list-manifests", "Lists the manifest versions present, each read and summarized.\n\nExample: slatedb list-manifests --url file:///data/mydb --start 10 --json")
        {
            start,
            end,
        };
        return command.WithAction(async context =>
        {
            var admin = context.Admin;
            var ids = await admin.ListManifestsAsync(context.CancellationToken).ConfigureAwait(false);
            if (ids.Count == 0)
            {
                throw new CliException(ExitCodes.NotFound, $"There is no database at '{context.Target.Url}' (no manifest).");
            }

            var from = context.Get(start) ?? 0;
            var until = context.Get(end) ?? ulong.MaxValue;
            var manifests = new List<ManifestInfo>();
            foreach (var manifestId in ids.Where(i => i >= from && i < until))
            {
                try
                {
                    manifests.Add(await admin.ReadManifestAsync(manifestId, context.CancellationToken).ConfigureAwait(false));
                }
                catch (SlateDbException exception) when (exception.Kind == SlateDbErrorKind.Invalid)
                {
                    // Collected between the listing and the read.
                }
            }

            if (context.Json)
            {
                context.WriteJson(manifests);
                return ExitCodes.Ok;
            }

            var table = new Table().AddColumns("id", "writer epoch", "compactor epoch", "next WAL", "replay after", "last L0 seq", "L0", "sorted runs", "checkpoints");
            foreach (var m in manifests)
            {
                table.AddRow(Cell(m.Id), Cell(m.WriterEpoch), Cell(m.CompactorEpoch), Cell(m.NextWalSstId), Cell(m.ReplayAfterWalId), Cell(m.LastL0Sequence), Cell(m.L0.Count), Cell(m.SortedRuns.Count), Cell(m.Checkpoints.Count));
            }

            context.Out.Write(table);
            return ExitCodes.Ok;
        });
    }

    private static string Cell<T>(T value) => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty;

    internal static Tree ManifestTree(ManifestInfo m, string url)
    {
        var root = new Tree($"[bold]{Markup.Escape(url)}[/] manifest [yellow]{m.Id}[/]");
        root.AddNode($"writer epoch {m.WriterEpoch}, compactor epoch {m.CompactorEpoch}{(m.Initialized ? string.Empty : " [red](clone not initialized)[/]")}");
        root.AddNode($"WAL: replay after {m.ReplayAfterWalId}, next {m.NextWalSstId}");
        root.AddNode($"sequence: last in L0 {m.LastL0Sequence}, oldest snapshot {m.RecentSnapshotMinSequence}");
        var l0 = root.AddNode($"L0: {m.L0.Count} SSTs, {Bytes.Size((long)m.L0.Sum(s => (decimal)s.EstimatedSize))}");
        foreach (var sst in m.L0)
        {
            l0.AddNode($"{sst.Id}  {Bytes.Size((long)sst.EstimatedSize)}");
        }

        var runs = root.AddNode($"sorted runs: {m.SortedRuns.Count}");
        foreach (var run in m.SortedRuns)
        {
            var node = runs.AddNode($"SR {run.Id}: {run.Ssts.Count} SSTs, {Bytes.Size((long)run.Ssts.Sum(s => (decimal)s.EstimatedSize))}");
            foreach (var sst in run.Ssts)
            {
                node.AddNode($"{sst.Id}  {Bytes.Size((long)sst.EstimatedSize)}");
            }
        }

        var checkpoints = root.AddNode($"checkpoints: {m.Checkpoints.Count}");
        foreach (var c in m.Checkpoints)
        {
            checkpoints.AddNode(Markup.Escape($"{c.Id}  manifest {c.ManifestId}  {(c.Name is null ? string.Empty : $"'{c.Name}' ")}expires {c.ExpireTime?.ToString("u", System.Globalization.CultureInfo.InvariantCulture) ?? "never"}"));
        }

        if (m.ExternalDbs.Count > 0)
        {
            var external = root.AddNode($"external databases: {m.ExternalDbs.Count}");
            foreach (var db in m.ExternalDbs)
            {
                external.AddNode(Markup.Escape($"{db.Path}: {db.SstIds.Count} SSTs (from checkpoint {db.SourceCheckpointId})"));
            }
        }

        return root;
    }
}
