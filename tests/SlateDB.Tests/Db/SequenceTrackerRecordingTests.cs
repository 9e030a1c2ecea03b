using Microsoft.Extensions.Time.Testing;
using SlateDB.Manifest;
using SlateDB.Storage;

namespace SlateDB.Tests.Db;

/// <summary>
/// Writes record (sequence, wall time) pairs in their memtable's tracker and L0 flushes add them to the manifest's
/// sequence tracker, at most one pair per 60 s, as SlateDB 0.12.1 does. Regression: we never recorded any, so
/// SlateDB's sequence/time lookups and time-based retention knew nothing of rows our engine wrote.
/// </summary>
public sealed class SequenceTrackerRecordingTests
{
    private static readonly DateTimeOffset Start = new(2030, 1, 2, 3, 4, 5, TimeSpan.Zero);

    [Fact]
    public async Task L0_flushes_add_the_memtables_pairs_to_the_manifest_at_most_once_a_minute()
    {
        var store = new InMemoryObjectStore();
        var time = new FakeTimeProvider(Start);
        var options = SlateDbOptions.Default with { CompactorOptions = null, GarbageCollectorOptions = null, FlushInterval = null };
        var manifests = new ManifestStore(store, new DbPaths("db"));

        await using (var db = await SlateDb.Builder("db", store).WithOptions(options).WithTimeProvider(time).OpenAsync())
        {
            var first = await db.PutAsync("a", "1");
            await db.PutAsync("b", "2");
            await db.FlushAsync(new FlushOptions { FlushType = FlushType.MemTable });
            (await TrackerAsync(manifests)).Should().Equal((first.Sequence, Start.ToUnixTimeSeconds()));

            // Ten seconds later, even after the writer rereads the manifest: still inside the interval, no new pair.
            time.Advance(TimeSpan.FromSeconds(10));
            await db.RefreshManifestAsync(default);
            await db.PutAsync("c", "3");
            await db.FlushAsync(new FlushOptions { FlushType = FlushType.MemTable });
            (await TrackerAsync(manifests)).Should().HaveCount(1);

            time.Advance(TimeSpan.FromSeconds(61));
            var later = await db.PutAsync("d", "4");
            await db.FlushAsync(new FlushOptions { FlushType = FlushType.MemTable });
            (await TrackerAsync(manifests)).Should().Equal(
                (first.Sequence, Start.ToUnixTimeSeconds()),
                (later.Sequence, Start.ToUnixTimeSeconds() + 71));
        }

        // A new writer starts from the stored pairs and records its own first flush, as SlateDB does.
        time.Advance(TimeSpan.FromSeconds(1));
        await using (var db = await SlateDb.Builder("db", store).WithOptions(options).WithTimeProvider(time).OpenAsync())
        {
            var next = await db.PutAsync("e", "5");
            await db.FlushAsync(new FlushOptions { FlushType = FlushType.MemTable });
            var pairs = await TrackerAsync(manifests);
            pairs.Should().HaveCount(3);
            pairs[^1].Should().Be((next.Sequence, Start.ToUnixTimeSeconds() + 72));
        }
    }

    private static async Task<List<(long Seq, long Secs)>> TrackerAsync(ManifestStore manifests)
    {
        var tracker = (await manifests.ReadLatestAsync(default))!.Value.Manifest.Core.SequenceTracker;
        return [.. tracker.SequenceNumbers.Zip(tracker.Timestamps, (seq, secs) => ((long)seq, secs))];
    }
}
