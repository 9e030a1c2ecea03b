using SlateDB.Common;
using SlateDB.Compaction;
using SlateDB.Format;
using SlateDB.Format.Compression;
using SlateDB.Iterators;
using SlateDB.Manifest;
using SlateDB.Sst;
using SlateDB.Storage;
using SlateDB.Tests.Storage;
using static SlateDB.Tests.Compaction.CompactionTestKit;

namespace SlateDB.Tests.Compaction;

/// <summary>
/// The compaction reads blocks into pooled buffers and returns each once the writer is done with the rows over it.
/// A merge of overlapping SSTs (keys with many versions across block and read boundaries, several output SSTs) is
/// run with buffers that are overwritten the moment they come back: any buffer returned while a row over it is still
/// in flight would corrupt the output. The output must be byte for byte what the unpooled, unstreamed path writes.
/// </summary>
public sealed class PooledBlockLifetimeTests() : LocalFolderTest("slatedb-pooled-")
{
    private string Root => Folder.FullName;

    [Theory]
    [InlineData("none", true)]
    [InlineData("lz4", true)]
    [InlineData("snappy", true)]
    [InlineData("zstd", true)]
    [InlineData("none", false)]
    [InlineData("lz4", false)]
    public async Task Pooled_reads_and_streamed_outputs_write_the_same_bytes_as_the_plain_path(string codecName, bool localStore)
    {
        var codec = Enum.Parse<BlockCodec>(codecName, ignoreCase: true);
        IObjectStore store = localStore ? new LocalFileSystemObjectStore(Root) : new InMemoryObjectStore();
        var paths = new DbPaths("db");
        var options = SlateDbOptions.Default with { MinFilterKeys = 1 };
        var build = new SstBuildSettings(BlockSize: 512, codec, MinFilterKeys: 1, FilterBitsPerKey: 10);
        var tables = new TableStore(store, paths, options, cache: null);
        var ids = new IdGenerator(TimeProvider.System, 7);
        var inputs = await WriteOverlappingInputsAsync(tables, ids, build);
        var job = Job(inputs, [], 0, new RetentionPolicy(RetentionMinSeq: 4_000, CompactionClockTick: 0, DropTombstones: true));

        // Small reads (a few blocks each) and small outputs: many retirements, many cuts between batches.
        var settings = new CompactionExecutorSettings(build, MaxSstSize: 24 * 1024, MaxFetchTasks: 4, ReadAheadBytes: 2 * 1024);
        var poisoned = new BlockBuffers(poisonReturned: true);
        var pooled = await new CompactionExecutor(tables, ids, TimeProvider.System, settings) { NewBlockBuffers = () => poisoned }
            .ExecuteAsync(job, CancellationToken.None);

        // The plain path: blocks decoded into new arrays, SSTs built whole and put at once (a store without streaming).
        var plainTables = new TableStore(new PassThroughStore(store), paths, options, cache: null);
        var plain = await new CompactionExecutor(plainTables, ids, TimeProvider.System, settings) { NewBlockBuffers = () => null }
            .ExecuteAsync(job, CancellationToken.None);

        if (localStore || codec is BlockCodec.Lz4 or BlockCodec.Snappy)
        {
            // (The in-memory store's reads are slices of its objects and an uncompressed block is a slice of its
            // read: then nothing is rented.)
            poisoned.Returned.Should().BeGreaterThan(10, "the merge returned buffers while it ran");
        }

        pooled.Run.Views.Count.Should().BeGreaterThan(3);
        pooled.Run.Views.Count.Should().Be(plain.Run.Views.Count);
        pooled.RowsWritten.Should().Be(plain.RowsWritten);
        for (var i = 0; i < pooled.Run.Views.Count; i++)
        {
            var ours = await store.GetAsync(paths.SstPath(pooled.Run.Views[i].Sst.Id), CancellationToken.None);
            var reference = await store.GetAsync(paths.SstPath(plain.Run.Views[i].Sst.Id), CancellationToken.None);
            ours!.Data.ToArray().Should().Equal(reference!.Data.ToArray(), $"output SST {i} is the same bytes");
        }

        // And the rows are the merge of the inputs: every key whose newest version is a value (tombstones dropped).
        var newest = new Dictionary<string, RowEntry>();
        foreach (var view in inputs)
        {
            foreach (var row in await ReadViewAsync(tables, view))
            {
                if (!newest.TryGetValue(S(row.Key), out var seen) || seen.Seq < row.Seq)
                {
                    newest[S(row.Key)] = row;
                }
            }
        }

        var written = new List<RowEntry>();
        foreach (var view in pooled.Run.Views)
        {
            written.AddRange(await ReadViewAsync(tables, view));
        }

        written.Select(r => S(r.Key)).Distinct().Should().Equal(
            newest.Where(pair => pair.Value.Kind != RowKind.Tombstone).Select(pair => pair.Key).Order(StringComparer.Ordinal));
        written.Where(r => r.Value.Length > 0 && r.Value.ToArray()[0] == 0xEE).Should().BeEmpty("no row reads a returned buffer");
    }

    /// <summary>
    /// Keys rebuilt from prefix-compressed rows land in chunks rented from the same pool and reused once they come back.
    /// With long keys that share most of their bytes, every block fills a good part of a chunk, so chunks are retired
    /// and reused many times during the merge: a chunk reused while a row over it was still queued would change that
    /// row's key (to the poison bytes, or another row's key) in the output.
    /// </summary>
    [Theory]
    [InlineData("none")]
    [InlineData("lz4")]
    public async Task Rebuilt_keys_in_reused_chunks_never_change_a_row_already_emitted(string codecName)
    {
        var codec = Enum.Parse<BlockCodec>(codecName, ignoreCase: true);
        var store = new InMemoryObjectStore();
        var paths = new DbPaths("db");
        var options = SlateDbOptions.Default with { MinFilterKeys = 1 };
        var build = new SstBuildSettings(BlockSize: 4096, codec, MinFilterKeys: 1, FilterBitsPerKey: 10);
        var tables = new TableStore(store, paths, options, cache: null);
        var ids = new IdGenerator(TimeProvider.System, 7);
        var prefix = new string('p', 300);
        var inputs = await WriteOverlappingInputsAsync(tables, ids, build, k => prefix + Key(k));
        var job = Job(inputs, [], 0, new RetentionPolicy(RetentionMinSeq: 4_000, CompactionClockTick: 0, DropTombstones: true));
        var settings = new CompactionExecutorSettings(build, MaxSstSize: 64 * 1024, MaxFetchTasks: 4, ReadAheadBytes: 16 * 1024);

        // Count the key chunks that come back: the buffers of the key arena's size.
        var poisoned = new BlockBuffers(poisonReturned: true);
        var pooled = await new CompactionExecutor(tables, ids, TimeProvider.System, settings) { NewBlockBuffers = () => poisoned }
            .ExecuteAsync(job, CancellationToken.None);
        var plain = await new CompactionExecutor(tables, ids, TimeProvider.System, settings) { NewBlockBuffers = () => null }
            .ExecuteAsync(job, CancellationToken.None);

        // The in-memory store's uncompressed blocks are slices of its objects: all buffers returned then are key chunks.
        poisoned.Returned.Should().BeGreaterThan(20, "key chunks were retired and reused during the merge");
        pooled.Run.Views.Count.Should().Be(plain.Run.Views.Count);
        for (var i = 0; i < pooled.Run.Views.Count; i++)
        {
            var ours = await store.GetAsync(paths.SstPath(pooled.Run.Views[i].Sst.Id), CancellationToken.None);
            var reference = await store.GetAsync(paths.SstPath(plain.Run.Views[i].Sst.Id), CancellationToken.None);
            ours!.Data.ToArray().Should().Equal(reference!.Data.ToArray(), $"output SST {i} is the same bytes");
        }

        var keys = new List<string>();
        foreach (var view in pooled.Run.Views)
        {
            keys.AddRange((await ReadViewAsync(tables, view)).Select(row => S(row.Key)));
        }

        keys.Should().OnlyContain(key => key.StartsWith(prefix, StringComparison.Ordinal) && key.Length == prefix.Length + 9);
        keys.Distinct().Should().BeInAscendingOrder(StringComparer.Ordinal);
        keys.Distinct().Count().Should().BeGreaterThan(1000);
    }

    /// <summary>Six overlapping SSTs, newest first: keys shared between them, a few with dozens of versions and long values.</summary>
    private static Task<List<SsTableView>> WriteOverlappingInputsAsync(TableStore tables, IdGenerator ids, SstBuildSettings build) =>
        WriteOverlappingInputsAsync(tables, ids, build, Key);

    private static async Task<List<SsTableView>> WriteOverlappingInputsAsync(TableStore tables, IdGenerator ids, SstBuildSettings build, Func<int, string> key)
    {
        var random = new Random(11);
        var views = new List<SsTableView>();
        ulong seq = 1;
        for (var s = 0; s < 6; s++)
        {
            var rows = new List<RowEntry>();
            foreach (var k in Enumerable.Range(0, 900).Select(_ => random.Next(1200)).Distinct())
            {
                var versions = k % 97 == 0 ? 30 : 1;
                for (var v = 0; v < versions; v++)
                {
                    var value = new byte[random.Next(1, k % 50 == 0 ? 700 : 80)];
                    random.NextBytes(value);
                    value[0] = (byte)(value[0] % 200); // never the poison byte first
                    rows.Add(k % 13 == 0 && v == 0
                        ? RowEntry.Delete(B(key(k)), seq++, createTs: 1)
                        : RowEntry.Put(B(key(k)), value, seq++, createTs: 1));
                }
            }

            var builder = new SstBuilder(build, SstKind.Compacted);
            foreach (var row in rows.OrderBy(r => S(r.Key), StringComparer.Ordinal).ThenByDescending(r => r.Seq))
            {
                builder.Add(row);
            }

            views.Insert(0, SsTableView.Identity(await tables.WriteCompactedAsync(ids.NewUlid(), builder, CancellationToken.None)));
        }

        return views;
    }
}
