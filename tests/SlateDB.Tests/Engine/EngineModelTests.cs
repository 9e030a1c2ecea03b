using System.Globalization;
using SlateDB.Storage;
using Xunit.Abstractions;

namespace SlateDB.Tests.Engine;

/// <summary>
/// Seeded random operations against the engine, checked step by step against a dictionary model, on both local
/// stores. Set SLATEDB_ENGINE_MODEL_SEED to replay one seed (the failure message names it).
/// </summary>
public sealed class EngineModelTests(ITestOutputHelper output) : IDisposable
{
    private const int Operations = 20_000;

    private readonly TempFolder _folder = new("slatedb-engine-model-");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public Task Random_operations_on_the_in_memory_store_match_the_model() =>
        new EngineModelRun(Seed(20260901), new InMemoryObjectStore(), output).RunAsync(Operations);

    [Fact]
    public Task Random_operations_on_the_local_file_system_store_match_the_model() =>
        new EngineModelRun(Seed(20260902), new LocalFileSystemObjectStore(_folder.Path), output).RunAsync(Operations);

    private static int Seed(int fallback) =>
        Environment.GetEnvironmentVariable("SLATEDB_ENGINE_MODEL_SEED") is { Length: > 0 } text
            ? int.Parse(text, CultureInfo.InvariantCulture)
            : fallback;
}
