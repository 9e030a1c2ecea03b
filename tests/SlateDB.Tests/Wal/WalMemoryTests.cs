using SlateDB.Format;
using SlateDB.Format.Blocks;
using SlateDB.Format.Compression;
using SlateDB.Manifest;
using SlateDB.Memtable;
using SlateDB.Sst;
using SlateDB.Storage;
using SlateDB.Tests.Format;
using SlateDB.Wal;

namespace SlateDB.Tests.Wal;

/// <summary>
/// The WAL's memory: the buffer keeps references to the memtable's row copies (not whole <see cref="RowEntry"/>
/// values) and reads them back unchanged, and WAL objects are built in a small buffer pool that gets a buffer back
/// only after its PUT returned.
/// </summary>
public sealed class WalMemoryTests
{
    private static readonly SstBuildSettings s_settings = new(BlockBuilder.DefaultBlockSize, BlockCodec.None, MinFilterKeys: 1000, FilterBitsPerKey: 10);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Rows_buffered_from_a_memtable_read_back_as_stored_and_make_the_same_wal_object(int seed)
    {
        var random = new Random(seed);
        var table = new KvTable();
        var buffer = new WalBuffer();
        var stored = new List<RowEntry>();
        var copied = new WalBuffer();
        for (var i = 0; i < 3000; i++)
        {
            var row = RandomRows.Row(random, RandomRows.Key(random), (ulong)(10 + i));
            table.Put(row, out var kept);
            buffer.AppendStored(kept);
            copied.Append(row);
            stored.Add(kept);
        }

        buffer.Count.Should().Be(stored.Count);
        buffer.LastSeq.Should().Be(stored[^1].Seq);
        buffer.Rows.Should().Equal(stored, "each buffered row decodes to the memtable's row (the same slices of its copy)");
        copied.Rows.Select(Describe).Should().Equal(stored.Select(Describe), "rows appended by copy read back with the same content");
        copied.EstimatedSize.Should().Be(buffer.EstimatedSize);

        var fromRows = Build(stored, buffer.EstimatedSize);
        Build(buffer.Rows, buffer.EstimatedSize).Should().Equal(fromRows, "the WAL object is byte for byte the one the rows themselves make");
        Build(copied.Rows, copied.EstimatedSize).Should().Equal(fromRows);
    }

    [Fact]
    public void A_cleared_buffer_reads_empty_and_takes_rows_again()
    {
        var table = new KvTable();
        var buffer = new WalBuffer();
        for (var i = 0; i < 300_000; i++)
        {
            table.Put(RowEntry.Put(BitConverter.GetBytes(i), new byte[] { 1 }, (ulong)i + 1), out var kept);
            buffer.AppendStored(kept);
        }

        buffer.Clear();
        buffer.IsEmpty.Should().BeTrue();
        buffer.Rows.Should().BeEmpty();
        table.Put(RowEntry.Delete(new byte[] { 9 }, 400_000, createTs: 5), out var tombstone);
        buffer.AppendStored(tombstone);
        buffer.Rows.Should().Equal(tombstone);
    }

    [Fact]
    public async Task Wal_objects_reuse_a_pooled_buffer_after_their_put_returned_and_read_back_intact()
    {
        var store = new InMemoryObjectStore();
        var pool = ObjectStoreWal.BufferPoolFor(SlateDbOptions.Default);
        var wal = new ObjectStoreWal(store, new DbPaths("db"), s_settings with { Buffers = pool });
        var written = new List<List<string>>();
        for (var id = 1UL; id <= 3; id++)
        {
            var buffer = new WalBuffer();
            var random = new Random((int)id);
            for (var i = 0; i < 12_000; i++)
            {
                buffer.Append(RowEntry.Put(RandomRows.Key(random), new byte[100 + random.Next(50)], (id * 100_000) + (ulong)i, createTs: i));
            }

            buffer.EstimatedSize.Should().BeGreaterThan(SstBufferPool.MinPooledSize, "large enough to be pooled");
            (await wal.TryWriteAsync(id, buffer.Rows, buffer.EstimatedSize, CancellationToken.None)).Should().NotBeNull();
            pool.PooledCount.Should().Be(1, "the object's buffer is back once its PUT returned, and the next object reuses it");
            written.Add([.. buffer.Rows.Select(Describe)]);
        }

        for (var id = 1UL; id <= 3; id++)
        {
            var rows = await wal.ReadAsync(id, CancellationToken.None);
            rows!.Select(Describe).Should().Equal(written[(int)id - 1], $"WAL object {id} is intact after its buffer was reused");
        }
    }

    [Fact]
    public async Task A_failed_wal_put_does_not_return_its_buffer()
    {
        var pool = ObjectStoreWal.BufferPoolFor(SlateDbOptions.Default);
        var wal = new ObjectStoreWal(new FailingPutStore(), new DbPaths("db"), s_settings with { Buffers = pool });
        var buffer = new WalBuffer();
        for (var i = 0; i < 12_000; i++)
        {
            buffer.Append(RowEntry.Put(BitConverter.GetBytes(i), new byte[120], (ulong)i + 1));
        }

        var write = () => wal.TryWriteAsync(1, buffer.Rows, buffer.EstimatedSize, CancellationToken.None);
        await write.Should().ThrowAsync<IOException>();
        pool.PooledCount.Should().Be(0, "a store might still read the bytes of a failed PUT");
    }

    [Fact]
    public void The_wal_pool_is_small_and_follows_the_budget()
    {
        var stock = ObjectStoreWal.BufferPoolFor(SlateDbOptions.Default);
        stock.MaxBuffers.Should().Be(2);
        stock.MaxPooledBytes.Should().Be(32L * 1024 * 1024);
        ObjectStoreWal.BufferPoolFor(SlateDbOptions.Default with { MemoryBudgetBytes = 128L * 1024 * 1024 }).MaxPooledBytes.Should().Be(16L * 1024 * 1024);
    }

    private static string Describe(RowEntry row) =>
        $"{Convert.ToHexString(row.Key.Span)}|{Convert.ToHexString(row.Value.Span)}|{row.Kind}|{row.Seq}|{row.CreateTs}|{row.ExpireTs}";

    private static byte[] Build(IEnumerable<RowEntry> rows, long estimatedSize)
    {
        var builder = new SstBuilder(s_settings, SstKind.Wal, estimatedSize);
        foreach (var row in rows)
        {
            builder.Add(row);
        }

        return builder.Finish().Bytes.ToArray();
    }

    private sealed class FailingPutStore : IObjectStore
    {
        private readonly InMemoryObjectStore _inner = new();

        public ValueTask<PutResult> PutAsync(string path, ReadOnlyMemory<byte> data, PutMode mode, CancellationToken cancellationToken) =>
            throw new IOException("injected PUT failure");

        public ValueTask<ObjectContent?> GetAsync(string path, CancellationToken cancellationToken) => _inner.GetAsync(path, cancellationToken);

        public ValueTask<ObjectContent?> GetRangeAsync(string path, ByteRange range, CancellationToken cancellationToken) => _inner.GetRangeAsync(path, range, cancellationToken);

        public ValueTask<ObjectMetadata?> HeadAsync(string path, CancellationToken cancellationToken) => _inner.HeadAsync(path, cancellationToken);

        public ValueTask DeleteAsync(string path, CancellationToken cancellationToken) => _inner.DeleteAsync(path, cancellationToken);

        public IAsyncEnumerable<ObjectMetadata> ListAsync(string prefix, CancellationToken cancellationToken) => _inner.ListAsync(prefix, cancellationToken);
    }
}
