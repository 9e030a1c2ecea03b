using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;

namespace SlateDB.Compatibility.Tests.Infrastructure;

/// <summary>
/// The real SlateDB 0.12.1 engine in a child process: <c>node tools/slatedb-node/driver.mjs</c>, spoken to in
/// newline-delimited JSON (one command per line on stdin, one answer per line on stdout; keys and values in hex).
/// One command at a time. Every failure message carries the command, the answer and the driver's stderr.
/// </summary>
internal sealed class RustSlateDb : IAsyncDisposable
{
    /// <summary>How long one command may take before the driver is considered hung and killed.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(90);

    private const int StderrLimit = 32 * 1024;

    private readonly Process _process;
    private readonly StringBuilder _stderr = new();
    private readonly SemaphoreSlim _gate = new(1, 1);
    private long _nextId;
    private bool _broken;

    private RustSlateDb(Process process)
    {
        _process = process;
    }

    /// <summary>Process id of the driver (for diagnostics).</summary>
    public int ProcessId => _process.Id;

    /// <summary>What the driver wrote to stderr so far (the last 32 KiB).</summary>
    public string Stderr
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>Starts the driver and checks that it answers and runs SlateDB 0.12.1.</summary>
    public static async Task<RustSlateDb> StartAsync()
    {
        CompatEnvironment.EnsureDriverInstalled();
        var start = new ProcessStartInfo(CompatEnvironment.NodeExecutable)
        {
            WorkingDirectory = CompatEnvironment.NodeToolsFolder,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardInputEncoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        start.ArgumentList.Add(CompatEnvironment.DriverScript);

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("Process.Start returned no process.");
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException($"Cannot start Node.js ('{CompatEnvironment.NodeExecutable}'): {e.Message}. {CompatEnvironment.InstallHint}", e);
        }

        var driver = new RustSlateDb(process);
        process.ErrorDataReceived += (_, e) => driver.AppendStderr(e.Data);
        process.BeginErrorReadLine();
        try
        {
            var ping = await driver.SendAsync(new JsonObject { ["op"] = "ping" }, TimeSpan.FromSeconds(60));
            var version = (string?)ping["version"];
            if (version != CompatEnvironment.RustVersion)
            {
                throw new InvalidOperationException($"The driver runs SlateDB {version}, expected {CompatEnvironment.RustVersion}.");
            }
        }
        catch
        {
            await driver.DisposeAsync();
            throw;
        }

        return driver;
    }

    /// <summary>Sends a command and returns its answer; throws <see cref="RustDriverException"/> when the engine answers an error.</summary>
    public async Task<JsonObject> SendAsync(JsonObject command, TimeSpan? timeout = null)
    {
        var answer = await TrySendAsync(command, timeout);
        if (answer["error"] is not null)
        {
            throw new RustDriverException((string?)answer["kind"] ?? "?", (string?)answer["error"] ?? "?", Describe(command, answer));
        }

        return answer;
    }

    /// <summary>Sends a command and returns its answer, whether it is <c>{"ok":true,…}</c> or <c>{"error":…,"kind":…}</c>.</summary>
    public async Task<JsonObject> TrySendAsync(JsonObject command, TimeSpan? timeout = null)
    {
        await _gate.WaitAsync();
        try
        {
            if (_broken)
            {
                throw new InvalidOperationException($"The driver (pid {_process.Id}) failed earlier and cannot take more commands.{StderrSuffix()}");
            }

            var id = ++_nextId;
            command["id"] = id;
            var line = command.ToJsonString();
            var limit = timeout ?? DefaultTimeout;
            string? reply;
            using var cancel = new CancellationTokenSource(limit);
            try
            {
                await _process.StandardInput.WriteLineAsync(line.AsMemory(), cancel.Token);
                await _process.StandardInput.FlushAsync(cancel.Token);
                reply = await _process.StandardOutput.ReadLineAsync(cancel.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or IOException)
            {
                _broken = true;
                var what = e is OperationCanceledException ? $"did not answer within {limit.TotalSeconds:0} s" : $"could not be reached ({e.Message})";
                Kill();
                throw new InvalidOperationException($"The SlateDB driver (pid {_process.Id}) {what}. Command: {Truncate(line)}{StderrSuffix()}", e);
            }

            if (reply is null)
            {
                _broken = true;
                await WaitForExitAsync(TimeSpan.FromSeconds(5));
                var code = _process.HasExited ? _process.ExitCode.ToString(System.Globalization.CultureInfo.InvariantCulture) : "?";
                throw new InvalidOperationException($"The SlateDB driver (pid {_process.Id}) ended (exit code {code}) without answering. Command: {Truncate(line)}{StderrSuffix()}");
            }

            JsonObject answer;
            try
            {
                answer = JsonNode.Parse(reply) as JsonObject ?? throw new FormatException("not a JSON object");
            }
            catch (Exception e) when (e is FormatException or System.Text.Json.JsonException)
            {
                _broken = true;
                throw new InvalidOperationException($"The SlateDB driver answered something that is not a JSON object: {Truncate(reply)}. Command: {Truncate(line)}{StderrSuffix()}", e);
            }

            if ((long?)answer["id"] != id)
            {
                _broken = true;
                throw new InvalidOperationException($"The SlateDB driver answered command {(long?)answer["id"]} while {id} was expected: {Truncate(reply)}{StderrSuffix()}");
            }

            return answer;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>A failure message naming the command, the answer and the driver's stderr.</summary>
    public string Describe(JsonObject command, JsonObject answer) =>
        $"SlateDB {CompatEnvironment.RustVersion} (driver pid {_process.Id}) answered {Truncate(answer.ToJsonString())} to {Truncate(command.ToJsonString())}.{StderrSuffix()}";

    /// <summary>Asks the driver to exit (it closes an open database first) and waits; kills it if it does not.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited && !_broken)
            {
                try
                {
                    await _process.StandardInput.WriteLineAsync("{\"op\":\"exit\"}");
                    await _process.StandardInput.FlushAsync();
                    _process.StandardInput.Close();
                }
                catch (IOException)
                {
                    // The process is going away already.
                }
            }

            if (!await WaitForExitAsync(TimeSpan.FromSeconds(30)))
            {
                Kill();
            }
        }
        finally
        {
            _process.Dispose();
            _gate.Dispose();
        }
    }

    private async Task<bool> WaitForExitAsync(TimeSpan limit)
    {
        using var cancel = new CancellationTokenSource(limit);
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

    private void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    private void AppendStderr(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_stderr)
        {
            _stderr.AppendLine(line);
            if (_stderr.Length > StderrLimit)
            {
                _stderr.Remove(0, _stderr.Length - StderrLimit);
            }
        }
    }

    private string StderrSuffix()
    {
        var text = Stderr.Trim();
        return text.Length == 0 ? " (driver stderr is empty)" : $"{Environment.NewLine}driver stderr:{Environment.NewLine}{text}";
    }

    private static string Truncate(string text) => text.Length <= 600 ? text : $"{text[..600]}… ({text.Length} chars)";
}

/// <summary>The real engine answered a command with an error.</summary>
internal sealed class RustDriverException(string kind, string error, string message) : Exception(message)
{
    /// <summary>The error's tag, as the binding names it (for example <c>Closed</c>, <c>Invalid</c>, <c>Data</c>).</summary>
    public string Kind { get; } = kind;

    /// <summary>The engine's own message.</summary>
    public string Error { get; } = error;
}
