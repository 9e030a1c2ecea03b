using System.Diagnostics;
using System.Globalization;
using System.Text;
using FluentAssertions;
using SlateDB.Storage;
using Xunit;

namespace SlateDB.Tests.Engine;

/// <summary>
/// The flush at process exit: a child process (SlateDB.CrashWriter) writes without waiting for durability and ends
/// with Environment.Exit without closing the database. With the flush on (the default) every write survives; with it
/// off none does, which shows the flush is what saved them.
/// </summary>
public sealed class EngineExitFlushTests : IDisposable
{
    private const int Keys = 100;
    private readonly string _folder = Directory.CreateTempSubdirectory("slatedb-exitflush-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [InlineData(true, Keys)]
    [InlineData(false, 0)]
    public async Task Writes_of_a_process_that_exits_without_closing(bool flushOnExit, int expected)
    {
        var exitCode = await RunChildAsync(flushOnExit);
        exitCode.Should().Be(0);

        await using var db = await SlateDb.OpenAsync("db", new LocalFileSystemObjectStore(_folder));
        var found = 0;
        await foreach (var _ in db.ScanPrefixAsync("k"))
        {
            found++;
        }

        found.Should().Be(expected);
    }

    private async Task<int> RunChildAsync(bool flushOnExit)
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
        foreach (var argument in new[] { writer, "exit-without-close", _folder, Keys.ToString(CultureInfo.InvariantCulture), flushOnExit ? "true" : "false" })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("The child did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        (await output).Should().Contain("wrote", "the child wrote its keys ({0})", await errors);
        return process.ExitCode;
    }
}
