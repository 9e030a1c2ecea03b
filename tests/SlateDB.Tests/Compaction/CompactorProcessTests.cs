using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Threading.Channels;
using SlateDB.Compaction;
using SlateDB.Manifest;
using SlateDB.Storage;
using Xunit.Abstractions;
using CompactionsCodec = SlateDB.Format.FlatBuffers.CompactionsCodec;

namespace SlateDB.Tests.Compaction;

/// <summary>
/// A standalone compactor in a separate process (SlateDB.CompactorProcess) over a local folder, while this process
/// writes (with no compactor of its own) and reads concurrently; the compactor is killed in the middle of a compaction
/// and started again.
/// </summary>
public sealed class CompactorProcessTests(ITestOutputHelper output) : IDisposable
{
    private const int Seed = 20_260_303;
    private const int HotKeys = 10;
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("slatedb-compactor-process-");

    private static byte[] KeyOf(int i) => Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"key{i:D8}"));

    private static byte[] ValueOf(int i) => Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"value-{i}-{new string('x', i % 40)}"));

    private static byte[] HotKey(int j) => Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"hot{j}"));

    public void Dispose()
    {
        try
        {
            _root.Delete(recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task A_compactor_process_compacts_under_writes_and_reads_and_survives_being_killed()
    {
        var store = new LocalFileSystemObjectStore(_root.FullName);
        var paths = new DbPaths("db");
        var manifests = new ManifestStore(store, paths);
        var options = SlateDbOptions.Default with
        {
            FlushInterval = TimeSpan.FromMilliseconds(20),
            CompactorOptions = null,
            GarbageCollectorOptions = null,
            L0SstSizeBytes = 48 * 1024,
            MaxUnflushedBytes = 1024 * 1024,
            ManifestPollInterval = TimeSpan.FromMilliseconds(50),
        };
        var watch = Stopwatch.StartNew();
        await using var db = await SlateDb.Builder("db", store).WithOptions(options).WithSeed(Seed).OpenAsync();
        var work = new Workload(db, Seed);
        using var stop = new CancellationTokenSource();
        var writer = work.WriteAsync(stop.Token);
        var readers = Enumerable.Range(0, 2).Select(r => work.ReadAsync(Seed + r, stop.Token)).ToArray();

        // A compactor whose third SST write never returns: it is caught, and killed, in the middle of a compaction.
        string inFlightId;
        List<string> halfWritten;
        await using (var first = await ChildCompactor.StartAsync(_root.FullName, hangAfterPuts: 2, output))
        {
            first.Epoch.Should().Be(1);
            // Puts run concurrently: wait for the two that complete and one that hangs, in any order.
            await first.WaitUntilAsync(
                lines => lines.Count(line => line.StartsWith("put ", StringComparison.Ordinal)) == 2 && lines.Any(line => line.StartsWith("hang ", StringComparison.Ordinal)),
                TimeSpan.FromSeconds(90));
            first.Kill();
            var lines = first.Lines;
            var started = lines.Where(line => line.StartsWith("log 101 ", StringComparison.Ordinal)).Select(line => line.Split(' ')[3]).ToList();
            var committed = lines.Where(line => line.StartsWith("log 102 ", StringComparison.Ordinal)).Select(line => line.Split(' ')[3]).ToHashSet();
            inFlightId = started.First(id => !committed.Contains(id));
            halfWritten = [.. lines.Where(line => line.StartsWith("put ", StringComparison.Ordinal)).Select(line => line[4..])];
        }

        output.WriteLine($"killed the first compactor during compaction {inFlightId} after {halfWritten.Count} of its SSTs; {work.Written} keys written so far ({watch.Elapsed.TotalSeconds:F1} s)");
        halfWritten.Should().HaveCount(2);
        var afterKill = (await manifests.ReadLatestAsync(CancellationToken.None))!.Value.Manifest;
        afterKill.Core.Tree.Compacted.Should().BeEmpty("the first compaction never committed");
        Referenced(afterKill, paths).Should().NotIntersectWith(halfWritten, "half-written output is never referenced");
        var state = CompactionsCodec.Decode((await new VersionedObjectStore(store, "db/compactions", "compactions").ReadLatestAsync(CancellationToken.None))!.Value.Bytes, "c");
        state.Compactions.Should().Contain(record => record.Id.ToString() == inFlightId && record.Status == CompactionStatus.Running);

        await using (var second = await ChildCompactor.StartAsync(_root.FullName, hangAfterPuts: 0, output))
        {
            second.Epoch.Should().Be(2);
            await second.WaitForAsync(line => line.StartsWith($"log 102 Compaction {inFlightId} ", StringComparison.Ordinal), TimeSpan.FromSeconds(90));
            await work.WaitForWrittenAsync(30_000, TimeSpan.FromSeconds(120));
            await stop.CancelAsync();
            await writer;
            await Task.WhenAll(readers);

            // Let the compactor catch up with what was written last.
            await db.FlushAsync(new FlushOptions { FlushType = FlushType.MemTable });
            var deadline = Stopwatch.StartNew();
            while ((await manifests.ReadLatestAsync(CancellationToken.None))!.Value.Manifest.Core.Tree.L0.Count >= 4 && deadline.Elapsed < TimeSpan.FromSeconds(60))
            {
                await Task.Delay(50);
            }

            await second.StopAsync();
            second.Lines.Count(line => line.StartsWith("log 102 ", StringComparison.Ordinal)).Should().BePositive();
        }

        var final = (await manifests.ReadLatestAsync(CancellationToken.None))!.Value.Manifest;
        output.WriteLine($"{work.Written} keys, {work.Batches} batches, {work.Reads} reads checked; tree: {final.Core.Tree.L0.Count} L0, runs [{string.Join(",", final.Core.Tree.Compacted.Select(r => $"{r.Id}:{r.Views.Count}"))}]; compactor epoch {final.CompactorEpoch}; {watch.Elapsed.TotalSeconds:F1} s");
        work.Errors.Should().BeEmpty("readers never fail");
        work.Reads.Should().BePositive();
        final.CompactorEpoch.Should().Be(2);
        final.Core.Tree.Compacted.Should().NotBeEmpty();
        Referenced(final, paths).Should().NotIntersectWith(halfWritten);
        halfWritten.Should().OnlyContain(path => File.Exists(Path.Combine(_root.FullName, path)), "garbage stays for the collector");

        await db.RefreshManifestAsync(CancellationToken.None);
        (await work.VerifyAsync()).Should().BeNull("every key written is there with its value");
    }

    private static HashSet<string> Referenced(DbManifest manifest, DbPaths paths) =>
        manifest.Core.Tree.AllViews.Select(view => paths.SstPath(view.Sst.Id)).ToHashSet();

    /// <summary>Writes new keys in batches (and overwrites a few hot keys each time); readers check what was written.</summary>
    private sealed class Workload(SlateDb db, int seed)
    {
        private readonly List<string> _errors = [];
        private int _written;
        private int _batches;
        private long _reads;

        public int Written => Volatile.Read(ref _written);

        public int Batches => Volatile.Read(ref _batches);

        public long Reads => Interlocked.Read(ref _reads);

        public IReadOnlyList<string> Errors
        {
            get
            {
                lock (_errors)
                {
                    return [.. _errors];
                }
            }
        }

        public async Task WriteAsync(CancellationToken token)
        {
            while (!token.IsCancellationRequested)
            {
                var batch = new WriteBatch();
                var first = Written;
                for (var i = first; i < first + 250; i++)
                {
                    batch.Put(KeyOf(i), ValueOf(i));
                }

                var number = Batches + 1;
                for (var j = 0; j < HotKeys; j++)
                {
                    batch.Put(HotKey(j), Encoding.ASCII.GetBytes(number.ToString(CultureInfo.InvariantCulture)));
                }

                await db.WriteAsync(batch, cancellationToken: CancellationToken.None);
                Volatile.Write(ref _written, first + 250);
                Volatile.Write(ref _batches, number);
            }
        }

        public async Task WaitForWrittenAsync(int count, TimeSpan timeout)
        {
            var watch = Stopwatch.StartNew();
            while (Written < count)
            {
                watch.Elapsed.Should().BeLessThan(timeout, $"the writer keeps going ({Written} keys written)");
                await Task.Delay(20);
            }
        }

        public async Task ReadAsync(int readerSeed, CancellationToken token)
        {
            var random = new Random(readerSeed);
            while (!token.IsCancellationRequested)
            {
                var known = Written;
                if (known == 0)
                {
                    await Task.Delay(5, CancellationToken.None);
                    continue;
                }

                try
                {
                    var i = random.Next(known);
                    var value = await db.GetAsync(KeyOf(i), cancellationToken: CancellationToken.None);
                    if (value is null || !value.AsSpan().SequenceEqual(ValueOf(i)))
                    {
                        Fail($"get key {i} of {known}: {(value is null ? "missing" : "wrong value")}");
                    }

                    var start = random.Next(known);
                    var end = Math.Min(known, start + 60);
                    var next = start;
                    await foreach (var item in db.ScanAsync(KeyRange.Between(KeyOf(start), KeyOf(end)), cancellationToken: CancellationToken.None))
                    {
                        if (!item.Key.Span.SequenceEqual(KeyOf(next)) || !item.Value.Span.SequenceEqual(ValueOf(next)))
                        {
                            Fail($"scan [{start}, {end}) found {Encoding.ASCII.GetString(item.Key.Span)} where key {next} belongs");
                            break;
                        }

                        next++;
                    }

                    if (next != end)
                    {
                        Fail($"scan [{start}, {end}) ended at {next}");
                    }

                    Interlocked.Increment(ref _reads);
                }
                catch (Exception e)
                {
                    Fail($"read failed: {e}");
                }
            }
        }

        /// <summary>Null when every key and hot key holds what was written last; otherwise the first difference.</summary>
        public async Task<string?> VerifyAsync()
        {
            var next = 0;
            await foreach (var item in db.ScanAsync(KeyRange.Between(KeyOf(0), KeyOf(int.MaxValue / 2))))
            {
                if (!item.Key.Span.SequenceEqual(KeyOf(next)) || !item.Value.Span.SequenceEqual(ValueOf(next)))
                {
                    return $"found {Encoding.ASCII.GetString(item.Key.Span)} where key {next} belongs (seed {seed})";
                }

                next++;
            }

            if (next != Written)
            {
                return $"scanned {next} keys of {Written} (seed {seed})";
            }

            for (var j = 0; j < HotKeys; j++)
            {
                var value = await db.GetAsync(HotKey(j));
                if (value is null || Encoding.ASCII.GetString(value) != Batches.ToString(CultureInfo.InvariantCulture))
                {
                    return $"hot key {j} holds {(value is null ? "nothing" : Encoding.ASCII.GetString(value))}, not batch {Batches}";
                }
            }

            return null;
        }

        private void Fail(string error)
        {
            lock (_errors)
            {
                if (_errors.Count < 20)
                {
                    _errors.Add(error);
                }
            }
        }
    }

    /// <summary>The compactor process: its output lines, collected as they come.</summary>
    private sealed class ChildCompactor : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly Channel<string> _incoming = Channel.CreateUnbounded<string>();
        private readonly List<string> _lines = [];
        private readonly StringBuilder _errors = new();
        private readonly ITestOutputHelper _output;
        private int _read;

        private ChildCompactor(Process process, ITestOutputHelper output)
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

        public static async Task<ChildCompactor> StartAsync(string root, int hangAfterPuts, ITestOutputHelper output)
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

            var child = new ChildCompactor(Process.Start(start)!, output);
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
}
