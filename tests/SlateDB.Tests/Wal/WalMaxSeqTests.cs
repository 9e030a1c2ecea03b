using SlateDB.Format;
using SlateDB.Format.Blocks;
using SlateDB.Format.Compression;
using SlateDB.Manifest;
using SlateDB.Sst;
using SlateDB.Storage;
using SlateDB.Wal;

namespace SlateDB.Tests.Wal;

/// <summary>
/// The writer's open checks the newest flushed WAL object's highest sequence number against the manifest. It reads
/// that object in pieces of at most <see cref="WalMaxSeq.PieceBytes"/> and keeps none of its rows: a WAL object can be
/// as large as a memtable, and reading it whole (with its rows decoded into a list) cost several times its size in
/// memory at every open.
/// </summary>
public sealed class WalMaxSeqTests
{
    private static readonly SstBuildSettings s_settings = new(BlockBuilder.DefaultBlockSize, BlockCodec.None, MinFilterKeys: 1000, FilterBitsPerKey: 10);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_highest_sequence_number_of_a_large_wal_object_is_read_in_pieces(bool compressed)
    {
        var codec = compressed ? BlockCodec.Lz4 : BlockCodec.None;
        var random = new Random(61);
        var rows = new List<RowEntry>();
        ulong highest = 0;
        for (var i = 0; i < 90_000; i++)
        {
            // Sequence numbers in no order, the highest somewhere in the middle: every block must be looked at.
            var seq = (ulong)random.NextInt64(1, 1_000_000);
            highest = Math.Max(highest, seq);
            var value = new byte[100];
            random.NextBytes(value);
            rows.Add(RowEntry.Put(BitConverter.GetBytes(random.NextInt64()), value, seq));
        }

        rows.Insert(45_000, RowEntry.Put("the newest"u8.ToArray(), new byte[] { 1 }, 2_000_000));
        var store = new RangeRecordingStore(new InMemoryObjectStore());
        var wal = new ObjectStoreWal(store, new DbPaths("db"), s_settings with { Codec = codec });
        (await wal.TryWriteAsync(7, rows, 12L * 1024 * 1024, CancellationToken.None)).Should().NotBeNull();
        var listed = (await wal.ListAsync(CancellationToken.None)).Single();
        var size = listed.Size;
        size.Should().BeGreaterThan(2L * WalMaxSeq.PieceBytes, "the object takes several pieces");
        store.Reset();

        (await wal.MaxSeqAsync(listed, CancellationToken.None)).Should().Be(2_000_000UL);

        store.WholeGets.Should().Be(0, "the object is not read whole");
        store.LargestRange.Should().BeLessThanOrEqualTo(WalMaxSeq.PieceBytes);
        store.RangeBytes.Should().BeLessThan(size + (256 * 1024), "each block is read once (with the footer, info and index)");
        highest.Should().BeLessThan(2_000_000UL, "the row inserted in the middle is the newest");
    }

    [Fact]
    public async Task An_object_whose_metadata_is_larger_than_a_piece_is_opened_as_any_sst()
    {
        var random = new Random(62);
        var rows = Enumerable.Range(0, 20_000).Select(i => RowEntry.Put(BitConverter.GetBytes(random.NextInt64()), new byte[40], (ulong)random.Next(1, 1_000_000))).ToList();
        rows.Insert(10_000, RowEntry.Put("the newest"u8.ToArray(), new byte[] { 1 }, 5_000_000));
        var store = new RangeRecordingStore(new InMemoryObjectStore());
        var wal = new ObjectStoreWal(store, new DbPaths("db"), s_settings);
        (await wal.TryWriteAsync(3, rows, 2L * 1024 * 1024, CancellationToken.None)).Should().NotBeNull();
        var listed = (await wal.ListAsync(CancellationToken.None)).Single();
        store.Reset();

        // 4 KiB pieces: the last one does not hold the whole index (about 300 blocks' first keys).
        (await WalMaxSeq.ReadAsync(store, wal.LocationOf(3), listed, 4 * 1024, CancellationToken.None)).Should().Be(5_000_000UL);

        store.WholeGets.Should().Be(0);
        store.LargestRange.Should().BeLessThanOrEqualTo(64 * 1024, "pieces of a block each, and the SST's own 64 KiB tail read when opened as any SST");
    }

    [Fact]
    public async Task A_fence_a_zero_byte_fence_and_an_object_gone_since_the_listing_have_no_highest_sequence_number()
    {
        var inner = new InMemoryObjectStore();
        var paths = new DbPaths("db");
        var wal = new ObjectStoreWal(inner, paths, s_settings);
        (await wal.TryWriteAsync(2, [RowEntry.Put("gone"u8.ToArray(), "v"u8.ToArray(), 7)], 64, CancellationToken.None)).Should().NotBeNull();
        (await wal.TryWriteFenceAsync(3, CancellationToken.None)).Should().BeTrue();
        await inner.PutAsync(paths.WalSstPath(4), ReadOnlyMemory<byte>.Empty, PutMode.Create, CancellationToken.None);
        (await wal.TryWriteAsync(5, [RowEntry.Put("k"u8.ToArray(), "v"u8.ToArray(), 42)], 64, CancellationToken.None)).Should().NotBeNull();
        var listed = await wal.ListAsync(CancellationToken.None);
        await wal.DeleteAsync(2, CancellationToken.None); // As the collector may, between the listing and the check.

        (await wal.MaxSeqAsync(listed[0], CancellationToken.None)).Should().BeNull("gone since the listing");
        (await wal.MaxSeqAsync(listed[1], CancellationToken.None)).Should().BeNull("an empty SST written as a fence");
        (await wal.MaxSeqAsync(listed[2], CancellationToken.None)).Should().BeNull("a zero-byte fence of a newer SlateDB");
        (await wal.MaxSeqAsync(listed[3], CancellationToken.None)).Should().Be(42UL);
    }

    [Fact]
    public async Task A_damaged_block_of_the_checked_object_is_reported()
    {
        var inner = new InMemoryObjectStore();
        var paths = new DbPaths("db");
        var wal = new ObjectStoreWal(inner, paths, s_settings);
        var rows = Enumerable.Range(1, 3000).Select(i => RowEntry.Put(BitConverter.GetBytes(i), new byte[50], (ulong)i)).ToList();
        (await wal.TryWriteAsync(9, rows, 200_000, CancellationToken.None)).Should().NotBeNull();
        var bytes = (await inner.GetAsync(paths.WalSstPath(9), CancellationToken.None))!.Data.ToArray();
        bytes[100] ^= 0x40; // Inside the first data block.
        await inner.DeleteAsync(paths.WalSstPath(9), CancellationToken.None);
        await inner.PutAsync(paths.WalSstPath(9), bytes, PutMode.Create, CancellationToken.None);

        var listed = (await wal.ListAsync(CancellationToken.None)).Single();
        var check = () => wal.MaxSeqAsync(listed, CancellationToken.None);

        (await check.Should().ThrowAsync<SlateDbException>()).Which.Kind.Should().Be(SlateDbErrorKind.Data);
    }

    [Fact]
    public async Task A_writer_opening_after_a_large_flushed_wal_object_reads_it_only_in_pieces()
    {
        // No flush interval: the WAL buffer is written when it reaches the L0 size, so the flushed object is large.
        var options = SlateDbOptions.Default with
        {
            FlushInterval = null,
            L0SstSizeBytes = 16L * 1024 * 1024,
            CompactorOptions = null,
            GarbageCollectorOptions = null,
        };
        var store = new RangeRecordingStore(new InMemoryObjectStore());
        var value = new byte[100];
        await using (var db = await SlateDb.OpenAsync("db", store, options))
        {
            for (var i = 0; i < 120_000; i += 1000)
            {
                var batch = new WriteBatch();
                for (var j = i; j < i + 1000; j++)
                {
                    batch.Put(BitConverter.GetBytes(j), value);
                }

                await db.WriteAsync(batch, new WriteOptions { AwaitDurable = false });
            }

            // The WAL first (one object with every row), then the memtable: the object is then at the replay point,
            // the one the open checks, and nothing is left to replay.
            await db.FlushAsync();
            await db.FlushAsync(new FlushOptions { FlushType = FlushType.MemTable });
        }

        var largestWal = 0L;
        await foreach (var wal in store.ListAsync("db/wal/", CancellationToken.None))
        {
            largestWal = Math.Max(largestWal, wal.Size);
        }

        largestWal.Should().BeGreaterThan(WalMaxSeq.PieceBytes, "the check's object is larger than one piece");
        store.Reset();
        await using (var reopened = await SlateDb.OpenAsync("db", store, options))
        {
            store.WholeWalGets.Should().Be(0, "the open reads no WAL object whole ({0})", string.Join(", ", store.WholeWalPaths));
            store.LargestRange.Should().BeLessThanOrEqualTo(WalMaxSeq.PieceBytes);
            (await reopened.GetAsync(BitConverter.GetBytes(119_999))).Should().Equal(value);
        }
    }

    /// <summary>Records whole-object GETs and the ranged GETs' sizes.</summary>
    private sealed class RangeRecordingStore(IObjectStore inner) : IObjectStore
    {
        private long _wholeGets;
        private long _wholeWalGets;
        private long _largestRange;
        private long _rangeBytes;

        public long WholeGets => Interlocked.Read(ref _wholeGets);

        public long WholeWalGets => Interlocked.Read(ref _wholeWalGets);

        public long LargestRange => Interlocked.Read(ref _largestRange);

        public long RangeBytes => Interlocked.Read(ref _rangeBytes);

        public System.Collections.Concurrent.ConcurrentBag<string> WholeWalPaths { get; } = [];

        public void Reset()
        {
            Interlocked.Exchange(ref _wholeGets, 0);
            Interlocked.Exchange(ref _wholeWalGets, 0);
            Interlocked.Exchange(ref _largestRange, 0);
            Interlocked.Exchange(ref _rangeBytes, 0);
        }

        public ValueTask<ObjectContent?> GetAsync(string path, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _wholeGets);
            if (path.Contains("/wal/", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref _wholeWalGets);
                WholeWalPaths.Add(path);
            }

            return inner.GetAsync(path, cancellationToken);
        }

        public ValueTask<ObjectContent?> GetRangeAsync(string path, ByteRange range, CancellationToken cancellationToken)
        {
            long seen;
            while (range.Length > (seen = Interlocked.Read(ref _largestRange)) && Interlocked.CompareExchange(ref _largestRange, range.Length, seen) != seen)
            {
            }

            Interlocked.Add(ref _rangeBytes, range.Length);
            return inner.GetRangeAsync(path, range, cancellationToken);
        }

        public ValueTask<ObjectMetadata?> HeadAsync(string path, CancellationToken cancellationToken) => inner.HeadAsync(path, cancellationToken);

        public ValueTask<PutResult> PutAsync(string path, ReadOnlyMemory<byte> data, PutMode mode, CancellationToken cancellationToken) => inner.PutAsync(path, data, mode, cancellationToken);

        public ValueTask DeleteAsync(string path, CancellationToken cancellationToken) => inner.DeleteAsync(path, cancellationToken);

        public IAsyncEnumerable<ObjectMetadata> ListAsync(string prefix, CancellationToken cancellationToken) => inner.ListAsync(prefix, cancellationToken);
    }
}
