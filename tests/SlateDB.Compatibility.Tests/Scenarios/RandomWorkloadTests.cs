using System.Diagnostics;
using SlateDB.Compatibility.Tests.Engines;
using SlateDB.Compatibility.Tests.Model;
using Xunit.Abstractions;

namespace SlateDB.Compatibility.Tests.Scenarios;

/// <summary>
/// A seeded random workload of at least 10,000 operations per seed (each row of a batch, each checked read and each
/// flush counts as one), split across alternating writer sessions: each session runs a random number of operations
/// (checking random reads against the model as it goes) and closes, then the other engine continues. Odd seeds start
/// with Rust, even ones with .NET. Both engines check the final state against the model.
/// </summary>
public sealed class RandomWorkloadTests(ITestOutputHelper output)
{
    private const int OperationsPerSeed = 10_000;

    [CompatTheory]
    [InlineData(1001)]
    [InlineData(1002)]
    [InlineData(1003)]
    [InlineData(1004)]
    [InlineData(1005)]
    public async Task Alternating_writers_agree_with_the_model(int seed)
    {
        using var database = TestDatabase.Create($"random-{seed}");
        await using var engines = await EnginePair.StartAsync();
        var model = new DbModel();
        var workload = new RandomWorkload(seed, keyCount: 1500);
        var settings = EngineSettings.Default with { L0SstSizeBytes = 128 * 1024 };
        var kind = seed % 2 == 1 ? EngineKind.Rust : EngineKind.DotNet;
        var sessions = new List<string>();
        var watch = Stopwatch.StartNew();

        while (workload.Operations < OperationsPerSeed)
        {
            var engine = engines[kind];
            var count = workload.Random.Next(300, 2500);
            var start = workload.Operations;
            try
            {
                await engine.OpenAsync(database, settings);
                await workload.RunAsync(new ModelWriter(engine, model), count);
                await engine.CloseAsync();
            }
            catch (Exception e) when (e is not Xunit.Sdk.XunitException)
            {
                throw new Xunit.Sdk.XunitException($"seed {seed}: {kind} failed in session {sessions.Count} (operations {start}..): {e.Message}{Environment.NewLine}sessions so far: {string.Join(", ", sessions)}");
            }

            sessions.Add($"{kind}:{workload.Operations - start}");
            kind = EnginePair.Other(kind);
        }

        foreach (var reader in new[] { EngineKind.Rust, EngineKind.DotNet })
        {
            await engines[reader].OpenAsync(database, settings);
            await ModelAssert.MatchesAsync(engines[reader], model, $"seed {seed}, final state after sessions {string.Join(", ", sessions)}");
            await engines[reader].CloseAsync();
        }

        output.WriteLine($"seed {seed}: {workload.Operations} operations, {model.WriteCount} writes, {model.LiveCount} live keys, sessions {string.Join(", ", sessions)}, {watch.ElapsedMilliseconds} ms");
    }
}
