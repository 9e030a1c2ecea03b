using SlateDB.Compatibility.Tests.Engines;
using SlateDB.Compatibility.Tests.Model;

namespace SlateDB.Compatibility.Tests.Scenarios;

/// <summary>
/// Scenario 3: the engines take turns as the writer of one database, three rounds each. Every session first checks
/// it sees everything written before it, then writes (some rounds flush memtables, some leave the tail in the WAL or
/// memtable for the close), then closes. Both engines check the final state.
/// </summary>
public sealed class AlternatingWritersTests
{
    [CompatTheory]
    [InlineData(EngineKind.Rust, 31)]
    [InlineData(EngineKind.DotNet, 31)]
    public async Task Writers_take_turns_for_three_rounds_each(EngineKind first, int seed)
    {
        using var database = TestDatabase.Create("alternate");
        await using var engines = await EnginePair.StartAsync();
        var model = new DbModel();
        var workload = new RandomWorkload(seed, keyCount: 400);
        var settings = EngineSettings.Default with { L0SstSizeBytes = 64 * 1024 };

        var kind = first;
        for (var session = 0; session < 6; session++, kind = EnginePair.Other(kind))
        {
            var engine = engines[kind];
            await engine.OpenAsync(database, settings);
            await ModelAssert.MatchesAsync(engine, model, $"session {session} ({kind}) on opening, seed {seed}");
            var writer = new ModelWriter(engine, model);
            await workload.RunAsync(writer, 400);
            if (session % 2 == 0)
            {
                await engine.FlushMemtableAsync();
                await workload.RunAsync(writer, 50);
            }

            await engine.CloseAsync();
        }

        foreach (var reader in new[] { EngineKind.Rust, EngineKind.DotNet })
        {
            await engines[reader].OpenAsync(database, settings);
            await ModelAssert.MatchesAsync(engines[reader], model, $"final state read by {reader}, seed {seed}");
            await engines[reader].CloseAsync();
        }
    }
}
