using System.CommandLine;

namespace SlateDB.Cli.Infrastructure;

/// <summary>The options every command takes (recursive options of the root command).</summary>
internal static class GlobalOptions
{
    public static readonly Option<string?> Url = new("--url", "-u")
    {
        Description = "The database: file:///data/mydb, s3://bucket/prefix/mydb, az://container/mydb, gs://bucket/mydb (default: $SLATEDB_URL).",
        Recursive = true,
    };

    public static readonly Option<string?> Path = new("--path", "-p")
    {
        Description = "The database's path inside the store; then --url names only the store (s3://bucket).",
        Recursive = true,
    };

    public static readonly Option<string?> EnvFile = new("--env-file", "-e")
    {
        Description = "A .env file of KEY=VALUE lines (credentials such as AWS_ACCESS_KEY_ID); variables already set win.",
        Recursive = true,
    };

    public static readonly Option<bool> Json = new("--json")
    {
        Description = "Write JSON for scripts instead of tables.",
        Recursive = true,
    };

    public static readonly Option<bool> Verbose = new("--verbose")
    {
        Description = "On failure, print the whole exception (stack trace included).",
        Recursive = true,
    };

    /// <summary>Delays every store request (hidden: demonstrations and terminal tests).</summary>
    public static readonly Option<int> SimulateLatency = new("--simulate-latency")
    {
        Description = "Delay every object store request by this many milliseconds.",
        Recursive = true,
        Hidden = true,
    };

    public static void AddTo(RootCommand root)
    {
        root.Add(Url);
        root.Add(Path);
        root.Add(EnvFile);
        root.Add(Json);
        root.Add(Verbose);
        root.Add(SimulateLatency);
    }
}
