using SlateDB.Tests.Wal;
using SlateDB.GarbageCollection;
using SlateDB.Manifest;
using static SlateDB.Tests.GarbageCollection.GcTestWorld;

namespace SlateDB.Tests.GarbageCollection;

/// <summary>
/// One database history with something of every kind to collect and something of every kind to keep, all written
/// within a few seconds of the fake clock's start.
/// </summary>
internal sealed record StandardWorld(GcTestWorld World, IReadOnlyDictionary<GarbageKind, string[]> Obsolete, string[] Live)
{
    public static async Task<StandardWorld> BuildAsync(GcTestWorld? world = null)
    {
        var w = world ?? new GcTestWorld();
        // WAL 1 is the fence of the writer's open (an SST without rows, as SlateDB 0.12.1 writes it).
        (await w.Tables.WriteWalFenceAsync(1, CancellationToken.None)).Should().BeTrue();
        for (ulong id = 2; id <= 6; id++)
        {
            await w.WriteWalAsync(id);
        }

        await w.WriteManifestAsync(core => core);
        var a = await w.WriteSstAsync("a");
        w.Advance(TimeSpan.FromSeconds(1));
        var b = await w.WriteSstAsync("b");
        w.Advance(TimeSpan.FromSeconds(1));
        await w.WriteManifestAsync(core => core with { Tree = Tree([b, a]), ReplayAfterWalId = 3, NextWalSstId = 5 });
        var orphan = await w.WriteSstAsync("orphan");
        w.Advance(TimeSpan.FromSeconds(1));

        // d is what compacting a and b produced; c is a newer L0; e is an L0 being uploaded, not yet in any manifest.
        var d = await w.WriteSstAsync("d");
        w.Advance(TimeSpan.FromSeconds(1));
        var c = await w.WriteSstAsync("c");
        w.Advance(TimeSpan.FromSeconds(1));
        await w.WriteManifestAsync(core => core with { Tree = Tree([c], [d], b.Id.CompactedId), ReplayAfterWalId = 5, NextWalSstId = 7 });
        var e = await w.WriteSstAsync("e");
        await w.WriteCompactionsAsync(1, w.Compaction(CompactionStatus.Submitted));
        await w.WriteCompactionsAsync(2, w.Compaction(CompactionStatus.Completed, d));

        var p = w.Paths;
        var obsolete = new Dictionary<GarbageKind, string[]>
        {
            [GarbageKind.Manifest] = [p.ManifestPath(1), p.ManifestPath(2)],
            [GarbageKind.Wal] = [p.WalSstPath(2), p.WalSstPath(3), p.WalSstPath(4)],
            [GarbageKind.WalFence] = [p.WalSstPath(1)],
            [GarbageKind.Compacted] = [w.Sst(a), w.Sst(b), w.Sst(orphan)],
            [GarbageKind.Compactions] = [p.CompactionsPath(1)],
        };
        string[] live = [p.ManifestPath(3), p.WalSstPath(5), p.WalSstPath(6), w.Sst(c), w.Sst(d), w.Sst(e), p.CompactionsPath(2)];
        return new StandardWorld(w, obsolete, live);
    }

    public IEnumerable<string> AllObsolete => Obsolete.Values.SelectMany(paths => paths);
}
