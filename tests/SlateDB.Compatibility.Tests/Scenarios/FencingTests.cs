using SlateDB.Compatibility.Tests.Engines;
using SlateDB.Compatibility.Tests.Model;

namespace SlateDB.Compatibility.Tests.Scenarios;

/// <summary>
/// Scenario 4: while one engine holds the database open as its writer, the other opens it. The newcomer claims the
/// writer epoch and fences the WAL, so the first engine's next durable write fails as fenced (ours: SlateDbException
/// Closed/Fenced; Rust: an error answer), and none of its later writes reach the database.
/// </summary>
public sealed class FencingTests
{
    [CompatTheory]
    [InlineData(EngineKind.Rust, 41)]
    [InlineData(EngineKind.DotNet, 41)]
    public async Task Opening_the_database_fences_the_writer_of_the_other_engine(EngineKind holderKind, int seed)
    {
        using var database = TestDatabase.Create("fence");
        await using var engines = await EnginePair.StartAsync();
        var holder = engines[holderKind];
        var newcomer = engines[EnginePair.Other(holderKind)];
        var model = new DbModel();
        var random = new Random(seed);

        await holder.OpenAsync(database, EngineSettings.Default);
        var held = new ModelWriter(holder, model);
        for (var i = 0; i < 50; i++)
        {
            await held.PutAsync(TestData.Key($"before/{i:D2}"), TestData.Text(random, "held"));
        }

        await held.DeleteAsync(TestData.Key("before/07"), awaitDurable: true);
        var epochBefore = (await OnDisk.LatestManifestAsync(database)).Manifest.WriterEpoch;

        await newcomer.OpenAsync(database, EngineSettings.Default);
        (await OnDisk.LatestManifestAsync(database)).Manifest.WriterEpoch.Should().BeGreaterThan(epochBefore, "the newcomer claims the next writer epoch");
        await ModelAssert.MatchesAsync(newcomer, model, $"{newcomer.Kind} opened while {holderKind} held the database, seed {seed}");

        var lostKey = TestData.Key("fenced/lost");
        await AssertFencedAsync(holder, () => holder.PutAsync(lostKey, TestData.Text(random, "lost"), awaitDurable: true));
        await AssertFencedAsync(holder, () => holder.PutAsync(TestData.Key("fenced/later"), [1], awaitDurable: true));

        var fresh = new ModelWriter(newcomer, model);
        for (var i = 0; i < 20; i++)
        {
            await fresh.PutAsync(TestData.Key($"after/{i:D2}"), TestData.Text(random, "new"), awaitDurable: i == 19);
        }

        await ModelAssert.MatchesAsync(newcomer, model, $"{newcomer.Kind} after fencing {holderKind}, seed {seed}");
        (await newcomer.GetAsync(lostKey)).Should().BeNull("the fenced writer's write never became durable");
        await CloseFencedAsync(holder);
        await newcomer.CloseAsync();

        // The fenced engine, reopened, sees the newcomer's writes and not its own lost ones.
        await holder.OpenAsync(database, EngineSettings.Default);
        await ModelAssert.MatchesAsync(holder, model, $"{holderKind} reopened after being fenced, seed {seed}");
        (await holder.GetAsync(lostKey)).Should().BeNull();
        await holder.CloseAsync();
    }

    private static async Task AssertFencedAsync(ICompatEngine holder, Func<Task> write)
    {
        if (holder is RustEngine)
        {
            var failure = await FluentActions.Awaiting(write).Should().ThrowAsync<RustDriverException>("SlateDB 0.12.1 must refuse a durable write once fenced");
            failure.Which.Kind.Should().Be("Closed", failure.Which.Message);
            // SlateDBError::Fenced reads "detected newer DB client" in 0.12.1.
            failure.Which.Error.Should().Contain("detected newer DB client", failure.Which.Message);
        }
        else
        {
            var failure = await FluentActions.Awaiting(write).Should().ThrowAsync<SlateDbException>("our engine must refuse a durable write once fenced");
            failure.Which.Kind.Should().Be(SlateDbErrorKind.Closed, failure.Which.Message);
            failure.Which.CloseReason.Should().Be(CloseReason.Fenced, failure.Which.Message);
        }
    }

    /// <summary>Closing a fenced writer may itself report the fencing; either way it must not write anything.</summary>
    private static async Task CloseFencedAsync(ICompatEngine holder)
    {
        try
        {
            await holder.CloseAsync();
        }
        catch (RustDriverException e) when (e.Kind == "Closed")
        {
        }
        catch (SlateDbException e) when (e.Kind is SlateDbErrorKind.Closed or SlateDbErrorKind.Unavailable)
        {
        }
    }
}
