using System.CommandLine;
using SlateDB.Cli.Infrastructure;
using Spectre.Console;

namespace SlateDB.Cli.Commands;

/// <summary>
/// <c>verify</c>: reads every object the newest manifest references (its SSTs, the WAL objects not yet in L0, the
/// manifests of its checkpoints and their SSTs, the SSTs of parent databases) and checks every checksum.
/// </summary>
internal static class VerifyCommand
{
    public static Command Create()
    {
        var command = new Command("verify", "Reads every object the newest manifest references and checks every checksum; names each damaged object. Exit code 4 when one is damaged or missing.\n\nExample: slatedb verify --url s3://bucket/mydb");
        return command.WithAction(async context =>
        {
            var target = context.Target;
            var admin = context.Admin;
            var manifest = await admin.ReadManifestAsync(cancellationToken: context.CancellationToken).ConfigureAwait(false);
            var reader = SstReader.For(target.DbPath, target.Store);
            var problems = new List<Problem>();

            // (reader, object path) of every SST to check, without repeats.
            var ssts = new List<(SstReader Reader, string Path)>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            void AddFrom(ManifestInfo m)
            {
                foreach (var sst in m.L0.Concat(m.SortedRuns.SelectMany(r => r.Ssts)))
                {
                    var path = reader.ObjectPathOf(sst.Id);
                    if (seen.Add(path))
                    {
                        ssts.Add((reader, path));
                    }
                }

                foreach (var external in m.ExternalDbs)
                {
                    var parent = SstReader.For(external.Path, target.Store);
                    foreach (var id in external.SstIds)
                    {
                        var path = parent.ObjectPathOf(id);
                        if (seen.Add(path))
                        {
                            ssts.Add((parent, path));
                        }
                    }
                }
            }

            AddFrom(manifest);
            var manifestsChecked = 1;
            foreach (var checkpoint in manifest.Checkpoints.Select(c => c.ManifestId).Distinct().Where(id => id != manifest.Id))
            {
                try
                {
                    AddFrom(await admin.ReadManifestAsync(checkpoint, context.CancellationToken).ConfigureAwait(false));
                    manifestsChecked++;
                }
                catch (SlateDbException exception)
                {
                    problems.Add(new Problem($"{target.DbPath}/manifest/{checkpoint:D20}.manifest", exception.Message));
                }
            }

            // The WAL objects after the L0 boundary (zero-byte objects are fences, not data).
            var listing = await DbObjects.ListAsync(context).ConfigureAwait(false);
            foreach (var (id, wal) in DbObjects.WalObjects(listing))
            {
                if (id > manifest.ReplayAfterWalId && wal.Size > 0 && seen.Add(wal.Path))
                {
                    ssts.Add((reader, wal.Path));
                }
            }

            long bytes = 0, rows = 0;
            var blocks = 0;
            await ProgressDisplay.RunAsync(context, "verifying", "objects", ssts.Count, async progress =>
            {
                foreach (var (sstReader, path) in ssts)
                {
                    var check = await sstReader.VerifyAsync(path, context.CancellationToken).ConfigureAwait(false);
                    bytes += check.Bytes;
                    rows += check.Rows;
                    blocks += check.Blocks;
                    if (!check.Ok)
                    {
                        problems.Add(new Problem(path, check.Error!));
                    }

                    progress.Add(1);
                }

                return 0;
            }).ConfigureAwait(false);

            var ok = problems.Count == 0;
            if (context.Json)
            {
                context.WriteJson(new { ok, manifest_id = manifest.Id, manifests = manifestsChecked, ssts = ssts.Count, blocks, rows, bytes, problems });
            }
            else
            {
                context.Out.MarkupLine($"checked manifest {manifest.Id} (+{manifestsChecked - 1} checkpoint manifests), {ssts.Count} SSTs, {blocks} blocks, {rows} rows, {Bytes.Size(bytes)}");
                if (ok)
                {
                    context.Out.MarkupLine("[green]every checksum matches[/]");
                }
            }

            if (!ok)
            {
                foreach (var problem in problems)
                {
                    await Console.Error.WriteLineAsync($"slatedb: damaged: {problem.Path}: {problem.Error}").ConfigureAwait(false);
                }

                return ExitCodes.Corrupt;
            }

            return ExitCodes.Ok;
        });
    }

    private sealed record Problem(string Path, string Error);
}
