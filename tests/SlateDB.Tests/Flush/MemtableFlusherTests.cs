using System.Text;
using SlateDB.Manifest;
using SlateDB.Sst;
using SlateDB.Storage;
using SlateDB.Tests.Engine;
using static SlateDB.Tests.Engine.EngineTestSupport;

namespace SlateDB.Tests.Flush;

/// <summary>
/// The L0 flush: <see cref="SlateDbOptions.L0FlushParallelism"/> uploads at once with manifest updates in memtable
/// order, <see cref="SlateDbOptions.MaxWalFlushesBeforeL0Flush"/> as a freeze trigger, and the WAL written before
/// every L0 flush.
/// </summary>
public sealed class MemtableFlusherTests
{
    private const int Groups = 4;

    /// <summary>Regression: <c>L0FlushParallelism</c> was only validated; uploads ran one at a time.</summary>
    [Fact]
    public async Task Frozen_memtables_upload_in_parallel_and_are_recorded_oldest_first()
    {
        var inner = new InMemoryObjectStore();
        var a = await WriteGroupsAsync(inner);

        // The oldest memtable's upload is the slowest: the others finish first, yet are recorded after it.
        var store = new UploadBarrierStore(inner, expected: Groups, slowMarker: "g0-");
        await using var b = await OpenAsync(store, TestOptions(l0SstSizeBytes: 1024) with { L0FlushParallelism = Groups }, seed: 2);
        await b.FlushAsync(new FlushOptions { FlushType = FlushType.MemTable });

        store.MaxInFlight.Should().Be(Groups, "every frozen memtable is uploaded at once");
        var l0 = await L0GroupsAsync(inner);
        l0.Should().Equal(["g3-", "g2-", "g1-", "g0-"], "L0 is newest first: the manifest updates were applied oldest memtable first");
        for (var g = 0; g < Groups; g++)
        {
            (await b.GetAsync($"g{g}-0")).Should().Be("v");
        }

        await CloseMaybeFencedAsync(a);
    }

    [Fact]
    public async Task A_failed_upload_records_no_newer_memtable()
    {
        var inner = new InMemoryObjectStore();
        var a = await WriteGroupsAsync(inner);

        var store = new UploadBarrierStore(inner, expected: Groups, slowMarker: "g0-", failSlow: true);
        await using var b = await OpenAsync(store, TestOptions(l0SstSizeBytes: 1024) with { L0FlushParallelism = Groups }, seed: 2);
        var flush = () => b.FlushAsync(new FlushOptions { FlushType = FlushType.MemTable }).AsTask();
        await flush.Should().ThrowAsync<SlateDbException>();

        store.MaxInFlight.Should().Be(Groups);
        (await L0GroupsAsync(inner)).Should().BeEmpty("the newer memtables' SSTs were uploaded, but nothing after the failed one is recorded");
        await CloseMaybeFencedAsync(a);
        await b.CloseAsync();

        // Their rows are still in the WAL: the next writer replays them.
        await using var c = await OpenAsync(inner, TestOptions(), seed: 3);
        (await c.GetAsync("g0-0")).Should().Be("v");
        (await c.GetAsync("g3-0")).Should().Be("v");
    }

    /// <summary>Regression: <c>max_wal_flushes_before_l0_flush</c> did not exist; a slow writer's memtable stayed in memory.</summary>
    [Fact]
    public async Task The_memtable_is_flushed_to_L0_after_max_wal_flushes_before_l0_flush_wal_objects()
    {
        var store = new InMemoryObjectStore();
        var options = TestOptions(l0SstSizeBytes: 16 * 1024 * 1024) with { FlushInterval = null };
        await using var db = await OpenAsync(store, options);
        var limit = (int)options.MaxWalFlushesBeforeL0Flush;
        limit.Should().Be(4096, "SlateDB's default");

        // As SlateDB counts: WAL ids since the freeze point (here the replay point, 0), so the open's fence counts.
        var fence = await CountWalObjectsAsync(store);
        for (var i = 0; i < limit - fence - 1; i++)
        {
            await db.PutAsync($"k{i}", "v");
            await db.FlushAsync();
        }

        (await L0CountAsync(store)).Should().Be(0, "one WAL object short of the limit");
        await db.PutAsync("last", "v");
        await db.FlushAsync();
        await EventuallyAsync(() => L0CountAsync(store).GetAwaiter().GetResult() == 1, "the memtable to reach L0");
    }

    /// <summary>Regression: a memtable flushed to L0 before the WAL loop ran carried rows that never reached the WAL.</summary>
    [Fact]
    public async Task Every_committed_write_reaches_the_wal_before_its_l0_flush()
    {
        var store = new InMemoryObjectStore();
        await using var db = await OpenAsync(store, TestOptions() with { FlushInterval = null });
        var before = await CountWalObjectsAsync(store);

        await db.PutAsync("k", "v");
        await db.FlushAsync(new FlushOptions { FlushType = FlushType.MemTable });

        (await L0CountAsync(store)).Should().Be(1);
        (await CountWalObjectsAsync(store)).Should().Be(before + 1, "the WAL buffer is written before the L0 flush");
    }

    [Fact]
    public void Max_wal_flushes_before_l0_flush_is_read_from_json_and_at_least_4096()
    {
        SlateDbOptions.FromJson("""{ "max_wal_flushes_before_l0_flush": 5000 }""").MaxWalFlushesBeforeL0Flush.Should().Be(5000);
        var act = () => (SlateDbOptions.Default with { MaxWalFlushesBeforeL0Flush = 4095 }).Validate();
        act.Should().Throw<SlateDbException>().Where(e => e.Kind == SlateDbErrorKind.Invalid && e.Message.Contains("max_wal_flushes_before_l0_flush"));
    }

    /// <summary>
    /// A writer (left open, as if it crashed) that wrote <see cref="Groups"/> WAL objects of about 2 KiB each: a writer
    /// opening with 1 KiB memtables replays them as that many frozen memtables.
    /// </summary>
    private static async Task<SlateDb> WriteGroupsAsync(IObjectStore store)
    {
        var a = await OpenAsync(store, TestOptions() with { FlushInterval = null }, seed: 1);
        for (var g = 0; g < Groups; g++)
        {
            for (var i = 0; i < 20; i++)
            {
                await a.PutAsync(Encoding.UTF8.GetBytes($"g{g}-{i}"), Encoding.UTF8.GetBytes(i == 0 ? "v" : new string('x', 100)));
            }

            await a.FlushAsync();
        }

        return a;
    }

    private static async Task<int> L0CountAsync(IObjectStore store) =>
        (await new ManifestStore(store, new DbPaths("db")).ReadLatestAsync(default))!.Value.Manifest.Core.Tree.L0.Count;

    /// <summary>The group each L0 SST of the latest manifest holds (its first key's prefix), in manifest order.</summary>
    private static async Task<List<string>> L0GroupsAsync(IObjectStore store)
    {
        var paths = new DbPaths("db");
        var manifest = (await new ManifestStore(store, paths).ReadLatestAsync(default))!.Value.Manifest;
        var groups = new List<string>();
        foreach (var view in manifest.Core.Tree.L0)
        {
            var path = paths.SstPath(view.Sst.Id);
            var bytes = (await store.GetAsync(path, default))!.Data;
            groups.Add(Encoding.UTF8.GetString(SstFile.Open(bytes, path).ReadAllRows(bytes)[0].Key.Span)[..3]);
        }

        return groups;
    }

    /// <summary>
    /// Holds L0 SST uploads until <c>expected</c> are in flight at once (or a few seconds passed), counting the most
    /// in flight; the upload holding <c>slowMarker</c> then waits for the others and succeeds or fails.
    /// </summary>
    private sealed class UploadBarrierStore(IObjectStore inner, int expected, string slowMarker, bool failSlow = false) : IObjectStore
    {
        private readonly TaskCompletionSource _allIn = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _othersDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _inFlight;
        private int _maxInFlight;
        private int _done;

        public int MaxInFlight => Volatile.Read(ref _maxInFlight);

        public ValueTask<ObjectContent?> GetAsync(string path, CancellationToken cancellationToken) => inner.GetAsync(path, cancellationToken);

        public ValueTask<ObjectContent?> GetRangeAsync(string path, ByteRange range, CancellationToken cancellationToken) => inner.GetRangeAsync(path, range, cancellationToken);

        public ValueTask<ObjectMetadata?> HeadAsync(string path, CancellationToken cancellationToken) => inner.HeadAsync(path, cancellationToken);

        public async ValueTask<PutResult> PutAsync(string path, ReadOnlyMemory<byte> data, PutMode mode, CancellationToken cancellationToken)
        {
            if (!path.StartsWith("db/compacted/", StringComparison.Ordinal))
            {
                return await inner.PutAsync(path, data, mode, cancellationToken);
            }

            var now = Interlocked.Increment(ref _inFlight);
            InterlockedMax(ref _maxInFlight, now);
            if (now >= expected)
            {
                _allIn.TrySetResult();
            }

            await Task.WhenAny(_allIn.Task, Task.Delay(TimeSpan.FromSeconds(5), cancellationToken));
            var slow = Encoding.UTF8.GetString(data.Span).Contains(slowMarker, StringComparison.Ordinal);
            try
            {
                if (slow)
                {
                    await Task.WhenAny(_othersDone.Task, Task.Delay(TimeSpan.FromSeconds(5), cancellationToken));
                    if (failSlow)
                    {
                        throw new InvalidOperationException("The oldest memtable's upload fails.");
                    }
                }

                return await inner.PutAsync(path, data, mode, cancellationToken);
            }
            finally
            {
                Interlocked.Decrement(ref _inFlight);
                if (!slow && Interlocked.Increment(ref _done) >= expected - 1)
                {
                    _othersDone.TrySetResult();
                }
            }
        }

        public ValueTask DeleteAsync(string path, CancellationToken cancellationToken) => inner.DeleteAsync(path, cancellationToken);

        public IAsyncEnumerable<ObjectMetadata> ListAsync(string prefix, CancellationToken cancellationToken) => inner.ListAsync(prefix, cancellationToken);

        private static void InterlockedMax(ref int target, int value)
        {
            var current = Volatile.Read(ref target);
            while (value > current && Interlocked.CompareExchange(ref target, value, current) is var seen && seen != current)
            {
                current = seen;
            }
        }
    }
}
