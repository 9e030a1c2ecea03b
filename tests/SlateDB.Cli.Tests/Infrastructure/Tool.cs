using System.Diagnostics;
using System.Text;

namespace SlateDB.Cli.Tests.Infrastructure;

/// <summary>Runs the built tool (tools/SlateDB.Cli/bin/&lt;configuration&gt;/net10.0/SlateDB.Cli.dll) as a process.</summary>
internal static class Tool
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    private static readonly Lazy<string> s_toolPath = new(FindTool);

    /// <summary>The tool's dll.</summary>
    public static string ToolPath => s_toolPath.Value;

    public static string RepositoryRoot => Compatibility.Tests.Infrastructure.CompatEnvironment.RepositoryRoot;

    public static Task<CliResult> RunAsync(params string[] args) => RunAsync(args, environment: null);

    public static async Task<CliResult> RunAsync(string[] args, IReadOnlyDictionary<string, string>? environment, TimeSpan? timeout = null)
    {
        using var process = Start(args, environment);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(timeout ?? DefaultTimeout);
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"`slatedb {string.Join(' ', args)}` did not end within {(timeout ?? DefaultTimeout).TotalSeconds} s. stderr: {await stderr}");
        }

        return new CliResult(args, process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Starts the tool with redirected streams (for commands that run until stopped).</summary>
    public static Process Start(string[] args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        start.ArgumentList.Add(ToolPath);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment.Remove("SLATEDB_URL");
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        if (environment is not null)
        {
            foreach (var (key, value) in environment)
            {
                start.Environment[key] = value;
            }
        }

        return Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
    }

    /// <summary>
    /// Reads a started process's stdout and stderr from now on, so a long-running command never blocks on a full pipe;
    /// the tasks complete when the process ends.
    /// </summary>
    public static (Task<string> Stdout, Task<string> Stderr) Drain(Process process) =>
        (process.StandardOutput.ReadToEndAsync(), process.StandardError.ReadToEndAsync());

    /// <summary>
    /// Waits for a drained process to end; if it does not within <paramref name="timeout"/>, kills it and fails with
    /// what it printed.
    /// </summary>
    public static async Task ShouldExitAsync(Process process, (Task<string> Stdout, Task<string> Stderr) output, TimeSpan timeout)
    {
        using var limit = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"the process did not end within {timeout.TotalSeconds} s of the interrupt. stdout: {await output.Stdout} stderr: {await output.Stderr}");
        }
    }

    /// <summary>Sends SIGINT (Ctrl-C) to a process started with <see cref="Start"/>.</summary>
    public static void Interrupt(Process process)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { UseShellExecute = false })!;
        kill.WaitForExit();
    }

    private static string FindTool()
    {
        // The configuration this test assembly was built in: .../bin/<configuration>/net10.0/.
        var here = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = here.Parent?.Name ?? "Release";
        var tool = Path.Combine(RepositoryRoot, "tools", "SlateDB.Cli", "bin", configuration, here.Name, "SlateDB.Cli.dll");
        if (!File.Exists(tool))
        {
            throw new InvalidOperationException($"The built tool is missing: {tool}. Build the solution (or tests/SlateDB.Cli.Tests) first.");
        }

        return tool;
    }
}
