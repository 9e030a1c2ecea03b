using SlateDB.Tests.Wal;
using SlateDB.Manifest;
using SlateDB.Sst;
using SlateDB.Storage;

namespace SlateDB.Tests.Storage.Decorators;

/// <summary>
/// Every conditional-put conflict is read back before it is believed (the Ceph/AWS SDK stale-connection re-send: the
/// first PUT landed, the re-send got 412 and the adapter reported a conflict on its first attempt).
/// </summary>
public sealed class ConflictReadBackTests
{
    private static readonly RetryOptions NoWait = new() { InitialBackoff = TimeSpan.Zero, MaxBackoff = TimeSpan.Zero };
    private static readonly byte[] Payload = "rows of a WAL SST, a manifest or a .compactions version"u8.ToArray();

    [Fact]
    public async Task A_create_that_landed_but_reported_already_exists_is_written_with_the_version_read_back()
    {
        var memory = new TestMemoryStore();
        var scripted = new ScriptedStore(new DoubleApplyingStore(memory).Arm("db/wal/"));
        var store = new RetryingObjectStore(scripted, NoWait);

        var result = await store.PutAsync("db/wal/00000000000000000007.sst", Payload, PutMode.Create, default);

        result.Outcome.Should().Be(PutOutcome.Written, "the object holds exactly the bytes this put sent");
        result.Version.Should().Be((await memory.HeadAsync("db/wal/00000000000000000007.sst", default))!.Version);
        scripted.AttemptCount("put").Should().Be(1, "nothing failed: the conflict came on the first attempt");
        scripted.AttemptCount("get_range").Should().Be(1, "a small object is read back in one request");
    }

    [Fact]
    public async Task An_update_that_landed_but_reported_version_mismatch_is_written_with_the_version_read_back()
    {
        var memory = new TestMemoryStore();
        var first = await memory.PutAsync("db/gc/manifest.boundary", "1"u8.ToArray(), PutMode.Create, default);
        var store = new RetryingObjectStore(new DoubleApplyingStore(memory).Arm("db/gc/"), NoWait);

        var result = await store.PutAsync("db/gc/manifest.boundary", "2"u8.ToArray(), PutMode.Update(first.Version!), default);

        result.Outcome.Should().Be(PutOutcome.Written);
        result.Version.Should().NotBe(first.Version).And.Be((await memory.HeadAsync("db/gc/manifest.boundary", default))!.Version);
    }

    [Fact]
    public async Task A_rival_object_stays_a_conflict_on_the_first_attempt()
    {
        var memory = new TestMemoryStore();
        await memory.PutAsync("db/manifest/00000000000000000002.manifest", "a rival's manifest"u8.ToArray(), PutMode.Create, default);
        var first = await memory.PutAsync("db/gc/manifest.boundary", "1"u8.ToArray(), PutMode.Create, default);
        await memory.PutAsync("db/gc/manifest.boundary", "7"u8.ToArray(), PutMode.Update(first.Version!), default);
        var store = new RetryingObjectStore(memory, NoWait);

        (await store.PutAsync("db/manifest/00000000000000000002.manifest", Payload, PutMode.Create, default)).Should().Be(PutResult.AlreadyExists);
        (await store.PutAsync("db/gc/manifest.boundary", "2"u8.ToArray(), PutMode.Update(first.Version!), default)).Should().Be(PutResult.VersionMismatch);
        (await store.PutAsync("db/absent", Payload, PutMode.Update(first.Version!), default)).Should().Be(PutResult.VersionMismatch);
    }

    [Fact]
    public async Task A_large_object_is_compared_in_ranges_and_one_differing_byte_keeps_the_conflict()
    {
        var large = new byte[(20 * 1024 * 1024) + 17];
        new Random(5).NextBytes(large);
        var memory = new TestMemoryStore();
        var scripted = new ScriptedStore(new DoubleApplyingStore(memory).Arm("db/compacted/"));
        var store = new RetryingObjectStore(scripted, NoWait);

        (await store.PutAsync("db/compacted/a.sst", large, PutMode.Create, default)).IsWritten.Should().BeTrue();
        scripted.AttemptCount("get_range").Should().Be(3, "20 MiB are read back in ranges of at most 8 MiB");

        var rival = (byte[])large.Clone();
        rival[^1] ^= 1;
        await memory.PutAsync("db/compacted/b.sst", rival, PutMode.Create, default);
        (await store.PutAsync("db/compacted/b.sst", large, PutMode.Create, default)).Should().Be(PutResult.AlreadyExists);
    }

    [Fact]
    public async Task Fence_and_epoch_claim_conflicts_are_believed_without_a_read_back()
    {
        var memory = new TestMemoryStore();
        var scripted = new ScriptedStore(memory);
        var store = new RetryingObjectStore(scripted, NoWait);
        var fence = await FenceBytesAsync();
        await memory.PutAsync("db/wal/00000000000000000003.sst", fence, PutMode.Create, default);
        await memory.PutAsync("db/wal/00000000000000000004.sst", ReadOnlyMemory<byte>.Empty, PutMode.Create, default);
        await memory.PutAsync("db/manifest/00000000000000000009.manifest", Payload, PutMode.Create, default);

        // Another writer fencing the same slot, or claiming the same epoch, writes these very bytes.
        (await store.PutAsync("db/wal/00000000000000000003.sst", fence, PutMode.Create, default)).Should().Be(PutResult.AlreadyExists);
        (await store.PutAsync("db/wal/00000000000000000004.sst", ReadOnlyMemory<byte>.Empty, PutMode.Create, default)).Should().Be(PutResult.AlreadyExists);
        (await store.PutAsync("db/manifest/00000000000000000009.manifest", Payload, PutMode.CreateTrustingConflict, default)).Should().Be(PutResult.AlreadyExists);
        scripted.AttemptCount("get_range").Should().Be(0);
        scripted.AttemptCount("get").Should().Be(0);

        // Without the marker the same manifest bytes are ours.
        (await store.PutAsync("db/manifest/00000000000000000009.manifest", Payload, PutMode.Create, default)).IsWritten.Should().BeTrue();
    }

    [Fact]
    public async Task A_failed_read_back_keeps_the_conflict()
    {
        var memory = new TestMemoryStore();
        var scripted = new ScriptedStore(new DoubleApplyingStore(memory).Arm("db/wal/")).Pass().FailBefore(1, () => new SlateDbException(SlateDbErrorKind.Internal, "read refused"));
        var store = new RetryingObjectStore(scripted, NoWait);

        (await store.PutAsync("db/wal/00000000000000000001.sst", Payload, PutMode.Create, default)).Should().Be(PutResult.AlreadyExists);
    }

    private static async Task<byte[]> FenceBytesAsync()
    {
        var memory = new InMemoryObjectStore();
        var paths = new DbPaths("db");
        (await new TableStore(memory, paths, SlateDbOptions.Default, cache: null).WriteWalFenceAsync(1, default)).Should().BeTrue();
        return (await memory.GetAsync(paths.WalSstPath(1), default))!.Data.ToArray();
    }
}
