using SlateDB.Common;
using SlateDB.Format;
using SlateDB.Manifest;
using SlateDB.Sst;
using SlateDB.Storage;
using SlateDB.Tests.Format;

namespace SlateDB.Tests.Sst;

/// <summary>
/// The pool SST output buffers are rented from (<see cref="SstBufferPool"/>): its bounds, and that a buffer is never
/// handed to a new SST while an upload of an SST built in it is still running, nor comes back changed in the store.
/// </summary>
public sealed class SstBufferPoolTests
{
    private const int Large = 2 * 1024 * 1024;

    [Fact]
    public void A_returned_buffer_is_reused_and_the_pool_stays_bounded()
    {
        var pool = new SstBufferPool(maxBuffers: 2, maxPooledBytes: 3L * Large);
        var small = pool.Rent(SstBufferPool.MinPooledSize - 1);
        pool.Return(small);
        pool.PooledCount.Should().Be(0, "small buffers are not pooled");

        var a = pool.Rent(Large);
        var b = pool.Rent(Large);
        var c = pool.Rent(Large);
        a.Length.Should().BeGreaterThanOrEqualTo(Large);
        new[] { a, b, c }.Distinct().Should().HaveCount(3, "a rented buffer is not handed out again before it is returned");
        pool.Return(a);
        pool.Return(b);
        pool.Return(c);
        pool.PooledCount.Should().Be(2, "at most maxBuffers idle buffers are kept");
        pool.PooledBytes.Should().Be(a.Length + b.Length);
        FluentActions.Invoking(() => pool.Return(a)).Should().Throw<InvalidOperationException>("a double return would hand one buffer to two SSTs");

        var again = new[] { pool.Rent(Large - 1), pool.Rent(Large) };
        again.Count(x => ReferenceEquals(x, a) || ReferenceEquals(x, b)).Should().Be(2, "idle buffers that fit are reused");
        ReferenceEquals(again[0], again[1]).Should().BeFalse();
        pool.PooledCount.Should().Be(0);
        var fresh = pool.Rent(Large);
        (ReferenceEquals(fresh, a) || ReferenceEquals(fresh, b)).Should().BeFalse("both are rented out");

        var oversize = new SstBufferPool(maxBuffers: 4, maxPooledBytes: Large);
        oversize.Return(new byte[2 * Large]);
        oversize.PooledCount.Should().Be(0, "a buffer past the byte bound is dropped");
    }

    [Fact]
    public void A_released_sst_no_longer_exposes_its_bytes_and_releases_once()
    {
        var pool = new SstBufferPool();
        var sst = Build(new TableStore(new InMemoryObjectStore(), new DbPaths("db"), SlateDbOptions.Default).Settings with { Buffers = pool }, 1, 200);
        sst.Bytes.Length.Should().BeGreaterThan(0);
        sst.Release();
        sst.Release();
        pool.PooledCount.Should().Be(1);
        FluentActions.Invoking(() => sst.Bytes).Should().Throw<InvalidOperationException>();
    }

    [Fact]
    public async Task A_buffer_is_not_reused_while_its_upload_runs_and_stored_ssts_stay_intact_after_reuse()
    {
        var inner = new InMemoryObjectStore();
        var store = new GatedStore(inner);
        var tables = new TableStore(store, new DbPaths("db"), SlateDbOptions.Default);
        var pool = tables.Settings.Buffers!;
        Build(tables.Settings with { Buffers = null }, 0, Rows).Bytes.Length.Should().BeInRange(Large / 8, Large, "each SST fits its first buffer");
        var ids = Enumerable.Range(0, 4).Select(i => Ulid.Parse($"01M853WCTAW3YC1XTGS966T3P{i}")).ToArray();

        // Two SSTs uploading at once, both held inside PUT: the second is built (written) while the first is in flight.
        var first = tables.WriteCompactedAsync(ids[0], Builder(tables.Settings, seed: 0), CancellationToken.None);
        await store.WaitForPutsAsync(1);
        var second = tables.WriteCompactedAsync(ids[1], Builder(tables.Settings, seed: 1), CancellationToken.None);
        await store.WaitForPutsAsync(2);
        pool.PooledCount.Should().Be(0, "both buffers are still in use");
        store.Open();
        await Task.WhenAll(first, second);
        pool.PooledCount.Should().Be(2, "each buffer returns once its upload has completed");

        // Two more reuse those buffers (overwriting them) while held in PUT, then complete.
        store.Close();
        var third = tables.WriteCompactedAsync(ids[2], Builder(tables.Settings, seed: 2), CancellationToken.None);
        await store.WaitForPutsAsync(3);
        pool.PooledCount.Should().Be(1, "the third SST was built in a pooled buffer");
        var fourth = tables.WriteCompactedAsync(ids[3], Builder(tables.Settings, seed: 3), CancellationToken.None);
        await store.WaitForPutsAsync(4);
        pool.PooledCount.Should().Be(0);
        store.Open();
        await Task.WhenAll(third, fourth);

        store.ChangedDuringPut.Should().BeEmpty("no SST's bytes may change while its upload runs");
        var unpooled = tables.Settings with { Buffers = null };
        for (var i = 0; i < ids.Length; i++)
        {
            var stored = await inner.GetAsync(new DbPaths("db").CompactedSstPath(ids[i]), CancellationToken.None);
            stored!.Data.ToArray().Should().Equal(Build(unpooled, i, Rows).Bytes.ToArray(), $"SST {i} reads back as it was built");
        }
    }

    [Fact]
    public async Task A_failed_upload_does_not_return_its_buffer()
    {
        var store = new GatedStore(new InMemoryObjectStore()) { Fail = true };
        store.Open();
        var tables = new TableStore(store, new DbPaths("db"), SlateDbOptions.Default);
        var write = () => tables.WriteCompactedAsync(Ulid.Parse("01M853WCTAW3YC1XTGS966T3P7"), Builder(tables.Settings, seed: 7), CancellationToken.None);
        await write.Should().ThrowAsync<IOException>();
        tables.Settings.Buffers!.PooledCount.Should().Be(0, "a store might still read the bytes of a failed upload");
    }

    private const int Rows = 1000;

    private static SstBuilder Builder(SstBuildSettings settings, int seed, int rows = Rows)
    {
        var builder = new SstBuilder(settings, SstKind.Compacted, expectedSize: Large);
        foreach (var row in RandomRows.Sorted(new Random(seed), rows))
        {
            builder.Add(row);
        }

        return builder;
    }

    private static EncodedSst Build(SstBuildSettings settings, int seed, int rows) => Builder(settings, seed, rows).Finish();

    /// <summary>
    /// Holds every PUT until opened, keeping a copy of the bytes it was given and the caller's memory itself (no copy),
    /// and notes the paths whose bytes changed between the PUT's start and its end.
    /// </summary>
    private sealed class GatedStore(InMemoryObjectStore inner) : IObjectStore
    {
        private readonly object _gate = new();
        private TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _puts;

        public List<string> ChangedDuringPut { get; } = [];

        public bool Fail { get; init; }

        public void Open() => _open.TrySetResult();

        public void Close() => _open = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task WaitForPutsAsync(int count)
        {
            while (Volatile.Read(ref _puts) < count)
            {
                await Task.Delay(5);
            }
        }

        public async ValueTask<PutResult> PutAsync(string path, ReadOnlyMemory<byte> data, PutMode mode, CancellationToken cancellationToken)
        {
            var atStart = data.ToArray();
            var open = _open.Task;
            Interlocked.Increment(ref _puts);
            await open.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
            if (!data.Span.SequenceEqual(atStart))
            {
                lock (_gate)
                {
                    ChangedDuringPut.Add(path);
                }
            }

            return Fail ? throw new IOException("injected PUT failure") : await inner.PutAsync(path, data, mode, cancellationToken);
        }

        public ValueTask<ObjectContent?> GetAsync(string path, CancellationToken cancellationToken) => inner.GetAsync(path, cancellationToken);

        public ValueTask<ObjectContent?> GetRangeAsync(string path, ByteRange range, CancellationToken cancellationToken) => inner.GetRangeAsync(path, range, cancellationToken);

        public ValueTask<ObjectMetadata?> HeadAsync(string path, CancellationToken cancellationToken) => inner.HeadAsync(path, cancellationToken);

        public ValueTask DeleteAsync(string path, CancellationToken cancellationToken) => inner.DeleteAsync(path, cancellationToken);

        public IAsyncEnumerable<ObjectMetadata> ListAsync(string prefix, CancellationToken cancellationToken) => inner.ListAsync(prefix, cancellationToken);
    }
}
