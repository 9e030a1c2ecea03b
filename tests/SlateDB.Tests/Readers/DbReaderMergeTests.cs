using FluentAssertions;
using Microsoft.Extensions.Time.Testing;
using SlateDB.Compaction;
using SlateDB.Storage;
using static SlateDB.Tests.Read.ReadTestKit;

namespace SlateDB.Tests.Readers;

/// <summary>A DbReader with the writer's merge operator folds operands from the replayed WAL, L0 and sorted runs; without one it refuses.</summary>
public sealed class DbReaderMergeTests
{
    private static readonly DbReaderOptions Follow = DbReaderOptions.Default with { Mode = DbReaderMode.FollowLatest, ManifestPollInterval = TimeSpan.FromSeconds(1) };

    [Fact]
    public async Task A_reader_folds_operands_across_wal_l0_and_sorted_runs()
    {
        var store = new InMemoryObjectStore();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var append = MergeOperators.Append(",");
        await using var db = await SlateDb.Builder("db", store).WithOptions(TestOptions()).WithTimeProvider(time).WithSeed(3)
            .WithMergeOperator(append).OpenAsync();
        await db.PutAsync("k", "a");
        await db.MergeAsync("k", "b");
        await db.FlushAsync(new FlushOptions { FlushType = FlushType.MemTable });
        await using (var compactor = await Compactor.Builder("db", store).WithMergeOperator(append).WithPollingDisabled().StartAsync())
        {
            (await compactor.CompactFullAsync()).Should().NotBeNull();
        }

        await db.RefreshManifestAsync();
        await db.MergeAsync("k", "c");
        await db.FlushAsync(new FlushOptions { FlushType = FlushType.MemTable });
        await db.MergeAsync("k", "d");
        await db.MergeAsync("only-ops", "x");
        await db.FlushAsync();

        await using var reader = await DbReader.Builder("db", store).WithTimeProvider(time).WithMergeOperator(append).WithOptions(Follow).OpenAsync();
        (await reader.GetAsync("k")).Should().Be("a,b,c,d");
        (await reader.GetAsync("only-ops")).Should().Be("x");
        var rows = new List<(string, string)>();
        await foreach (var row in reader.ScanPrefixAsync(""))
        {
            rows.Add((row.GetKeyString(), row.GetValueString()));
        }

        rows.Should().Equal(("k", "a,b,c,d"), ("only-ops", "x"));

        await using var plain = await DbReader.Builder("db", store).WithTimeProvider(time).WithOptions(Follow).OpenAsync();
        var missing = await Assert.ThrowsAsync<SlateDbException>(async () => await plain.GetAsync("k"));
        missing.Kind.Should().Be(SlateDbErrorKind.Invalid);
        missing.Message.Should().Contain("merge operator");
    }
}
