using System.Diagnostics;

namespace SlateDB.Cli.Tests.Infrastructure;

/// <summary>A headless tmux server of its own (private socket) with one 120x40 window, for screen captures.</summary>
internal sealed class Tmux : IDisposable
{
    private readonly string _socket = "slatedb-cli-" + Guid.NewGuid().ToString("N")[..12];

    public static bool IsInstalled => File.Exists("/usr/bin/tmux") || File.Exists("/usr/local/bin/tmux");

    /// <summary>Starts <paramref name="command"/> (a shell command line) in a new 120x40 session; the pane stays after it ends.</summary>
    public void Start(string command)
    {
        Run("new-session", "-d", "-s", "cli", "-x", "120", "-y", "40", "bash", "-c", command + "; echo \"[exit $?]\"; sleep 120");
    }

    /// <summary>The visible screen, as text.</summary>
    public string Capture() => Run("capture-pane", "-p", "-t", "cli");

    /// <summary>Captures until <paramref name="done"/> holds for the screen, or the time is up; returns the last capture.</summary>
    public async Task<string> WaitForAsync(Func<string, bool> done, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        var screen = Capture();
        while (!done(screen) && deadline.Elapsed < timeout)
        {
            await Task.Delay(100);
            screen = Capture();
        }

        return screen;
    }

    public void Dispose()
    {
        try
        {
            Run("kill-server");
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    private string Run(params string[] args)
    {
        var start = new ProcessStartInfo("tmux") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("-L");
        start.ArgumentList.Add(_socket);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["TERM"] = "xterm-256color";
        start.Environment.Remove("TMUX");
        start.Environment.Remove("NO_COLOR");
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"tmux {string.Join(' ', args)} failed ({process.ExitCode}): {error}");
        }

        return output;
    }
}

/// <summary>
/// A test that needs tmux: skipped when tmux is missing, except under CI (<c>CI=true</c>), where it runs and fails.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class TmuxFactAttribute : FactAttribute
{
    public TmuxFactAttribute()
    {
        if (!Tmux.IsInstalled && !Environments.IsCi)
        {
            Skip = "tmux is not installed (apt-get install tmux); under CI=true this test runs and fails instead.";
        }
    }
}

internal static class Environments
{
    public static bool IsCi => Compatibility.Tests.Infrastructure.CompatEnvironment.IsCi;
}
