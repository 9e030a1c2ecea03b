using System.Globalization;
using System.Text;
using SlateDB.Compaction;
using SlateDB.Format;
using SlateDB.Manifest;
using SlateDB.Storage;

namespace SlateDB.Tests.Manifest;

/// <summary>
/// An object store whose next creates of versioned metadata under <see cref="Prefix"/> succeed but are reported as
/// "already exists" (a retried PUT whose first attempt landed): the false conflict behind issue 12.
/// </summary>
internal sealed class FalseConflictObjectStore(IObjectStore inner) : IObjectStore
{
    private int _armed;

    public string Prefix { get; set; } = "db/manifest/";

    /// <summary>How many false conflicts were reported.</summary>
    public int Reported { get; private set; }

    /// <summary>The next <paramref name="count"/> creates under the prefix are performed and then reported as conflicts.</summary>
    public void Arm(int count = 1) => Volatile.Write(ref _armed, count);

    public ValueTask<ObjectContent?> GetAsync(string path, CancellationToken cancellationToken) => inner.GetAsync(path, cancellationToken);

    public ValueTask<ObjectContent?> GetRangeAsync(string path, ByteRange range, CancellationToken cancellationToken) => inner.GetRangeAsync(path, range, cancellationToken);

    public ValueTask<ObjectMetadata?> HeadAsync(string path, CancellationToken cancellationToken) => inner.HeadAsync(path, cancellationToken);

    public async ValueTask<PutResult> PutAsync(string path, ReadOnlyMemory<byte> data, PutMode mode, CancellationToken cancellationToken)
    {
        var result = await inner.PutAsync(path, data, mode, cancellationToken);
        if (result.IsWritten && mode == PutMode.Create && path.StartsWith(Prefix, StringComparison.Ordinal) && Interlocked.Decrement(ref _armed) >= 0)
        {
            Reported++;
            return PutResult.AlreadyExists;
        }

        return result;
    }

    public ValueTask DeleteAsync(string path, CancellationToken cancellationToken) => inner.DeleteAsync(path, cancellationToken);

    public IAsyncEnumerable<ObjectMetadata> ListAsync(string prefix, CancellationToken cancellationToken) => inner.ListAsync(prefix, cancellationToken);
}

/// <summary>
/// The shared manifest compare-and-swap: changes are idempotent (a false conflict does not apply a change twice), and
/// a create at or below the GC boundary counts as lost (RFC-0026).
/// </summary>
public sealed class ManifestCasTests
{
    private static readonly SlateDbOptions WriterOptions = SlateDbOptions.Default with
    {
        FlushInterval = null,
        CompactorOptions = null,
        GarbageCollectorOptions = null,
        MinFilterKeys = 1,
    };

    private static readonly FlushOptions MemTable = new() { FlushType = FlushType.MemTable };

    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    private static async Task<(ulong Id, DbManifest Manifest)> LatestAsync(IObjectStore store) =>
        (await new ManifestStore(store, new DbPaths("db")).ReadLatestAsync(CancellationToken.None))!.Value;

    [Fact]
    public async Task A_false_conflict_on_an_L0_flush_lists_the_SST_once()
    {
        var store = new FalseConflictObjectStore(new InMemoryObjectStore());
        await using var db = await SlateDb.OpenAsync("db", store, WriterOptions);
        await db.PutAsync(B("a"), B("1"));
        store.Arm();
        await db.FlushAsync(MemTable);

        store.Reported.Should().Be(1);
        var (_, manifest) = await LatestAsync(store);
        manifest.Core.Tree.L0.Should().ContainSingle("the reread version already held the flush; applying it again would list the SST twice");
        (await db.GetAsync("a")).Should().Be("1");

        await db.PutAsync(B("b"), B("2"));
        await db.FlushAsync(MemTable);
        (await LatestAsync(store)).Manifest.Core.Tree.L0.Select(view => view.Sst.Id).Should().OnlyHaveUniqueItems().And.HaveCount(2);
    }

    [Fact]
    public async Task A_false_conflict_on_a_compaction_commit_applies_it_once_and_the_next_compaction_runs()
    {
        var store = new FalseConflictObjectStore(new InMemoryObjectStore());
        await using var db = await SlateDb.OpenAsync("db", store, WriterOptions);
        for (var f = 0; f < 4; f++)
        {
            await db.PutAsync(B($"k{f}"), B($"v{f}"));
            await db.FlushAsync(MemTable);
        }

        await using var compactor = await Compactor.Builder("db", store).WithOptions(new CompactorOptions()).WithSeed(3).WithPollingDisabled().StartAsync();
        store.Arm();
        var results = await compactor.RunOnceAsync();

        store.Reported.Should().Be(1);
        results.Should().ContainSingle("the commit is in the manifest: the reread shows it and nothing is applied again");
        var (_, manifest) = await LatestAsync(store);
        manifest.Core.Tree.L0.Should().BeEmpty();
        var run = manifest.Core.Tree.Compacted.Should().ContainSingle().Subject;
        run.Views.Select(view => view.Sst.Id).Should().OnlyHaveUniqueItems();

        for (var f = 4; f < 8; f++)
        {
            await db.PutAsync(B($"k{f}"), B($"v{f}"));
            await db.FlushAsync(MemTable);
        }

        (await compactor.RunOnceAsync()).Should().ContainSingle("jobs naming the inputs are not refused");
        await db.RefreshManifestAsync(CancellationToken.None);
        for (var f = 0; f < 8; f++)
        {
            (await db.GetAsync($"k{f}")).Should().Be($"v{f}");
        }
    }

    [Fact]
    public void An_L0_flush_already_in_the_manifest_is_recognised()
    {
        var sst = new SsTableHandle(SsTableId.Compacted(new SlateDB.Common.Ulid(5, 6)), 1, new SsTableInfoModel { FirstEntry = new byte[] { 1 } });
        var core = new ManifestCore { Tree = LsmTreeState.Empty with { L0 = [SsTableView.Identity(sst)] }, LastL0Seq = 10, ReplayAfterWalId = 3, NextWalSstId = 5 };
        var manifest = DbManifest.Initial(core);

        SlateDB.Db.WriterManifest.HasL0Flush(manifest, sst.Id, lastSeq: 10, flushedWalId: 3).Should().BeTrue("its SST is in L0");
        var compactedAway = manifest with { Core = core with { Tree = LsmTreeState.Empty } };
        SlateDB.Db.WriterManifest.HasL0Flush(compactedAway, sst.Id, lastSeq: 10, flushedWalId: 3).Should().BeTrue("the manifest covers its rows and WAL");
        SlateDB.Db.WriterManifest.HasL0Flush(compactedAway, sst.Id, lastSeq: 11, flushedWalId: 4).Should().BeFalse("a newer memtable is not in yet");
    }

    [Fact]
    public async Task A_manifest_created_at_or_below_the_gc_boundary_is_a_lost_race()
    {
        var inner = new InMemoryObjectStore();
        await using (var db = await SlateDb.OpenAsync("db", inner, WriterOptions))
        {
            await db.PutAsync(B("a"), B("1"));
            await db.FlushAsync(MemTable);
        }

        var (id, manifest) = await LatestAsync(inner);
        var paths = new DbPaths("db");
        var manifests = new ManifestStore(inner, paths);

        // A stalled writer's create of id + 1 lands after the collector advanced the boundary past it (the collector
        // deleted an earlier id + 1; a newer version id + 2 exists).
        await SlateDB.GarbageCollection.GcBoundary.AdvanceAsync(inner, paths.GcBoundaryPath(DbPaths.ManifestFolder), id + 1, CancellationToken.None);
        (await manifests.TryWriteAsync(id + 2, manifest with { WriterEpoch = manifest.WriterEpoch + 5 }, CancellationToken.None)).Should().BeTrue();
        (await manifests.WriteAsync(id + 1, manifest, PutMode.Create, CancellationToken.None)).Should().Be(CreateOutcome.BelowGcBoundary);

        var cas = new ManifestCas(manifests, TimeProvider.System, TimeSpan.FromSeconds(30), "test");
        cas.Hold(id, manifest);
        await inner.DeleteAsync(paths.ManifestPath(id + 1), CancellationToken.None);
        (await cas.UpdateAsync((_, current) => current with { CompactorEpoch = current.CompactorEpoch + 1 }, null, null, CancellationToken.None)).Should().BeTrue();
        cas.Id.Should().Be(id + 3, "the create of id + 1 was lost, so the change was reapplied on the newest version");
        cas.Current.WriterEpoch.Should().Be(manifest.WriterEpoch + 5);
    }

    [Fact]
    public async Task A_writer_whose_flush_lands_below_the_gc_boundary_rereads_and_reapplies()
    {
        var inner = new InMemoryObjectStore();
        var store = new BoundaryBumpingObjectStore(inner, "db/manifest/");
        await using var db = await SlateDb.OpenAsync("db", store, WriterOptions);
        await db.PutAsync(B("a"), B("1"));
        store.BumpNext = true;
        await db.FlushAsync(MemTable);

        store.Bumped.Should().Be(1);
        var (id, manifest) = await LatestAsync(inner);
        id.Should().BeGreaterThan(store.BoundaryAt, "the flush was written again above the boundary");
        manifest.Core.Tree.L0.Should().ContainSingle();
        (await db.GetAsync("a")).Should().Be("1");
    }

    [Fact]
    public async Task A_compactions_version_created_below_the_gc_boundary_is_a_lost_race()
    {
        var inner = new InMemoryObjectStore();
        await using var db = await SlateDb.OpenAsync("db", inner, WriterOptions);
        for (var f = 0; f < 4; f++)
        {
            await db.PutAsync(B($"k{f}"), B($"v{f}"));
            await db.FlushAsync(MemTable);
        }

        var store = new BoundaryBumpingObjectStore(inner, "db/compactions/");
        await using var compactor = await Compactor.Builder("db", store).WithOptions(new CompactorOptions()).WithSeed(3).WithPollingDisabled().StartAsync();
        store.BumpNext = true;
        (await compactor.RunOnceAsync()).Should().ContainSingle();

        store.Bumped.Should().Be(1);
        var versions = new VersionedObjectStore(inner, "db/compactions", "compactions");
        var latest = (await versions.ReadLatestAsync(CancellationToken.None))!.Value;
        latest.Id.Should().BeGreaterThan(store.BoundaryAt);
        var state = SlateDB.Manifest.Codec.CompactionsCodec.Decode(latest.Bytes, "c");
        state.Compactions.Should().ContainSingle().Which.Status.Should().Be(CompactionStatus.Completed);
    }
}

/// <summary>
/// Simulates the RFC-0026 race: right after the next create under <c>prefix</c> lands, a collector advances the GC
/// boundary to that version and a newer version (a copy) appears, as if the create had recreated a deleted version.
/// </summary>
internal sealed class BoundaryBumpingObjectStore(IObjectStore inner, string prefix) : IObjectStore
{
    public bool BumpNext { get; set; }

    public int Bumped { get; private set; }

    public ulong BoundaryAt { get; private set; }

    public ValueTask<ObjectContent?> GetAsync(string path, CancellationToken cancellationToken) => inner.GetAsync(path, cancellationToken);

    public ValueTask<ObjectContent?> GetRangeAsync(string path, ByteRange range, CancellationToken cancellationToken) => inner.GetRangeAsync(path, range, cancellationToken);

    public ValueTask<ObjectMetadata?> HeadAsync(string path, CancellationToken cancellationToken) => inner.HeadAsync(path, cancellationToken);

    public async ValueTask<PutResult> PutAsync(string path, ReadOnlyMemory<byte> data, PutMode mode, CancellationToken cancellationToken)
    {
        var result = await inner.PutAsync(path, data, mode, cancellationToken);
        if (BumpNext && result.IsWritten && mode == PutMode.Create && path.StartsWith(prefix, StringComparison.Ordinal))
        {
            BumpNext = false;
            Bumped++;
            var name = path[(path.LastIndexOf('/') + 1)..];
            var id = ulong.Parse(name[..name.IndexOf('.', StringComparison.Ordinal)], CultureInfo.InvariantCulture);
            BoundaryAt = id;
            var kind = prefix.TrimEnd('/')[(prefix.TrimEnd('/').LastIndexOf('/') + 1)..];
            var newer = ObjectPath.Combine(path[..path.LastIndexOf('/')], (id + 1).ToString("D20", CultureInfo.InvariantCulture) + name[name.IndexOf('.', StringComparison.Ordinal)..]);
            var previous = await inner.GetAsync(ObjectPath.Combine(path[..path.LastIndexOf('/')], (id - 1).ToString("D20", CultureInfo.InvariantCulture) + name[name.IndexOf('.', StringComparison.Ordinal)..]), cancellationToken);
            (await inner.PutAsync(newer, previous!.Data, PutMode.Create, cancellationToken)).IsWritten.Should().BeTrue();
            await SlateDB.GarbageCollection.GcBoundary.AdvanceAsync(inner, $"db/gc/{kind}.boundary", id, cancellationToken);
        }

        return result;
    }

    public ValueTask DeleteAsync(string path, CancellationToken cancellationToken) => inner.DeleteAsync(path, cancellationToken);

    public IAsyncEnumerable<ObjectMetadata> ListAsync(string prefix, CancellationToken cancellationToken) => inner.ListAsync(prefix, cancellationToken);
}
