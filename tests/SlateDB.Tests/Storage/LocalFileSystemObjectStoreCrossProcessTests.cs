using System.Diagnostics;
using System.Text;
using SlateDB.Storage;
using Xunit.Abstractions;

namespace SlateDB.Tests.Storage;

/// <summary>
/// Conditional puts raced by separate processes (SlateDB.Storage.RaceHelper) over one folder: the atomicity the local
/// store promises across processes, not just threads.
/// </summary>
public sealed class LocalFileSystemObjectStoreCrossProcessTests : IDisposable
{
    private const int ProcessCount = 6;
    private const int Rounds = 30;

    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("slatedb-local-race-");
    private readonly ITestOutputHelper _output;

    public LocalFileSystemObjectStoreCrossProcessTests(ITestOutputHelper output)
    {
        _output = output;
    }

    public void Dispose()
    {
        try
        {
            _root.Delete(recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }

    [Fact]
    public async Task Of_creates_from_several_processes_exactly_one_is_written()
    {
        var store = new LocalFileSystemObjectStore(_root.FullName);
        await using var racers = await RaceHelpers.StartAsync(_root.FullName, ProcessCount, _output);
        var watch = Stopwatch.StartNew();

        for (var round = 0; round < Rounds; round++)
        {
            var key = $"xp/create/{round:D3}";
            var replies = await racers.SendToAllAsync($"create {key}");

            replies.Count(r => r.Outcome == "Written").Should().Be(1, $"round {round}: {string.Join(" | ", replies)}");
            replies.Count(r => r.Outcome == "AlreadyExists").Should().Be(ProcessCount - 1, $"round {round}");
            await ShouldHoldWinner(store, key, replies.Single(r => r.Outcome == "Written"));
        }

        _output.WriteLine($"{Rounds} rounds of {ProcessCount} processes racing creates: {watch.ElapsedMilliseconds} ms");
        (await store.ListAsync("xp/", default).CountAsync()).Should().Be(Rounds);
    }

    [Fact]
    public async Task Of_updates_from_several_processes_naming_one_version_exactly_one_is_written()
    {
        var store = new LocalFileSystemObjectStore(_root.FullName);
        await using var racers = await RaceHelpers.StartAsync(_root.FullName, ProcessCount, _output);
        var watch = Stopwatch.StartNew();

        for (var round = 0; round < Rounds; round++)
        {
            var key = $"xp/update/{round % 3}";
            var start = await store.PutAsync(key, Encoding.UTF8.GetBytes($"start {round}"), PutMode.Overwrite, default);
            var replies = await racers.SendToAllAsync($"update {key} {start.Version}");

            replies.Count(r => r.Outcome == "Written").Should().Be(1, $"round {round}: {string.Join(" | ", replies)}");
            replies.Count(r => r.Outcome == "VersionMismatch").Should().Be(ProcessCount - 1, $"round {round}");
            await ShouldHoldWinner(store, key, replies.Single(r => r.Outcome == "Written"));
        }

        _output.WriteLine($"{Rounds} rounds of {ProcessCount} processes racing updates: {watch.ElapsedMilliseconds} ms");
    }

    private static async Task ShouldHoldWinner(LocalFileSystemObjectStore store, string key, Reply winner)
    {
        var stored = await store.GetAsync(key, default);
        Encoding.UTF8.GetString(stored!.Data.Span).Should().Be(winner.Payload, "the winner's bytes are stored");
        stored.Metadata.Version.Should().Be(winner.Version, "every process derives the same version from the same file");
    }

    private sealed record Reply(string Outcome, string Version, string Payload)
    {
        public static Reply Parse(string line)
        {
            var parts = line.Split(' ', 3);
            return parts.Length == 3 ? new Reply(parts[0], parts[1], parts[2]) : throw new FormatException($"Unexpected reply '{line}'.");
        }

        public override string ToString() => $"{Outcome} {Version} {Payload}";
    }

    /// <summary>The helper processes: started together, each answering one line per command.</summary>
    private sealed class RaceHelpers : IAsyncDisposable
    {
        private readonly List<Process> _processes = [];
        private readonly StringBuilder _errors = new();

        public static async Task<RaceHelpers> StartAsync(string root, int count, ITestOutputHelper output)
        {
            var helper = Path.Combine(AppContext.BaseDirectory, "SlateDB.Storage.RaceHelper.dll");
            File.Exists(helper).Should().BeTrue("the race helper is built beside the tests");
            var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } hostPath ? hostPath : "dotnet";
            var racers = new RaceHelpers();
            var watch = Stopwatch.StartNew();
            try
            {
                for (var i = 0; i < count; i++)
                {
                    var start = new ProcessStartInfo(host)
                    {
                        RedirectStandardInput = true,
                        RedirectStandardOutput = true,
                        RedirectStandardError = true,
                        UseShellExecute = false,
                    };
                    start.ArgumentList.Add(helper);
                    start.ArgumentList.Add(root);
                    if (i % 2 == 1)
                    {
                        // Half the racers run with .NET's own file locking off, so the store's flock must do the work.
                        start.Environment["DOTNET_SYSTEM_IO_DISABLEFILELOCKING"] = "1";
                    }

                    var process = Process.Start(start)!;
                    process.ErrorDataReceived += (_, e) =>
                    {
                        lock (racers._errors)
                        {
                            racers._errors.AppendLine(e.Data);
                        }
                    };
                    process.BeginErrorReadLine();
                    racers._processes.Add(process);
                }

                foreach (var process in racers._processes)
                {
                    var line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
                    line.Should().Be("ready", racers.Errors());
                }
            }
            catch
            {
                await racers.DisposeAsync();
                throw;
            }

            output.WriteLine($"{count} helper processes started and warmed up in {watch.ElapsedMilliseconds} ms");
            return racers;
        }

        /// <summary>Sends one command to every process (back to back, so they race) and collects their replies.</summary>
        public async Task<Reply[]> SendToAllAsync(string command)
        {
            foreach (var process in _processes)
            {
                process.StandardInput.WriteLine(command);
                process.StandardInput.Flush();
            }

            var replies = new Reply[_processes.Count];
            for (var i = 0; i < replies.Length; i++)
            {
                var line = await _processes[i].StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
                line.Should().NotBeNull(Errors());
                replies[i] = Reply.Parse(line!);
            }

            return replies;
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var process in _processes)
            {
                try
                {
                    process.StandardInput.WriteLine();
                    process.StandardInput.Close();
                }
                catch (IOException)
                {
                    // Already gone.
                }
            }

            foreach (var process in _processes)
            {
                using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                try
                {
                    await process.WaitForExitAsync(wait.Token);
                }
                catch (OperationCanceledException)
                {
                    process.Kill();
                }

                process.Dispose();
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
}
