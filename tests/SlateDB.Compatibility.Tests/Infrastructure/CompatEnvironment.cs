using System.Text.Json;

namespace SlateDB.Compatibility.Tests.Infrastructure;

/// <summary>
/// Where the real engine's driver lives and whether it can run. The compatibility tests never skip on their own:
/// a missing Node.js or a missing <c>@slatedb/uniffi</c> package fails them, with a message saying how to install it.
/// Only <c>SLATEDB_SKIP_COMPAT_TESTS=1</c>, set explicitly outside CI, skips them.
/// </summary>
internal static class CompatEnvironment
{
    /// <summary>The SlateDB release the driver runs (the npm package <c>@slatedb/uniffi</c>).</summary>
    public const string RustVersion = "0.12.1";

    private const string SkipVariable = "SLATEDB_SKIP_COMPAT_TESTS";

    private static readonly Lazy<string> s_repositoryRoot = new(FindRepositoryRoot);

    /// <summary>The repository root: the first folder above the test assembly that holds <c>SlateDb.sln</c>.</summary>
    public static string RepositoryRoot => s_repositoryRoot.Value;

    /// <summary>The folder of the Node tools (<c>tools/slatedb-node</c>).</summary>
    public static string NodeToolsFolder => Path.Combine(RepositoryRoot, "tools", "slatedb-node");

    /// <summary>The driver script.</summary>
    public static string DriverScript => Path.Combine(NodeToolsFolder, "driver.mjs");

    /// <summary>The Node.js executable: <c>SLATEDB_NODE</c> if set, else <c>node</c> from the PATH.</summary>
    public static string NodeExecutable => Environment.GetEnvironmentVariable("SLATEDB_NODE") is { Length: > 0 } node ? node : "node";

    /// <summary>True under CI (<c>CI=true</c>), where nothing may be skipped.</summary>
    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase)
        || Environment.GetEnvironmentVariable("CI") == "1";

    /// <summary>Why the compatibility tests are skipped, or null when they run (the default, and always under CI).</summary>
    public static string? SkipReason =>
        Environment.GetEnvironmentVariable(SkipVariable) == "1" && !IsCi
            ? $"{SkipVariable}=1 is set: compatibility tests against SlateDB {RustVersion} skipped on request."
            : null;

    /// <summary>How to get the driver running, for failure messages.</summary>
    public static string InstallHint =>
        $"Install Node.js 20+ and run `npm ci` in tools/slatedb-node (`bash scripts/test.sh` does it through "
        + $"scripts/test-env.d/10-slatedb-node.sh), or set {SkipVariable}=1 outside CI to skip these tests.";

    /// <summary>Throws, with the install hint, when the driver or its npm package is missing.</summary>
    public static void EnsureDriverInstalled()
    {
        if (!File.Exists(DriverScript))
        {
            throw new InvalidOperationException($"The SlateDB driver script is missing: {DriverScript}.");
        }

        var package = Path.Combine(NodeToolsFolder, "node_modules", "@slatedb", "uniffi", "package.json");
        if (!File.Exists(package))
        {
            throw new InvalidOperationException($"The npm package @slatedb/uniffi is not installed ({package} is missing). {InstallHint}");
        }

        using var json = JsonDocument.Parse(File.ReadAllText(package));
        var version = json.RootElement.GetProperty("version").GetString();
        if (version != RustVersion)
        {
            throw new InvalidOperationException($"tools/slatedb-node has @slatedb/uniffi {version} installed, but the tests need {RustVersion}. {InstallHint}");
        }
    }

    private static string FindRepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "SlateDb.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"No folder above {AppContext.BaseDirectory} holds SlateDb.sln; the compatibility tests must run from the repository's build output.");
    }
}

/// <summary>A fact that runs against the real engine; skipped only by an explicit <c>SLATEDB_SKIP_COMPAT_TESTS=1</c> outside CI.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class CompatFactAttribute : FactAttribute
{
    public CompatFactAttribute()
    {
        if (CompatEnvironment.SkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}

/// <summary>A theory that runs against the real engine; skipped only by an explicit <c>SLATEDB_SKIP_COMPAT_TESTS=1</c> outside CI.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class CompatTheoryAttribute : TheoryAttribute
{
    public CompatTheoryAttribute()
    {
        if (CompatEnvironment.SkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}
