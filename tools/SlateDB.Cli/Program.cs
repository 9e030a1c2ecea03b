using System.CommandLine;
using SlateDB.Cli.Commands;
using SlateDB.Cli.Infrastructure;

namespace SlateDB.Cli;

/// <summary>The <c>slatedb</c> command: SlateDB's admin CLI (see docs/cli.md).</summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var root = BuildRoot();
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            // One line, with where to find help; no usage dump.
            var problems = string.Join("; ", parse.Errors.Select(e => string.Join(' ', e.Message.Split(['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))));
            var command = parse.CommandResult.Command is RootCommand ? "slatedb" : $"slatedb {parse.CommandResult.Command.Name}";
            await Console.Error.WriteLineAsync($"slatedb: {problems} (see '{command} --help')").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false }).ConfigureAwait(false);
    }

    internal static RootCommand BuildRoot()
    {
        var root = new RootCommand("slatedb: inspect and administer a SlateDB database in object storage.\nThe database is named by --url (file:///data/mydb, s3://bucket/prefix/mydb, az://container/mydb, gs://bucket/mydb) or $SLATEDB_URL; credentials come from SlateDB's environment variables (AWS_*, AZURE_STORAGE_*, GOOGLE_*).");
        GlobalOptions.AddTo(root);
        root.Add(ManifestCommands.ReadManifest());
        root.Add(ManifestCommands.ListManifests());
        root.Add(CheckpointCommands.Create());
        root.Add(CheckpointCommands.Refresh());
        root.Add(CheckpointCommands.Delete());
        root.Add(CheckpointCommands.List());
        root.Add(ScanCommand.Create());
        root.Add(KeyValueCommands.Get());
        root.Add(KeyValueCommands.Put());
        root.Add(KeyValueCommands.Delete());
        root.Add(StatsCommand.Create());
        root.Add(InspectSstCommand.Create());
        root.Add(VerifyCommand.Create());
        root.Add(TailCommand.Create());
        root.Add(SequenceCommands.SeqToTs());
        root.Add(SequenceCommands.TsToSeq());
        root.Add(GarbageCollectionCommands.RunOnce());
        root.Add(GarbageCollectionCommands.Schedule());
        root.Add(CompactorCommand.Create());
        root.Add(CompactionCommands.ReadCompactions());
        root.Add(CompactionCommands.ListCompactions());
        root.Add(CompactionCommands.ReadCompaction());
        root.Add(CompactionCommands.Submit());
        root.Add(WorkerCommand.Create());
        root.Add(DeleteDbCommand.Create());
        return root;
    }
}
