using SlateDB.Compatibility.Tests.Engines;
using SlateDB.Compatibility.Tests.Model;
using SlateDB.Manifest;
using Xunit.Abstractions;

namespace SlateDB.Compatibility.Tests.Scenarios;

/// <summary>
/// The bookkeeping a writer leaves in the manifest, compared between the engines: the same sessions (open, writes, a
/// WAL flush, a memtable flush) run by Rust and by .NET on two fresh databases must leave the same writer epochs,
/// last L0 sequence and clock tick, snapshot low-water mark and sequence tracker (RFC-0012 pairs of sequence and wall
/// time), the same fence object at each open, and WAL bounds under which no unflushed row is skipped; every manifest
/// is version 1 and every SST format version 2, as 0.12.1 writes them.
/// </summary>
public sealed class ManifestBookkeepingTests(ITestOutputHelper output)
{
    private const int Sessions = 2;

    [CompatFact]
    public async Task Both_engines_leave_the_same_bookkeeping_in_the_manifest()
    {
        using var rustDb = TestDatabase.Create("bookkeeping-rust");
        using var dotNetDb = TestDatabase.Create("bookkeeping-dotnet");
        await using var engines = await EnginePair.StartAsync();

        var rust = await RunSessionsAsync(engines.Rust, rustDb);
        var dotNet = await RunSessionsAsync(engines.DotNet, dotNetDb);

        for (var session = 0; session < Sessions; session++)
        {
            output.WriteLine($"session {session}: Rust {rust[session]}");
            output.WriteLine($"session {session}: .NET {dotNet[session]}");
            dotNet[session].Comparable.Should().Be(rust[session].Comparable, $"session {session}: .NET left different bookkeeping from SlateDB 0.12.1");
        }

        foreach (var database in new[] { rustDb, dotNetDb })
        {
            foreach (var name in database.ObjectsIn("manifest"))
            {
                var bytes = File.ReadAllBytes(Path.Combine(database.Folder, "manifest", name));
                System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(bytes).Should().Be(1, $"{database.Root}: manifest {name} is version 1, as 0.12.1 writes");
            }

            foreach (var folder in new[] { "wal", "compacted" })
            {
                foreach (var name in database.ObjectsIn(folder))
                {
                    var bytes = File.ReadAllBytes(Path.Combine(database.Folder, folder, name));
                    System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(^2)).Should().Be(2, $"{database.Root}: {folder}/{name} is SST format version 2");
                }
            }
        }

        var rustFences = FenceBytes(rustDb);
        var dotNetFences = FenceBytes(dotNetDb);
        rustFences.Should().HaveCount(Sessions);
        dotNetFences.Should().HaveCount(Sessions);
        for (var i = 0; i < Sessions; i++)
        {
            dotNetFences[i].Should().Equal(rustFences[i], "the fence written at open is the same object");
        }
    }

    private static async Task<List<Bookkeeping>> RunSessionsAsync(ICompatEngine writer, TestDatabase database)
    {
        var settings = EngineSettings.Default with { FlushIntervalMillis = null };
        var found = new List<Bookkeeping>();
        for (var session = 0; session < Sessions; session++)
        {
            await writer.OpenAsync(database, settings);
            var first = await writer.PutAsync(TestData.Key($"s{session}/first"), [1], awaitDurable: false);
            for (var i = 0; i < 19; i++)
            {
                await writer.PutAsync(TestData.Key($"s{session}/{i:D2}"), [2], awaitDurable: false);
            }

            await writer.FlushWalAsync();
            var last = await writer.PutAsync(TestData.Key($"s{session}/last"), [3], awaitDurable: false);
            await writer.FlushMemtableAsync();

            var (_, manifest) = await OnDisk.LatestManifestAsync(database);
            found.Add(Bookkeeping.Of(manifest, first, last));
            AssertWalBounds(database, manifest.Core);

            // Flushed before closing: SlateDB 0.12.1's close leaves the memtable in the WAL, ours writes it to L0, so
            // an unflushed tail would make the next session's L0 differ (both states are valid and read the same).
            await writer.PutAsync(TestData.Key($"s{session}/after"), [4], awaitDurable: false);
            await writer.FlushMemtableAsync();
            await writer.CloseAsync();
        }

        return found;
    }

    /// <summary>WAL objects at or below replay_after_wal_id hold only rows already in L0 (none is skipped on replay).</summary>
    private static void AssertWalBounds(TestDatabase database, ManifestCore core)
    {
        core.NextWalSstId.Should().BeGreaterThan(core.ReplayAfterWalId);
        foreach (var sst in OnDisk.Ssts(database, "wal").Where(s => s.BlockCount > 0))
        {
            var id = ulong.Parse(Path.GetFileNameWithoutExtension(sst.Path.Split('/')[^1]), System.Globalization.CultureInfo.InvariantCulture);
            if (id <= core.ReplayAfterWalId)
            {
                var bytes = File.ReadAllBytes(Path.Combine(database.Root, sst.Path));
                sst.ReadAllRows(bytes).Should().OnlyContain(r => r.Seq <= core.LastL0Seq, $"WAL {id} is not replayed (replay_after_wal_id {core.ReplayAfterWalId})");
            }
        }
    }

    private static List<byte[]> FenceBytes(TestDatabase database) =>
        [.. database.ObjectsIn("wal")
            .Select(n => File.ReadAllBytes(Path.Combine(database.Folder, "wal", n)))
            .Where(b => OnDisk.IsFence(b))];

    /// <summary>What the manifest says after a session's memtable flush, relative to that session's own writes.</summary>
    private sealed record Bookkeeping(string Comparable, string Raw)
    {
        public static Bookkeeping Of(DbManifest manifest, WriteResult first, WriteResult last)
        {
            var core = manifest.Core;
            var tracker = core.SequenceTracker;
            var pairs = tracker.SequenceNumbers.Zip(tracker.Timestamps, (seq, secs) => (Seq: seq, Secs: secs)).ToList();
            var lastPair = pairs.Count > 0 ? pairs[^1] : default;

            // The tracker's newest pair is this session's first write, at its wall-clock second.
            var trackerOk = pairs.Count > 0 && lastPair.Seq == (ulong)first.Seq && Math.Abs(lastPair.Secs - (first.CreateTs / 1000)) <= 1;
            var comparable = $"writer_epoch {manifest.WriterEpoch}, compactor_epoch {manifest.CompactorEpoch}, L0 SSTs {core.Tree.L0.Count}, sorted runs {core.Tree.Compacted.Count}, "
                + $"last_l0_seq {core.LastL0Seq} (last write {last.Seq}), last_l0_clock_tick is the last write's create_ts: {core.LastL0ClockTick == last.CreateTs}, "
                + $"recent_snapshot_min_seq {core.RecentSnapshotMinSeq}, tracker pairs {pairs.Count} ending at this session's first write: {trackerOk}, "
                + $"tracker sequences [{string.Join(' ', tracker.SequenceNumbers)}], checkpoints {core.Checkpoints.Count}, initialized {core.Initialized}";
            var raw = $"next_wal_sst_id {core.NextWalSstId}, replay_after_wal_id {core.ReplayAfterWalId}, last_l0_clock_tick {core.LastL0ClockTick}, tracker [{string.Join(' ', pairs)}]";
            return new Bookkeeping(comparable, raw);
        }

        public override string ToString() => $"{Comparable}; {Raw}";
    }
}
