using SlateDB.Caching;
using SlateDB.Common;
using SlateDB.Flush;
using SlateDB.Format;
using SlateDB.Manifest;
using SlateDB.Memtable;
using SlateDB.Sst;
using SlateDB.Storage;
using SlateDB.Tests.Storage;

namespace SlateDB.Tests.Flush;

/// <summary>
/// The L0 flush streams its SST to stores that take streaming puts (<see cref="IStreamingPut"/>): the same bytes as a
/// whole-buffer put, nothing visible (no object, no temporary file, no cached block) unless the commit published it,
/// and warm on write still fills the cache from copies of the first blocks.
/// </summary>
public sealed class L0FlushStreamingTests : IDisposable
{
    private const int Rows = 30_000; // About 4 MB of rows: several 1 MiB chunks are streamed before the end.

    private readonly string _root = Path.Combine(Path.GetTempPath(), "slatedb-l0stream-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private static readonly DbPaths Paths = new("db");

    private static byte[] Key(int i) => System.Text.Encoding.UTF8.GetBytes($"key{i:D8}");

    /// <summary>A value of 100 bytes that hardly compresses (seeded random bytes).</summary>
    private static byte[] Value(int i)
    {
        var bytes = new byte[100];
        new Random(i).NextBytes(bytes);
        return bytes;
    }

    /// <summary>A frozen memtable with puts, overwritten keys (two versions) and tombstones.</summary>
    private static KvTable Memtable()
    {
        var table = new KvTable();
        ulong seq = 0;
        for (var i = 0; i < Rows; i++)
        {
            table.Put(RowEntry.Put(Key(i), Value(i), ++seq));
        }

        for (var i = 0; i < Rows; i += 10)
        {
            table.Put(i % 20 == 0 ? RowEntry.Delete(Key(i), ++seq) : RowEntry.Put(Key(i), Value(i + 1), ++seq));
        }

        table.Freeze();
        return table;
    }

    /// <summary>Every file under the local store's folder (objects and temporary files alike).</summary>
    private string[] Files() => Directory.Exists(_root) ? Directory.GetFiles(_root, "*", SearchOption.AllDirectories) : [];

    private static Task<SsTableHandle> FlushAsync(TableStore tables, Ulid id, KvTable table, CancellationToken token = default) =>
        L0SstWriter.WriteAsync(tables, id, table, [], token);

    public static TheoryData<CompressionCodec> Codecs => [CompressionCodec.None, CompressionCodec.Lz4, CompressionCodec.Zstd];

    [Theory]
    [MemberData(nameof(Codecs))]
    public async Task A_streamed_flush_writes_the_same_bytes_as_a_whole_buffer_flush(CompressionCodec codec)
    {
        var options = SlateDbOptions.Default with { CompressionCodec = codec };
        var table = Memtable();
        var id = new IdGenerator(TimeProvider.System, 7).NewUlid();
        var whole = new PassThroughStore(new InMemoryObjectStore());
        var memory = new InMemoryObjectStore();
        var local = new RetryingObjectStore(new InstrumentedObjectStore(new LocalFileSystemObjectStore(_root)));
        new TableStore(whole, Paths, options).NewFlushBuilder(id, new SlateDB.Memtable.KvTable()).Sink.Should().BeNull("a store that cannot stream gets the whole SST in one put");
        var streamingBuilder = new TableStore(memory, Paths, options).NewFlushBuilder(id, new SlateDB.Memtable.KvTable());
        streamingBuilder.Sink.Should().NotBeNull();
        TableStore.Abandon(streamingBuilder);

        var expected = await FlushAsync(new TableStore(whole, Paths, options), id, table);
        var fromMemory = await FlushAsync(new TableStore(memory, Paths, options), id, table);
        var fromLocal = await FlushAsync(new TableStore(local, Paths, options), id, table);

        var path = Paths.CompactedSstPath(id);
        var expectedBytes = (await whole.GetAsync(path, CancellationToken.None))!.Data.ToArray();
        expectedBytes.Length.Should().BeGreaterThan(2 * SstBuilder.StreamChunkBytes, "several chunks were streamed before the end");
        (await memory.GetAsync(path, CancellationToken.None))!.Data.ToArray().Should().Equal(expectedBytes);
        (await local.GetAsync(path, CancellationToken.None))!.Data.ToArray().Should().Equal(expectedBytes);
        foreach (var streamed in new[] { fromMemory, fromLocal })
        {
            (streamed.Info.IndexOffset, streamed.Info.IndexLen, streamed.Info.FilterOffset, streamed.Info.FilterLen, streamed.Info.StatsOffset)
                .Should().Be((expected.Info.IndexOffset, expected.Info.IndexLen, expected.Info.FilterOffset, expected.Info.FilterLen, expected.Info.StatsOffset));
            streamed.Info.LastEntry!.Value.ToArray().Should().Equal(expected.Info.LastEntry!.Value.ToArray());
        }

        Files().Should().ContainSingle("only the SST is left, no temporary file");
    }

    [Fact]
    public async Task A_cancelled_streamed_flush_leaves_no_object_no_temporary_file_and_no_cached_block()
    {
        var store = new LocalFileSystemObjectStore(_root);
        using var cache = new MemoryBlockCache();
        var tables = new TableStore(store, Paths, SlateDbOptions.Default, cache);
        var id = new IdGenerator(TimeProvider.System, 7).NewUlid();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        var flush = () => FlushAsync(tables, id, Memtable(), cancelled.Token);

        await flush.Should().ThrowAsync<OperationCanceledException>();
        (await store.HeadAsync(Paths.CompactedSstPath(id), CancellationToken.None)).Should().BeNull();
        Files().Should().BeEmpty();
        cache.DataSizeBytes.Should().Be(0);
        cache.MetadataSizeBytes.Should().Be(0);
    }

    [Fact]
    public async Task A_flush_whose_streamed_write_and_put_both_fail_leaves_nothing()
    {
        var store = new FailingStore(new LocalFileSystemObjectStore(_root)) { FailCommits = int.MaxValue, FailPuts = true };
        using var cache = new MemoryBlockCache();
        var tables = new TableStore(store, Paths, SlateDbOptions.Default, cache);
        var id = new IdGenerator(TimeProvider.System, 7).NewUlid();

        var flush = () => FlushAsync(tables, id, Memtable());

        (await flush.Should().ThrowAsync<SlateDbException>()).Which.Kind.Should().Be(SlateDbErrorKind.Unavailable);
        store.CommitsTried.Should().Be(1);
        (await store.HeadAsync(Paths.CompactedSstPath(id), CancellationToken.None)).Should().BeNull();
        Files().Should().BeEmpty("the streamed temporary file was deleted");
        cache.DataSizeBytes.Should().Be(0, "no block of an SST that was never published is cached");
    }

    [Fact]
    public async Task A_failed_streamed_commit_is_written_again_whole_through_the_stores_put()
    {
        using var instrumented = new InstrumentedObjectStore(new FailingStore(new LocalFileSystemObjectStore(_root)) { FailCommits = 1 });
        var store = instrumented;
        var logger = new Storage.Decorators.ListLogger();
        await using (var db = await SlateDb.Builder("db", store).WithOptions(Read.ReadTestKit.TestOptions(minFilterKeys: 100)).WithLoggerFactory(new Storage.Decorators.SingleLoggerFactory(logger)).OpenAsync())
        {
            var batch = new WriteBatch();
            for (var i = 0; i < 5_000; i++)
            {
                batch.Put(Key(i), Value(i));
            }

            await db.WriteAsync(batch);

            await Read.ReadTestKit.FlushMemtableAsync(db);
            (await db.GetAsync(Key(1234))).Should().Equal(Value(1234));
        }

        var l0 = await CountL0Async(store);
        l0.Should().Be(1, "the flush was recorded once, from the whole-buffer put");
        logger.Entries.Should().ContainSingle(e => e.EventId.Id == 18 && e.Level == Microsoft.Extensions.Logging.LogLevel.Warning, "the fallback is reported");
        Directory.GetFiles(Path.Combine(_root, "db", "compacted")).Should().ContainSingle("the failed streamed put left no temporary file");
        await using var reopened = await SlateDb.Builder("db", store).WithOptions(Read.ReadTestKit.TestOptions(minFilterKeys: 100)).OpenAsync();
        (await reopened.GetAsync(Key(4_999))).Should().Equal(Value(4_999));
    }

    [Fact]
    public async Task Gets_after_a_streamed_flush_are_served_from_the_cache_without_store_reads()
    {
        using var store = new InstrumentedObjectStore(new LocalFileSystemObjectStore(_root));
        using (var probe = ((IStreamingPut)store).TryStartPut("probe"))
        {
            probe.Should().NotBeNull("the flush streams through the instrumented local store");
        }

        using var cache = new MemoryBlockCache();
        await using var db = await SlateDb.Builder("db", store)
            .WithOptions(Read.ReadTestKit.TestOptions(minFilterKeys: 100) with { ManifestPollInterval = TimeSpan.FromHours(1) })
            .WithBlockCache(cache)
            .OpenAsync();
        var batch = new WriteBatch();
        for (var i = 0; i < Rows; i++)
        {
            batch.Put(Key(i), Value(i));
        }

        await db.WriteAsync(batch);
        await Read.ReadTestKit.FlushMemtableAsync(db);

        cache.DataSizeBytes.Should().BeGreaterThan((long)Rows * 100, "every data block of the streamed SST was cached after its commit");
        store.ResetStats();
        for (var i = 0; i < Rows; i += 97)
        {
            (await db.GetAsync(Key(i))).Should().Equal(Value(i));
        }

        store.Stats.RangeGets.Should().Be(0);
        store.Stats.Gets.Should().Be(0);
    }

    private static async Task<int> CountL0Async(IObjectStore store)
    {
        var manifest = (await new ManifestStore(store, Paths).ReadLatestAsync(default))!.Value.Manifest;
        return manifest.Core.Tree.L0.Count;
    }

    /// <summary>A store whose first <see cref="FailCommits"/> streamed commits (and, if asked, every put of an SST) fail as an unreachable store does.</summary>
    private sealed class FailingStore(IObjectStore inner) : IObjectStore, IStreamingPut
    {
        public int FailCommits { get; init; }

        public bool FailPuts { get; init; }

        public int CommitsTried;

        public ValueTask<ObjectContent?> GetAsync(string path, CancellationToken cancellationToken) => inner.GetAsync(path, cancellationToken);

        public ValueTask<ObjectContent?> GetRangeAsync(string path, ByteRange range, CancellationToken cancellationToken) => inner.GetRangeAsync(path, range, cancellationToken);

        public ValueTask<ObjectMetadata?> HeadAsync(string path, CancellationToken cancellationToken) => inner.HeadAsync(path, cancellationToken);

        public ValueTask<PutResult> PutAsync(string path, ReadOnlyMemory<byte> data, PutMode mode, CancellationToken cancellationToken) =>
            FailPuts && path.EndsWith(".sst", StringComparison.Ordinal) && path.Contains("compacted", StringComparison.Ordinal)
                ? throw new SlateDbException(SlateDbErrorKind.Unavailable, "The store is unreachable (test).")
                : inner.PutAsync(path, data, mode, cancellationToken);

        public ValueTask DeleteAsync(string path, CancellationToken cancellationToken) => inner.DeleteAsync(path, cancellationToken);

        public IAsyncEnumerable<ObjectMetadata> ListAsync(string prefix, CancellationToken cancellationToken) => inner.ListAsync(prefix, cancellationToken);

        public IStreamingObjectWriter? TryStartPut(string path) =>
            ((IStreamingPut)inner).TryStartPut(path) is { } writer ? new Writer(this, writer) : null;

        private sealed class Writer(FailingStore store, IStreamingObjectWriter inner) : IStreamingObjectWriter
        {
            public long Length => inner.Length;

            public void Write(ReadOnlySpan<byte> data) => inner.Write(data);

            public ValueTask<PutResult> CommitAsync(PutMode mode, CancellationToken cancellationToken)
            {
                if (Interlocked.Increment(ref store.CommitsTried) <= store.FailCommits)
                {
                    inner.Dispose(); // As the local store's failed commit: its temporary file is deleted.
                    throw new SlateDbException(SlateDbErrorKind.Unavailable, "The store is unreachable (test).");
                }

                return inner.CommitAsync(mode, cancellationToken);
            }

            public void Dispose() => inner.Dispose();
        }
    }
}
