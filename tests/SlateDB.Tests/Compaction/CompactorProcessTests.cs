using System.Diagnostics;
using System.Globalization;
using SlateDB.Compaction;
using SlateDB.Manifest;
using SlateDB.Manifest.Codec;
using SlateDB.Storage;
using Xunit.Abstractions;
using CompactionsCodec = SlateDB.Manifest.Codec.CompactionsCodec;

namespace SlateDB.Tests.Compaction;

/// <summary>
/// A standalone compactor in a separate process (SlateDB.CompactorProcess) over a local folder, while this process
/// writes (with no compactor of its own) and reads concurrently; the compactor is killed in the middle of a compaction
/// and started again.
/// </summary>
public sealed class CompactorProcessTests(ITestOutputHelper output) : IDisposable
{
    private const int Seed = 20_260_303;
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("slatedb-compactor-process-");

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
        var work = new ProcessTestWorkload(db, Seed);
        using var stop = new CancellationTokenSource();
        var writer = work.WriteAsync(stop.Token);
        var readers = Enumerable.Range(0, 2).Select(r => work.ReadAsync(Seed + r, stop.Token)).ToArray();

        // A compactor whose third SST write never returns: it is caught, and killed, in the middle of a compaction.
        string inFlightId;
        List<string> halfWritten;
        await using (var first = await ChildCompactorProcess.StartAsync(_root.FullName, hangAfterPuts: 2, output))
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

        await using (var second = await ChildCompactorProcess.StartAsync(_root.FullName, hangAfterPuts: 0, output))
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
        // The compactor that takes over resumes the job from its recorded progress (subcompactions, RFC-0028): SSTs of
        // the first attempt that were recorded become part of its output, and the rest stay as garbage for the
        // collector. Either way each is still on disk, and the key check below shows nothing was lost or duplicated.
        var reused = Referenced(final, paths).Intersect(halfWritten).Count();
        output.WriteLine($"{reused} of the {halfWritten.Count} SSTs the killed compactor wrote were resumed into the output");
        halfWritten.Should().OnlyContain(path => File.Exists(Path.Combine(_root.FullName, path)), "a resumed or abandoned SST is never deleted under the compactor");

        await db.RefreshManifestAsync(CancellationToken.None);
        (await work.VerifyAsync()).Should().BeNull("every key written is there with its value");
    }

    private static HashSet<string> Referenced(DbManifest manifest, DbPaths paths) =>
        manifest.Core.Tree.AllViews.Select(view => paths.SstPath(view.Sst.Id)).ToHashSet();
}
