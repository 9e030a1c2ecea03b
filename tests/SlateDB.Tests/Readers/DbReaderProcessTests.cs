using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using SlateDB.Manifest;
using SlateDB.Storage;
using Xunit.Abstractions;

namespace SlateDB.Tests.Readers;

/// <summary>
/// A writer in another process (SlateDB.CrashWriter: durable writes to a local folder, each acknowledged on stdout)
/// and a FollowLatest reader here: every acknowledged write is visible once two polls completed after its
/// acknowledgement, and the writer is never fenced.
/// </summary>
public sealed class DbReaderProcessTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);
    private readonly string _folder = Directory.CreateTempSubdirectory("slatedb-reader-").FullName;

    [Fact]
    public async Task A_follow_latest_reader_sees_every_durable_write_of_a_writer_in_another_process_within_two_polls()
    {
        var writerDll = Path.Combine(AppContext.BaseDirectory, "SlateDB.CrashWriter.dll");
        File.Exists(writerDll).Should().BeTrue("the writer is built beside the tests");
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } hostPath ? hostPath : "dotnet";
        var start = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, StandardOutputEncoding = Encoding.UTF8 };
        foreach (var argument in new[] { writerDll, _folder, "1", "4711", "1", "1000000" })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("The writer did not start.");
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var acks = new ConcurrentQueue<(string Key, string Value, long Refreshes, long Ticks)>();
        DbReader? reader = null;
        var lines = Task.Run(async () =>
        {
            while (await process.StandardOutput.ReadLineAsync() is { } line)
            {
                if (line == "ready")
                {
                    ready.TrySetResult();
                }
                else if (line.StartsWith("A ", StringComparison.Ordinal) && Volatile.Read(ref reader) is { } r)
                {
                    var parts = line.Split(' ');
                    acks.Enqueue((parts[1], parts[2], r.RefreshCount, Stopwatch.GetTimestamp()));
                }
            }
        });
        var errors = process.StandardError.ReadToEndAsync();
        var checkedCount = 0;
        var lags = new List<double>();
        try
        {
            (await Task.WhenAny(ready.Task, process.WaitForExitAsync(), Task.Delay(TimeSpan.FromSeconds(60)))).Should().BeSameAs(ready.Task, "the writer opens the database");
            var store = new LocalFileSystemObjectStore(_folder);
            Volatile.Write(ref reader, await DbReader.OpenAsync("db", store, new DbReaderOptions { Mode = DbReaderMode.FollowLatest, ManifestPollInterval = Poll }));
            await using var opened = reader!;
            var history = new Dictionary<string, List<string>>();
            var watch = Stopwatch.StartNew();
            var pending = new List<(string Key, string Value, long Refreshes, long Ticks)>();
            while (watch.Elapsed < TimeSpan.FromSeconds(4) || pending.Count > 0)
            {
                if (watch.Elapsed < TimeSpan.FromSeconds(4))
                {
                    while (acks.TryDequeue(out var ack))
                    {
                        history.TryGetValue(ack.Key, out var values);
                        history[ack.Key] = values ??= [];
                        values.Add(ack.Value);
                        pending.Add(ack);
                    }
                }

                var refreshes = opened.RefreshCount;
                foreach (var ack in pending.Where(a => refreshes >= a.Refreshes + 2).ToList())
                {
                    var value = await opened.GetAsync(ack.Key) ?? "-";
                    var later = history[ack.Key].Skip(history[ack.Key].IndexOf(ack.Value)).ToList();
                    later.Should().Contain(value, $"{ack.Key} was acknowledged as {ack.Value} two polls ago");
                    lags.Add(Stopwatch.GetElapsedTime(ack.Ticks).TotalMilliseconds);
                    pending.Remove(ack);
                    checkedCount++;
                }

                process.HasExited.Should().BeFalse($"the writer keeps running, never fenced (stderr: {(process.HasExited ? await errors : string.Empty)})");
                await Task.Delay(10);
            }

            opened.Status.LastRefreshError.Should().BeNull();
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        await lines;
        checkedCount.Should().BeGreaterThan(20, "the writer acknowledged writes while the reader followed");
        var manifests = new ManifestStore(new LocalFileSystemObjectStore(_folder), new DbPaths("db"));
        (await manifests.ReadLatestAsync(default))!.Value.Manifest.WriterEpoch.Should().Be(1, "the reader claimed no epoch");
        lags.Sort();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{checkedCount} writes checked; time from acknowledgement to the second poll after it: p50 {lags[lags.Count / 2]:F0} ms, max {lags[^1]:F0} ms (poll {Poll.TotalMilliseconds} ms)"));
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
