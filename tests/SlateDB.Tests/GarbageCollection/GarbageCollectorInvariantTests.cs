using SlateDB.Common;
using SlateDB.GarbageCollection;
using SlateDB.Manifest;
using static SlateDB.Tests.GarbageCollection.GcTestWorld;

namespace SlateDB.Tests.GarbageCollection;

/// <summary>
/// Seeded random histories (WAL writes, L0 flushes, compactions, orphan SSTs, checkpoints, time passing) with the
/// collector run at random moments: after every run nothing live or young was deleted, and once everything is old,
/// everything obsolete is gone.
/// </summary>
public sealed class GarbageCollectorInvariantTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public async Task Random_histories_never_lose_live_objects_and_end_clean(int seed)
    {
        var random = new Random(seed);
        var minAge = TimeSpan.FromSeconds(random.Next(0, 300));
        var sim = new Simulation(new GcTestWorld(seed: seed), random, $"seed {seed}, min age {minAge}");
        await sim.World.WriteManifestAsync(core => core);
        await using var collector = await sim.World.StartCollectorAsync(GcOptions(minAge));
        for (var step = 0; step < 120; step++)
        {
            if (random.Next(8) == 0)
            {
                await sim.RunAndCheckAsync(collector, minAge);
            }
            else
            {
                await sim.StepAsync();
            }
        }

        // Let every expiring checkpoint expire and everything age, twice (the expiry writes a manifest that needs to age too).
        for (var pass = 0; pass < 2; pass++)
        {
            sim.World.Advance(TimeSpan.FromHours(2));
            await sim.RunAndCheckAsync(collector, minAge);
        }

        await sim.CheckCleanAsync();
        foreach (var kind in new[] { GarbageKind.Manifest, GarbageKind.Wal, GarbageKind.Compacted })
        {
            sim.Deleted.GetValueOrDefault(kind).Should().BeGreaterThan(0, $"the history leaves {kind} garbage; seed {seed}");
        }
    }

    private sealed class Simulation(GcTestWorld world, Random random, string context)
    {
        private readonly List<SsTableHandle> _l0 = [];
        private readonly List<SsTableHandle> _sortedRun = [];
        private readonly List<SsTableHandle> _allSsts = [];
        private ulong _nextWal = 1;
        private ulong _compactionsId;

        public GcTestWorld World { get; } = world;

        public Dictionary<GarbageKind, int> Deleted { get; } = [];

        public async Task StepAsync()
        {
            var w = World;
            switch (random.Next(9))
            {
                case < 3:
                    await w.WriteWalAsync(_nextWal++);
                    break;
                case < 5:
                    _l0.Insert(0, Track(await w.WriteSstAsync()));
                    await WriteTreeAsync(lastCompacted: w.Latest.Core.Tree.LastCompactedL0SstId, replayAfter: _nextWal - 1);
                    break;
                case 5 when _l0.Count > 0:
                    var running = w.Compaction(CompactionStatus.Running);
                    await w.WriteCompactionsAsync(++_compactionsId, running);
                    w.Advance(TimeSpan.FromMilliseconds(random.Next(1, 5000)));
                    var output = Track(await w.WriteSstAsync());
                    var newestL0 = _l0[0].Id.CompactedId;
                    _l0.Clear();
                    _sortedRun.Clear();
                    _sortedRun.Add(output);
                    await WriteTreeAsync(lastCompacted: newestL0, replayAfter: w.Latest.Core.ReplayAfterWalId);
                    await w.WriteCompactionsAsync(++_compactionsId, running with { Status = CompactionStatus.Completed, OutputSsts = [output] });
                    break;
                case 6:
                    Track(await w.WriteSstAsync("orphan"));
                    break;
                case 7:
                    DateTimeOffset? expires = random.Next(3) == 0 ? null : w.Time.GetUtcNow().AddSeconds(random.Next(1, 900));
                    var checkpoint = w.CheckpointOn(w.LatestManifestId + 1, expires);
                    await w.WriteManifestAsync(core => core with { Checkpoints = [.. core.Checkpoints, checkpoint] });
                    break;
                default:
                    w.Advance(TimeSpan.FromSeconds(random.Next(0, 240)));
                    break;
            }
        }

        /// <summary>Runs the collector and checks that it deleted only old, unreferenced objects.</summary>
        public async Task RunAndCheckAsync(GarbageCollector collector, TimeSpan minAge)
        {
            var w = World;
            var now = w.Time.GetUtcNow();
            var before = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
            await foreach (var item in w.Store.ListAsync("", default))
            {
                before[item.Path] = item.LastModified;
            }

            var core = w.Latest.Core;
            var summary = await collector.RunOnceAsync();
            summary.Tasks.Should().OnlyContain(task => task.Succeeded, context);
            foreach (var task in summary.Tasks)
            {
                Deleted[task.Kind] = Deleted.GetValueOrDefault(task.Kind) + task.Deleted;
            }
            var after = await w.AllPathsAsync();
            foreach (var deleted in before.Keys.Where(path => !after.Contains(path)))
            {
                (now - before[deleted]).Should().BeGreaterThan(minAge, $"{deleted} was deleted; {context}");
            }

            after.Should().Contain(w.Paths.ManifestPath(w.LatestManifestId), context);
            foreach (var id in before.Keys.Where(p => w.Paths.TryParseSstId(p, out var sst) && sst.IsWal && sst.WalId >= core.ReplayAfterWalId))
            {
                after.Should().Contain(id, $"WAL at or after the replay point; {context}");
            }

            var newestL0Ms = NewestL0Ms(core);
            foreach (var sst in _allSsts.Where(sst => (long)sst.Id.CompactedId.TimestampMs >= newestL0Ms))
            {
                after.Should().Contain(w.Sst(sst), $"SST not older than the newest L0; {context}");
            }

            foreach (var manifest in await PinnedAsync(core, now))
            {
                foreach (var view in manifest.Core.Tree.AllViews)
                {
                    after.Should().Contain(w.Sst(view.Sst), $"SST of a live manifest; {context}");
                }

                for (var id = manifest.Core.ReplayAfterWalId + 1; id < _nextWal && id <= manifest.Core.NextWalSstId; id++)
                {
                    after.Should().Contain(w.Paths.WalSstPath(id), $"WAL a checkpoint replays; {context}");
                }
            }

            await w.RefreshAsync();
        }

        /// <summary>After everything aged: only what is live remains.</summary>
        public async Task CheckCleanAsync()
        {
            var w = World;
            var core = w.Latest.Core;
            var now = w.Time.GetUtcNow();
            var pinned = await PinnedAsync(core, now);
            var remaining = await w.AllPathsAsync();
            var checkpointIds = ManifestHistory.LiveCheckpoints(core, now).Select(c => c.ManifestId).Append(w.LatestManifestId).ToHashSet();
            remaining.Where(p => DbPaths.TryParseManifestId(p, out _)).Should()
                .BeEquivalentTo(checkpointIds.Select(w.Paths.ManifestPath), context);

            var liveWal = Enumerable.Range(1, (int)_nextWal - 1).Select(i => (ulong)i)
                .Where(id => id >= core.ReplayAfterWalId || pinned.Any(m => id > m.Core.ReplayAfterWalId && id <= m.Core.NextWalSstId));
            remaining.Where(p => w.Paths.TryParseSstId(p, out var id) && id.IsWal).Should()
                .BeEquivalentTo(liveWal.Select(w.Paths.WalSstPath), context);

            var referenced = pinned.SelectMany(m => m.Core.Tree.AllViews).Select(v => v.Sst.Id.CompactedId).ToHashSet();
            var newestL0Ms = NewestL0Ms(core);
            var liveSsts = _allSsts.Where(sst => referenced.Contains(sst.Id.CompactedId) || (long)sst.Id.CompactedId.TimestampMs >= newestL0Ms);
            remaining.Where(p => w.Paths.TryParseSstId(p, out var id) && !id.IsWal).Should()
                .BeEquivalentTo(liveSsts.Select(w.Sst), context);
            remaining.Count(p => DbPaths.TryParseCompactionsId(p, out _)).Should().Be(_compactionsId == 0 ? 0 : 1, context);
        }

        private SsTableHandle Track(SsTableHandle sst)
        {
            _allSsts.Add(sst);
            return sst;
        }

        private Task WriteTreeAsync(Ulid? lastCompacted, ulong replayAfter) =>
            World.WriteManifestAsync(core => core with
            {
                Tree = Tree([.. _l0], _sortedRun.Count == 0 ? null : [.. _sortedRun], lastCompacted),
                ReplayAfterWalId = replayAfter,
                NextWalSstId = _nextWal,
            });

        /// <summary>The newest manifest and the manifests of its live checkpoints.</summary>
        private async Task<List<DbManifest>> PinnedAsync(ManifestCore core, DateTimeOffset now)
        {
            var pinned = new List<DbManifest> { World.Latest };
            foreach (var checkpoint in ManifestHistory.LiveCheckpoints(core, now))
            {
                pinned.Add((await World.Manifests.ReadAsync(checkpoint.ManifestId, default))!);
            }

            return pinned;
        }

        /// <summary>The ULID time of the newest L0 SST, or of the last compacted one; 0 when there is neither.</summary>
        private static long NewestL0Ms(ManifestCore core) =>
            core.Tree.L0.Count > 0 ? core.Tree.L0.Max(v => (long)v.Sst.Id.CompactedId.TimestampMs)
            : core.Tree.LastCompactedL0SstId is { } last ? (long)last.TimestampMs
            : 0;
    }
}
