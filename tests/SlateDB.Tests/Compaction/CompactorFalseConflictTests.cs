using SlateDB.Compaction;
using SlateDB.Manifest;
using SlateDB.Storage;
using SlateDB.Tests.Storage.Decorators;
using static SlateDB.Tests.Compaction.CompactionTestKit;

namespace SlateDB.Tests.Compaction;

/// <summary>
/// The compactor's conditional puts (<c>.compactions</c> versions, output SSTs, the manifest) that land but are
/// reported as conflicts (an SDK re-send on a stale connection) are its own successes, not a rival compactor's.
/// </summary>
public sealed class CompactorFalseConflictTests
{
    [Theory]
    [InlineData("db/compactions/")]
    [InlineData("db/compacted/")]
    [InlineData("db/manifest/")]
    public async Task A_compaction_whose_put_landed_but_reported_a_conflict_commits_once(string prefix)
    {
        var memory = new InMemoryObjectStore();
        var store = new DoubleApplyingStore(memory);
        var writerOptions = SlateDbOptions.Default with { FlushInterval = null, CompactorOptions = null, GarbageCollectorOptions = null, MinFilterKeys = 1 };
        await using var db = await SlateDb.OpenAsync("db", memory, writerOptions);
        for (var f = 0; f < 4; f++)
        {
            var batch = new WriteBatch();
            for (var i = 0; i < 50; i++)
            {
                batch.Put(B(Key(i)), B($"v{f}"));
            }

            await db.WriteAsync(batch);
            await db.FlushAsync(new FlushOptions { FlushType = FlushType.MemTable });
        }

        await using var compactor = await Compactor.Builder("db", store).WithOptions(new CompactorOptions()).WithSeed(7).WithPollingDisabled().StartAsync();
        store.Arm(prefix, times: 2);

        var results = await compactor.RunOnceAsync();

        results.Should().ContainSingle();
        store.Misreported.Should().BeGreaterThan(0, "a put under the prefix landed and came back as a conflict");
        var after = (await new ManifestStore(memory, new DbPaths("db")).ReadLatestAsync(CancellationToken.None))!.Value.Manifest;
        after.Core.Tree.L0.Should().BeEmpty();
        after.Core.Tree.Compacted.Should().ContainSingle("the compaction is recorded once");
        await db.RefreshManifestAsync(CancellationToken.None);
        for (var i = 0; i < 50; i++)
        {
            (await db.GetAsync(Key(i))).Should().Be("v3");
        }
    }
}
