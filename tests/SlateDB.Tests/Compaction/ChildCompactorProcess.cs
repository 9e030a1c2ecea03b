using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Threading.Channels;
using Xunit.Abstractions;

namespace SlateDB.Tests.Compaction;

/// <summary>SlateDB.CompactorProcess run as a child process: its output lines, collected as they come.</summary>
internal sealed class ChildCompactorProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Channel<string> _incoming = Channel.CreateUnbounded<string>();
    private readonly List<string> _lines = [];
    private readonly StringBuilder _errors = new();
    private readonly ITestOutputHelper _output;
    private int _read;

    private ChildCompactorProcess(Process process, ITestOutputHelper output)
    {
        _process = process;
        _output = output;
    }

    public ulong Epoch { get; private set; }

    public List<string> Lines
    {
        get
        {
            lock (_lines)
            {
                return [.. _lines];
            }
        }
    }

    public static async Task<ChildCompactorProcess> StartAsync(string root, int hangAfterPuts, ITestOutputHelper output)
    {
        var program = Path.Combine(AppContext.BaseDirectory, "SlateDB.CompactorProcess.dll");
        File.Exists(program).Should().BeTrue("the compactor process is built beside the tests");
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } hostPath ? hostPath : "dotnet";
        var start = new ProcessStartInfo(host)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { program, root, "db", "20", (32 * 1024).ToString(CultureInfo.InvariantCulture), hangAfterPuts.ToString(CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(argument);
        }

        var child = new ChildCompactorProcess(Process.Start(start)!, output);
        child._process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                child._incoming.Writer.TryComplete();
                return;
            }

            lock (child._lines)
            {
                child._lines.Add(e.Data);
            }

            child._incoming.Writer.TryWrite(e.Data);
        };
        child._process.ErrorDataReceived += (_, e) =>
        {
            lock (child._errors)
            {
                child._errors.AppendLine(e.Data);
            }
        };
        child._process.BeginOutputReadLine();
        child._process.BeginErrorReadLine();
        try
        {
            var started = await child.WaitForAsync(line => line.StartsWith("started ", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
            child.Epoch = ulong.Parse(started[8..], CultureInfo.InvariantCulture);
        }
        catch
        {
            await child.DisposeAsync();
            throw;
        }

        return child;
    }

    /// <summary>The next line (after those already waited past) matching <paramref name="match"/>.</summary>
    public async Task<string> WaitForAsync(Func<string, bool> match, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            while (true)
            {
                var line = await _incoming.Reader.ReadAsync(cancel.Token);
                _read++;
                if (match(line))
                {
                    return line;
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ChannelClosedException)
        {
            throw new TimeoutException($"The compactor process printed no expected line ({_read} lines read). Errors: {Errors()}", e);
        }
    }

    /// <summary>Waits until the lines printed so far satisfy <paramref name="condition"/>.</summary>
    public async Task WaitUntilAsync(Func<List<string>, bool> condition, TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        while (!condition(Lines))
        {
            if (watch.Elapsed > timeout || _process.HasExited)
            {
                throw new TimeoutException($"The compactor process never printed what was expected. Errors: {Errors()}");
            }

            await Task.Delay(10);
        }
    }

    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit(30_000);
    }

    public async Task StopAsync()
    {
        await _process.StandardInput.WriteLineAsync("stop");
        await _process.StandardInput.FlushAsync();
        await WaitForAsync(line => line == "stopped", TimeSpan.FromSeconds(60));
        (await WaitForExitAsync(TimeSpan.FromSeconds(30))).Should().BeTrue();
        _process.ExitCode.Should().Be(0, Errors());
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await WaitForExitAsync(TimeSpan.FromSeconds(30));
        }

        foreach (var line in Lines.Where(line => line.StartsWith("log 10", StringComparison.Ordinal)).Take(40))
        {
            _output.WriteLine("  child: " + line);
        }

        _process.Dispose();
    }

    private async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancel.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private string Errors()
    {
        lock (_errors)
        {
            return _errors.ToString();
        }
    }
}
