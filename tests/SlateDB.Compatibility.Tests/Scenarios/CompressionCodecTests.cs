using SlateDB.Compatibility.Tests.Engines;
using SlateDB.Compatibility.Tests.Model;

namespace SlateDB.Compatibility.Tests.Scenarios;

/// <summary>
/// Scenario 6: the writer compresses its SSTs (L0 and WAL) with each codec; the other engine reads everything. The
/// objects on disk are checked to really carry the codec, so no case passes by falling back to no compression.
/// </summary>
public sealed class CompressionCodecTests
{
    public static TheoryData<EngineKind, CompressionCodec> Cases()
    {
        var cases = new TheoryData<EngineKind, CompressionCodec>();
        foreach (var codec in Enum.GetValues<CompressionCodec>())
        {
            cases.Add(EngineKind.Rust, codec);
            cases.Add(EngineKind.DotNet, codec);
        }

        return cases;
    }

    [CompatTheory]
    [MemberData(nameof(Cases))]
    public async Task The_other_engine_reads_SSTs_compressed_with_each_codec(EngineKind writerKind, CompressionCodec codec)
    {
        var seed = 60 + (int)codec;
        using var database = TestDatabase.Create($"codec-{codec}");
        await using var engines = await EnginePair.StartAsync();
        var writer = engines[writerKind];
        var reader = engines[EnginePair.Other(writerKind)];
        var model = new DbModel();
        var settings = EngineSettings.Default with { Codec = codec };

        await writer.OpenAsync(database, settings);
        await MixedWorkload.RunAsync(new ModelWriter(writer, model), new Random(seed));
        await writer.CloseAsync();

        var expected = SstCodecs.Expected(codec);
        var l0 = OnDisk.Ssts(database, "compacted");
        var wal = OnDisk.Ssts(database, "wal");
        l0.Should().NotBeEmpty();
        l0.Select(s => s.Info.Compression).Should().AllBeEquivalentTo(expected, $"{writerKind} wrote L0 SSTs with {codec}");
        wal.Where(s => s.BlockCount > 0).Select(s => s.Info.Compression).Should().NotBeEmpty().And.AllBeEquivalentTo(expected, $"{writerKind} wrote WAL SSTs with {codec}");

        // The reader opens with the default codec (none): the codec is read from each SST, not from the settings.
        await reader.OpenAsync(database, EngineSettings.Default);
        await ModelAssert.MatchesAsync(reader, model, $"{writerKind} wrote with {codec}, seed {seed}");
        await reader.CloseAsync();
    }
}
