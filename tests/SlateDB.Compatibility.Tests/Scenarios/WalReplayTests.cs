using SlateDB.Compatibility.Tests.Engines;
using SlateDB.Compatibility.Tests.Model;

namespace SlateDB.Compatibility.Tests.Scenarios;

/// <summary>
/// Scenario 2: rows that are durable only in WAL objects (never flushed to L0) are replayed by the other engine. The
/// writer's folder is copied while it is still open, as a crash would leave it, so neither engine's close can flush
/// anything; the copy is checked to hold WAL objects and no L0 SST. The replaying engine then continues writing, and
/// the first engine reopens the result.
/// </summary>
public sealed class WalReplayTests
{
    private static readonly EngineSettings WalOnly = EngineSettings.Default with { L0SstSizeBytes = 64L * 1024 * 1024, FlushIntervalMillis = null };

    [CompatTheory]
    [InlineData(EngineKind.Rust, 21)]
    [InlineData(EngineKind.DotNet, 21)]
    public async Task The_other_engine_replays_a_WAL_that_was_never_flushed_to_L0(EngineKind writerKind, int seed)
    {
        using var database = TestDatabase.Create("wal");
        await using var engines = await EnginePair.StartAsync();
        var writer = engines[writerKind];
        var replayer = engines[EnginePair.Other(writerKind)];
        var model = new DbModel();
        var random = new Random(seed);
        var writes = new ModelWriter(writer, model);

        await writer.OpenAsync(database, WalOnly);
        var keys = new List<byte[]>();
        for (var round = 0; round < 6; round++)
        {
            // Each round ends with a WAL flush: several WAL objects, some with a single row, one with a large value.
            for (var i = 0; i < 40; i++)
            {
                var key = i % 5 == 0 ? TestData.BinaryKey(random) : TestData.Key($"wal/{round}/{i:D3}");
                keys.Add(key);
                await writes.PutAsync(key, TestData.Text(random, "w"), i % 7 == 0 ? TestData.LongTtlMs : null);
            }

            await writes.DeleteAsync(keys[random.Next(keys.Count)]);
            await writes.PutAsync(keys[random.Next(keys.Count)], TestData.Text(random, "over"));
            await writes.BatchAsync([ModelOp.Put(TestData.Key($"wal/batch/{round}"), [0x00, 0xFF]), ModelOp.Delete(keys[random.Next(keys.Count)]), ModelOp.Put([0xFF], TestData.Text(random, "ff"), TestData.DayTtlMs)]);
            if (round == 3)
            {
                await writes.PutAsync(TestData.Key("wal/large"), TestData.Value(random, 130 * 1024));
            }

            await writer.FlushWalAsync();
        }

        // No timed WAL flush here: a durable write waits for an explicit flush (in both engines).
        await writes.PutAsync(TestData.Key("wal/single"), TestData.Text(random, "last"));
        await writer.FlushWalAsync();
        await ModelAssert.MatchesAsync(writer, model, "the writer itself");

        using var crashed = database.CopyTo("wal-crash");
        crashed.ObjectsIn("compacted").Should().BeEmpty("the rows must be only in the WAL");
        crashed.ObjectsIn("wal").Count.Should().BeGreaterThanOrEqualTo(7, "each round flushed its own WAL object");
        (await OnDisk.LatestManifestAsync(crashed)).Manifest.Core.Tree.L0.Should().BeEmpty();
        await writer.CloseAsync();

        await replayer.OpenAsync(crashed, WalOnly);
        await ModelAssert.MatchesAsync(replayer, model, $"{writerKind} left only WAL objects, seed {seed}");

        // The replaying engine goes on from the replayed sequence and timestamps; then the first engine reads it all.
        var more = new ModelWriter(replayer, model);
        for (var i = 0; i < 30; i++)
        {
            await more.PutAsync(keys[random.Next(keys.Count)], TestData.Text(random, "after-replay"));
        }

        await more.DeleteAsync(TestData.Key("wal/single"));
        await replayer.CloseAsync();
        await writer.OpenAsync(crashed, WalOnly);
        await ModelAssert.MatchesAsync(writer, model, $"{writerKind} reopened after {replayer.Kind} replayed and continued, seed {seed}");
        await writer.CloseAsync();
    }
}
