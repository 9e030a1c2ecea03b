using System.Buffers.Binary;
using SlateDB.Manifest;
using SlateDB.Sst;
using SlateDB.Storage;
using SlateDB.Testing;

namespace SlateDB.Tests.Storage;

/// <summary>
/// The engine over a store that fails 10% of requests transiently (some after applying them: lost responses) and adds
/// 20 ms of latency: every acknowledged write stays readable, and the WAL has no gap and no duplicate.
/// </summary>
public sealed class FaultyStoreWorkloadTests
{
    [Fact]
    public async Task Fifty_thousand_writes_survive_transient_failures_and_latency()
    {
        const int seed = 77;
        var memory = new InMemoryObjectStore();
        var faulty = new FaultInjectingObjectStore(memory, new FaultInjectionOptions
        {
            Latency = TimeSpan.FromMilliseconds(15),
            LatencyJitter = TimeSpan.FromMilliseconds(10),
            TransientFailureProbability = 0.07,
            LostResponseProbability = 0.03,
        }, new Random(seed));
        var options = SlateDbOptions.Default with
        {
            CompactorOptions = null,
            GarbageCollectorOptions = null,
            L0SstSizeBytes = 1024 * 1024,
            L0MaxSsts = 1000,
            L0MaxSstsPerKey = 1000,
        };

        var acknowledged = new Dictionary<int, int>();
        await using (var db = await SlateDb.Builder("db", faulty).WithOptions(options).WithSeed(seed).OpenAsync())
        {
            var writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
            {
                var mine = new Dictionary<int, int>();
                for (var i = 0; i < 12_500; i++)
                {
                    var key = (w * 12_500) + i;
                    await db.PutAsync(Key(key), BitConverter.GetBytes(i));
                    mine[key] = i;
                }

                return mine;
            })).ToArray();
            foreach (var writer in writers)
            {
                foreach (var (key, value) in await writer)
                {
                    acknowledged[key] = value;
                }
            }

            await db.FlushAsync();
        }

        acknowledged.Should().HaveCount(50_000);
        await using (var reopened = await SlateDb.OpenAsync("db", memory, options with { FlushInterval = null }))
        {
            foreach (var (key, value) in acknowledged)
            {
                var stored = await reopened.GetAsync(Key(key));
                stored.Should().NotBeNull($"key {key} was acknowledged (seed {seed})");
                BitConverter.ToInt32(stored!).Should().Be(value);
            }
        }

        // The WAL: ids contiguous from 1, and no sequence number in two WAL objects (no duplicate write).
        var paths = new DbPaths("db");
        var ids = new List<ulong>();
        await foreach (var item in memory.ListAsync(paths.WalDirectory, default))
        {
            paths.TryParseSstId(item.Path, out var id).Should().BeTrue();
            ids.Add(id.WalId);
        }

        ids.Sort();
        ids.Should().Equal(Enumerable.Range(1, ids.Count).Select(i => (ulong)i), "WAL ids have no gap");
        var seen = new HashSet<ulong>();
        foreach (var id in ids)
        {
            var bytes = (await memory.GetAsync(paths.WalSstPath(id), default))!.Data;
            var sst = SstFile.Open(bytes, paths.WalSstPath(id));
            foreach (var seq in sst.ReadAllRows(bytes).Select(row => row.Seq).Distinct())
            {
                seen.Add(seq).Should().BeTrue($"sequence {seq} appears in WAL {id} and an earlier one");
            }
        }
    }

    private static byte[] Key(int key)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteInt64BigEndian(bytes, key);
        return bytes;
    }
}
