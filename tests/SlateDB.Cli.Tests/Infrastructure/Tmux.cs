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
        if (!IsInstalled)
        {
            throw new InvalidOperationException("tmux is not installed: scripts/test.sh installs it (scripts/test-env.d/05-tmux.sh), or run apt-get install tmux.");
        }

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

internal static class Environments
{
    public static bool IsCi => Compatibility.Tests.Infrastructure.CompatEnvironment.IsCi;
}
