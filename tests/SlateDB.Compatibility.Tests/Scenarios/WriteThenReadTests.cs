using SlateDB.Compatibility.Tests.Engines;
using SlateDB.Compatibility.Tests.Model;

namespace SlateDB.Compatibility.Tests.Scenarios;

/// <summary>
/// Scenario 1: one engine writes every kind of row and closes; the other opens the same folder and every point read
/// (value, sequence, create and expire timestamps) and every scan equals the model.
/// </summary>
public sealed class WriteThenReadTests
{
    [CompatTheory]
    [InlineData(EngineKind.Rust, 11)]
    [InlineData(EngineKind.DotNet, 11)]
    public async Task The_other_engine_reads_everything_the_writer_wrote(EngineKind writerKind, int seed)
    {
        using var database = TestDatabase.Create("write-read");
        await using var engines = await EnginePair.StartAsync();
        var writer = engines[writerKind];
        var reader = engines[EnginePair.Other(writerKind)];
        var model = new DbModel();

        await writer.OpenAsync(database, EngineSettings.Default);
        await MixedWorkload.RunAsync(new ModelWriter(writer, model), new Random(seed));
        await ModelAssert.MatchesAsync(writer, model, $"the writer itself before closing, seed {seed}");
        await writer.CloseAsync();

        database.ObjectsIn("compacted").Should().NotBeEmpty("the workload flushed memtables to L0");
        await reader.OpenAsync(database, EngineSettings.Default);
        await ModelAssert.MatchesAsync(reader, model, $"{writerKind} wrote, seed {seed}");
        foreach (var (start, end) in MixedWorkload.ScanRanges)
        {
            await ModelAssert.ScanMatchesAsync(reader, model, start, end, $"{writerKind} wrote, seed {seed}");
        }

        await reader.CloseAsync();
    }
}
