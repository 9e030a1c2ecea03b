using System.Diagnostics;
using System.Globalization;
using System.Text;
using FluentAssertions;

namespace SlateDB.TestSupport;

/// <summary>
/// Runs tests/SlateDB.CrashWriter (built beside the test assembly) as a child process and SIGKILLs it: shared by the
/// engine's crash tests and the simulation project's crash soak.
/// </summary>
internal static class CrashWriterChild
{
    /// <summary>
    /// Starts the writer on <paramref name="folder"/>, lets it write for <paramref name="runFor"/> after it printed
    /// "ready", kills it, and returns every line it printed.
    /// </summary>
    public static async Task<List<string>> RunUntilKilledAsync(
        string folder, int round, int seed, int writers, int keysPerWriter, TimeSpan runFor, TimeSpan startTimeout, string because, string? walFolder = null)
    {
        var writer = Path.Combine(AppContext.BaseDirectory, "SlateDB.CrashWriter.dll");
        File.Exists(writer).Should().BeTrue("the crash writer is built beside the tests");
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } hostPath ? hostPath : "dotnet";
        var start = new ProcessStartInfo(host)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
        };
        foreach (var argument in new[] { writer, folder, Str(round), Str(seed), Str(writers), Str(keysPerWriter), walFolder }.OfType<string>())
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("The crash writer did not start.");
        var lines = new List<string>();
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var reader = Task.Run(async () =>
        {
            while (await process.StandardOutput.ReadLineAsync() is { } line)
            {
                lines.Add(line);
                if (line == "ready")
                {
                    ready.TrySetResult();
                }
            }
        });
        var errors = process.StandardError.ReadToEndAsync();
        try
        {
            var started = await Task.WhenAny(ready.Task, process.WaitForExitAsync(), Task.Delay(startTimeout));
            started.Should().BeSameAs(ready.Task, $"{because}: the crash writer opens the database (stderr: {await ErrorsSoFar(process, errors)})");
            await Task.Delay(runFor);
            process.HasExited.Should().BeFalse($"{because}: the crash writer runs until killed (stderr: {await ErrorsSoFar(process, errors)})");
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        await reader;
        return lines;
    }

    private static async Task<string> ErrorsSoFar(Process process, Task<string> errors) =>
        process.HasExited ? await errors : "(still running)";

    private static string Str(int value) => value.ToString(CultureInfo.InvariantCulture);
}
