using SlateDB.Compatibility.Tests.Engines;
using SlateDB.Compatibility.Tests.Model;

namespace SlateDB.Compatibility.Tests.Scenarios;

/// <summary>
/// Rows whose TTL has passed when their memtable is flushed. SlateDB 0.12.1 writes them to L0 as tombstones (same
/// sequence and create time, no expiry), judged against the memtable's last write time, so that neither they nor an
/// older version underneath come back; its reads do not filter expired rows themselves. Both engines must flush them
/// the same way, and then neither returns them.
/// </summary>
public sealed class ExpiryTests
{
    [CompatTheory]
    [InlineData(EngineKind.Rust)]
    [InlineData(EngineKind.DotNet)]
    public async Task Rows_expired_at_flush_become_tombstones_that_no_engine_returns(EngineKind writerKind)
    {
        using var database = TestDatabase.Create("expiry");
        await using var engines = await EnginePair.StartAsync();
        var writer = engines[writerKind];
        var revived = TestData.Key("exp/long-then-short");
        var shortKeys = Enumerable.Range(0, 8).Select(i => TestData.Key($"exp/short/{i}")).ToList();

        await writer.OpenAsync(database, EngineSettings.Default);
        await writer.PutAsync(revived, TestData.Key("older, long TTL"), TestData.LongTtlMs, awaitDurable: false);
        await writer.FlushMemtableAsync();
        await writer.PutAsync(revived, TestData.Key("newer, short TTL"), ttlMs: 1, awaitDurable: false);
        foreach (var key in shortKeys)
        {
            await writer.PutAsync(key, TestData.Key("short"), ttlMs: 1, awaitDurable: false);
        }

        var keep = await writer.PutAsync(TestData.Key("exp/keep"), TestData.Key("long"), TestData.LongTtlMs, awaitDurable: false);
        var plain = await writer.PutAsync(TestData.Key("exp/plain"), TestData.Key("plain"), awaitDurable: false);
        await Task.Delay(50);
        await writer.PutAsync(TestData.Key("exp/tick"), TestData.Key("moves the memtable's last tick past every short expiry"), awaitDurable: false);
        await writer.FlushMemtableAsync();
        await writer.CloseAsync();

        var rows = (await OnDisk.NewestL0RowsAsync(database)).ToDictionary(r => Convert.ToHexString(r.Key.Span), r => r);
        foreach (var key in shortKeys.Append(revived))
        {
            var row = rows[Convert.ToHexString(key)];
            row.Kind.Should().Be(Format.RowKind.Tombstone, $"{writerKind} flushed the expired row {Hex.Of(key)} to L0");
            row.ExpireTs.Should().BeNull();
            row.CreateTs.Should().NotBeNull();
        }

        rows[Convert.ToHexString(TestData.Key("exp/keep"))].Kind.Should().Be(Format.RowKind.Value);

        foreach (var reader in new[] { EngineKind.Rust, EngineKind.DotNet })
        {
            var engine = engines[reader];
            await engine.OpenAsync(database, EngineSettings.Default);
            foreach (var key in shortKeys.Append(revived))
            {
                (await engine.GetAsync(key)).Should().BeNull($"{reader} reading {Hex.Of(key)}, expired when {writerKind} flushed it");
            }

            var kept = await engine.GetAsync(TestData.Key("exp/keep"));
            kept.Should().NotBeNull();
            kept!.ExpireTs.Should().Be(keep.CreateTs + TestData.LongTtlMs);
            (await engine.GetAsync(TestData.Key("exp/plain")))!.CreateTs.Should().Be(plain.CreateTs);
            (await engine.ScanAsync(TestData.Key("exp/"), TestData.Key("exp0"))).Select(r => Hex.Of(r.Key))
                .Should().Equal(Hex.Of(TestData.Key("exp/keep")), Hex.Of(TestData.Key("exp/plain")), Hex.Of(TestData.Key("exp/tick")));
            await engine.CloseAsync();
        }
    }
}
