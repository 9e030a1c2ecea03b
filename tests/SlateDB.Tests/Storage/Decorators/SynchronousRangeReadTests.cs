using System.Runtime.InteropServices;
using SlateDB.Caching;
using SlateDB.Storage;

namespace SlateDB.Tests.Storage.Decorators;

/// <summary>
/// The decorators' synchronous fast path for ranged reads (a local block read completes synchronously): a read that
/// completes at once is returned at once, and a read that fails at once (thrown or short) is still counted, retried
/// and releases its read slot exactly as an awaited one does.
/// </summary>
public sealed class SynchronousRangeReadTests : IDisposable
{
    private static readonly byte[] Payload = "0123456789abcdef"u8.ToArray();
    private static readonly RetryOptions NoWait = RetryOptions.Default with { InitialBackoff = TimeSpan.Zero, MaxBackoff = TimeSpan.Zero };
    private readonly DirectoryInfo _temp = Directory.CreateTempSubdirectory("slatedb-sync-range-");

    public void Dispose()
    {
        try
        {
            _temp.Delete(recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }

    [Fact]
    public async Task A_read_that_completes_synchronously_passes_every_decorator_synchronously()
    {
        var inner = new SyncStore();
        var store = new RetryingObjectStore(new ReadLimitingObjectStore(new InstrumentedObjectStore(inner), 1), NoWait);

        var pending = store.GetRangeAsync("a", new ByteRange(2, 4), default);

        pending.IsCompletedSuccessfully.Should().BeTrue("no decorator awaits a read that is already done");
        (await pending)!.Data.ToArray().Should().Equal(Payload.AsSpan(2, 4).ToArray());
        inner.Calls.Should().Be(1);
    }

    [Fact]
    public async Task A_synchronous_transient_throw_is_retried_and_releases_the_read_slot()
    {
        var inner = new SyncStore { ThrowsLeft = 2 };
        var limiter = new ReadLimitingObjectStore(inner, 1);
        var store = new RetryingObjectStore(limiter, NoWait);

        var content = await store.GetRangeAsync("a", new ByteRange(0, 8), default);

        content!.Data.ToArray().Should().Equal(Payload.AsSpan(0, 8).ToArray());
        inner.Calls.Should().Be(3, "two attempts threw, the third read");
        limiter.ReadsThatWaited.Should().Be(0, "every failed attempt gave its slot back before the next one");
        (await limiter.GetRangeAsync("a", new ByteRange(0, 1), default)).Should().NotBeNull();
    }

    [Fact]
    public async Task A_synchronous_short_read_is_retried()
    {
        var inner = new SyncStore { ShortLeft = 1 };
        var store = new RetryingObjectStore(inner, NoWait);

        var content = await store.GetRangeAsync("a", new ByteRange(4, 8), default);

        content!.Data.Length.Should().Be(8);
        inner.Calls.Should().Be(2);
    }

    [Fact]
    public async Task A_permanent_synchronous_throw_surfaces_from_the_returned_task_once()
    {
        var inner = new SyncStore { ThrowsLeft = 1, Failure = () => new SlateDbException(SlateDbErrorKind.Invalid, "permanent") };
        var instrumented = new InstrumentedObjectStore(inner);
        var limiter = new ReadLimitingObjectStore(instrumented, 1);
        var store = new RetryingObjectStore(limiter, NoWait);

        var pending = store.GetRangeAsync("a", new ByteRange(0, 4), default);

        pending.IsFaulted.Should().BeTrue("a synchronous throw is reported through the task, as an async method reports it");
        await FluentActions.Awaiting(async () => await pending).Should().ThrowAsync<SlateDbException>().Where(e => e.Kind == SlateDbErrorKind.Invalid);
        inner.Calls.Should().Be(1, "a permanent failure is not retried");
        instrumented.Stats.Errors.Should().Be(1);
        instrumented.Stats.RangeGets.Should().Be(1);
        (await limiter.GetRangeAsync("a", new ByteRange(0, 1), default)).Should().NotBeNull("the slot was released");
        limiter.ReadsThatWaited.Should().Be(0);
    }

    [Fact]
    public async Task A_read_that_completes_later_holds_its_slot_until_it_completes()
    {
        var gate = new TaskCompletionSource<ObjectContent?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var inner = new SyncStore { Pending = gate };
        var limiter = new ReadLimitingObjectStore(inner, 1);

        var first = limiter.GetRangeAsync("a", new ByteRange(0, 4), default).AsTask();
        limiter.PeakInFlightReads.Should().Be(1);
        inner.Pending = null;
        var second = limiter.GetRangeAsync("a", new ByteRange(0, 4), default).AsTask();
        second.IsCompleted.Should().BeFalse("the only slot is held by the first read");

        gate.SetResult(new ObjectContent(Payload.AsMemory(0, 4), new ObjectMetadata("a", Payload.Length, DateTimeOffset.UnixEpoch, "v1")));
        (await first)!.Data.Length.Should().Be(4);
        (await second)!.Data.Length.Should().Be(4);
        limiter.ReadsThatWaited.Should().Be(1);
    }

    [Fact]
    public async Task Local_ranged_reads_for_the_cache_land_on_a_heap_the_young_collections_do_not_copy()
    {
        var store = new LocalFileSystemObjectStore(_temp.FullName);
        var data = new byte[20_000];
        new Random(5).NextBytes(data);
        await store.PutAsync("db/a.sst", data, PutMode.Create, default);

        ValueTask<ObjectContent?> reading;
        using (RangeBufferHint.Start(longLived: true))
        {
            reading = store.GetRangeAsync("db/a.sst", new ByteRange(4096, 4096), default);
        }

        var content = await reading;
        var shortLived = await store.GetRangeAsync("db/a.sst", new ByteRange(0, 4096), default);
        MemoryMarshal.TryGetArray(shortLived!.Data, out var young).Should().BeTrue();
        GC.GetGeneration(young.Array!).Should().BeLessThan(GC.MaxGeneration, "a read without the hint (a scan that does not cache) gets an ordinary, young buffer");

        MemoryMarshal.TryGetArray(content!.Data, out var segment).Should().BeTrue();
        GC.GetGeneration(segment.Array!).Should().Be(GC.MaxGeneration, "a block read for the cache is allocated on the pinned object heap, which only full collections visit");
        segment.Array!.Length.Should().Be(PinnedBlockMemory.ClassLength(4096), "the buffer is of the block's size class, so a hole an evicted block leaves fits the next");
        (segment.Offset, segment.Count).Should().Be((0, 4096));
        RangeBufferHint.LongLived.Should().BeFalse("the scope restored the hint");
        var copy = content.Data.ToArray();
        for (var i = 0; i < 50; i++)
        {
            _ = await store.GetRangeAsync("db/a.sst", new ByteRange(i * 100, 4096), default);
        }

        content.Data.ToArray().Should().Equal(copy, "a buffer handed out is never reused for another read");
        copy.Should().Equal(data.AsSpan(4096, 4096).ToArray());
    }

    /// <summary>Completes every ranged read synchronously (or throws, or cuts it short, as scripted).</summary>
    private sealed class SyncStore : IObjectStore
    {
        public int Calls { get; private set; }

        public int ThrowsLeft { get; set; }

        public int ShortLeft { get; set; }

        public Func<Exception> Failure { get; set; } = () => new SlateDbException(SlateDbErrorKind.Unavailable, "scripted transient failure");

        public TaskCompletionSource<ObjectContent?>? Pending { get; set; }

        public ValueTask<ObjectContent?> GetRangeAsync(string path, ByteRange range, CancellationToken cancellationToken)
        {
            Calls++;
            if (ThrowsLeft > 0)
            {
                ThrowsLeft--;
                throw Failure();
            }

            if (Pending is { } pending)
            {
                return new(pending.Task);
            }

            var end = (int)Math.Min(range.End, Payload.Length);
            if (ShortLeft > 0)
            {
                ShortLeft--;
                end--;
            }

            var metadata = new ObjectMetadata(path, Payload.Length, DateTimeOffset.UnixEpoch, "v1");
            return new(new ObjectContent(Payload.AsMemory((int)range.Offset, end - (int)range.Offset), metadata));
        }

        public ValueTask<ObjectContent?> GetAsync(string path, CancellationToken cancellationToken) =>
            GetRangeAsync(path, new ByteRange(0, Payload.Length), cancellationToken);

        public ValueTask<ObjectMetadata?> HeadAsync(string path, CancellationToken cancellationToken) =>
            new(new ObjectMetadata(path, Payload.Length, DateTimeOffset.UnixEpoch, "v1"));

        public ValueTask<PutResult> PutAsync(string path, ReadOnlyMemory<byte> data, PutMode mode, CancellationToken cancellationToken) =>
            throw new NotSupportedException("Reads only.");

        public ValueTask DeleteAsync(string path, CancellationToken cancellationToken) => throw new NotSupportedException("Reads only.");

        public IAsyncEnumerable<ObjectMetadata> ListAsync(string prefix, CancellationToken cancellationToken) => throw new NotSupportedException("Reads only.");
    }
}
