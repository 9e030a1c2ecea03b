using System.Globalization;
using SlateDB.Storage;
using SlateDB.Tests.Engine;
using Xunit.Abstractions;

namespace SlateDB.Tests.Merge;

/// <summary>
/// Seeded random puts, merges, deletes, batches, flushes, compactions, reopens and snapshots checked against a model
/// that applies the merge operator, on both local stores. SLATEDB_MERGE_MODEL_SEED replays one seed.
/// </summary>
public sealed class MergeModelTests(ITestOutputHelper output) : IDisposable
{
    private const int Operations = 20_000;

    private readonly TempFolder _folder = new("slatedb-merge-model-");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public Task Random_merges_on_the_in_memory_store_match_the_model() =>
        new MergeModelRun(Seed(20261206), new InMemoryObjectStore(), output).RunAsync(Operations);

    [Fact]
    public Task Random_merges_on_the_local_file_system_store_match_the_model() =>
        new MergeModelRun(Seed(20261207), new LocalFileSystemObjectStore(_folder.Path), output, heavyShare: 0.2).RunAsync(Operations);

    private static int Seed(int fallback) =>
        Environment.GetEnvironmentVariable("SLATEDB_MERGE_MODEL_SEED") is { Length: > 0 } text
            ? int.Parse(text, CultureInfo.InvariantCulture)
            : fallback;
}
