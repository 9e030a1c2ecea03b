using System.Collections.Concurrent;
using SlateDB.Common;
using SlateDB.Format;
using SlateDB.Iterators;
using SlateDB.Manifest;
using SlateDB.Sst;
using SlateDB.Storage;
using SlateDB.Tests.Read;
using Xunit.Abstractions;
using static SlateDB.Tests.Read.ReadTestKit;

namespace SlateDB.Tests.Iterators;

/// <summary>
/// Adaptive read-ahead (<see cref="ScanOptions.MaxReadAheadBytes"/>): an SST iterator's reads start at the configured
/// size and double while the scan stays sequential. Short scans make exactly the requests they made without growth;
/// long scans make far fewer; nothing past the range's last data block is read; the rows are the same either way.
/// </summary>
public sealed class AdaptiveReadAheadTests(ITestOutputHelper output)
{
    private const long Cap = 256 * 1024;
    private static readonly BlockFetch s_off = new(1, 1, CacheBlocks: false);
    private static readonly BlockFetch s_adaptive = new(1, 1, CacheBlocks: false, MaxReadAheadBytes: Cap);

    [Fact]
    public void The_window_keeps_the_configured_size_for_the_first_read_taken_then_doubles_up_to_the_cap()
    {
        var window = new ReadAheadWindow(s_adaptive, carried: 0);
        var sizes = new List<long> { window.Bytes };
        for (var i = 0; i < 9; i++)
        {
            window.OnReadTaken(lastStartedBytes: 4096);
            sizes.Add(window.Bytes);
        }

        sizes.Should().Equal(1, 1, 8192, 16384, 32768, 65536, 131072, Cap, Cap, Cap);

        // Growth starts from the larger of the window and the last read (a read takes at least one block).
        var configured = new ReadAheadWindow(new BlockFetch(20_000, 1, false, 100_000), carried: 0);
        configured.OnReadTaken(20_000);
        configured.Bytes.Should().Be(20_000);
        configured.OnReadTaken(24_000);
        configured.Bytes.Should().Be(48_000);
        configured.OnReadTaken(48_000);
        configured.Bytes.Should().Be(96_000);
        configured.OnReadTaken(96_000);
        configured.Bytes.Should().Be(100_000, "the cap is not a power-of-two multiple of the start");

        // A sorted run's next SST continues at the size reached, never above the cap.
        new ReadAheadWindow(s_adaptive, carried: 65_536).Bytes.Should().Be(65_536);
        new ReadAheadWindow(s_adaptive, carried: 10 * Cap).Bytes.Should().Be(Cap);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(4096)]
    public void At_or_below_the_configured_size_the_cap_turns_growth_off(long cap)
    {
        var fetch = new BlockFetch(4096, 1, false, cap);
        var window = new ReadAheadWindow(fetch, carried: 1 << 20);
        for (var i = 0; i < 10; i++)
        {
            window.OnReadTaken(8192);
            window.Bytes.Should().Be(4096);
        }

        BlockFetch.From(new ScanOptions { MaxReadAheadBytes = -5 }).MaxReadAheadBytes.Should().Be(0);
        BlockFetch.From(new ScanOptions()).Should().Be(new BlockFetch(1, 1, false, Cap));
    }

    [Theory]
    [InlineData(IterationOrder.Ascending, 1)]
    [InlineData(IterationOrder.Descending, 1)]
    [InlineData(IterationOrder.Ascending, 3)]
    [InlineData(IterationOrder.Descending, 2)]
    public async Task A_full_scan_grows_its_reads_and_reads_every_data_byte_once_and_nothing_else(IterationOrder order, int fetchTasks)
    {
        var fixture = await SstFixture.CreateAsync(rows: 12_000);
        var blocks = fixture.File.BlockCount;
        var dataEnd = (long)fixture.File.DataEnd;
        blocks.Should().BeGreaterThan(300);

        var off = await fixture.ScanAsync(KeyRange.All, order, s_off with { MaxFetchTasks = fetchTasks });
        var adaptive = await fixture.ScanAsync(KeyRange.All, order, s_adaptive with { MaxFetchTasks = fetchTasks });
        adaptive.Rows.Should().Equal(off.Rows, "{0}: the same rows with and without growth", order);
        off.Reads.Should().HaveCount(blocks, "without growth every block is its own GET");

        // Growth: 2 reads of one block, then 8, 16, ..., 256 KiB (a few more while blocks do not fill the budget exactly).
        adaptive.Reads.Count.Should().BeLessThanOrEqualTo(2 + 12 + (int)(dataEnd / Cap) + 1);
        adaptive.Reads.Should().OnlyContain(r => r.Length <= Cap, "no read exceeds the cap");
        var sorted = adaptive.Reads.OrderBy(r => r.Offset).ToList();
        sorted[0].Offset.Should().Be(0);
        sorted[^1].End.Should().Be(dataEnd, "reads end at the last data block");
        for (var i = 1; i < sorted.Count; i++)
        {
            sorted[i].Offset.Should().Be(sorted[i - 1].End, "every data byte is read once, without gaps or overlap");
        }

        // Reads follow the scan's direction.
        var offsets = adaptive.Reads.Select(r => r.Offset).ToList();
        (order == IterationOrder.Ascending ? offsets.Should().BeInAscendingOrder() : offsets.Should().BeInDescendingOrder()).And.OnlyHaveUniqueItems();
        output.WriteLine($"{order}, {fetchTasks} in flight: {blocks} blocks ({dataEnd} bytes): {off.Reads.Count} GETs without growth, {adaptive.Reads.Count} with");
    }

    [Fact]
    public async Task Short_scans_make_exactly_the_requests_they_made_without_growth_and_longer_ones_no_more()
    {
        const int seed = 4242;
        var fixture = await SstFixture.CreateAsync(rows: 6_000);
        var random = new Random(seed);
        var rowsPerBlock = fixture.MinRowsPerBlock;
        rowsPerBlock.Should().BeGreaterThan(5);
        var equalShort = 0;
        for (var trial = 0; trial < 300; trial++)
        {
            var order = random.Next(2) == 0 ? IterationOrder.Ascending : IterationOrder.Descending;
            var key = fixture.Keys[random.Next(fixture.Keys.Count)];
            var range = order == IterationOrder.Ascending ? KeyRange.From(key) : KeyRange.UpTo(key);
            var take = random.Next(3) == 0 ? 1 + random.Next(rowsPerBlock) : 1 + random.Next(400);
            var tasks = 1 + random.Next(3);
            var readAhead = random.Next(3) == 0 ? 8192 : 1;
            var off = await fixture.ScanAsync(range, order, new BlockFetch(readAhead, tasks, false), take);
            var adaptive = await fixture.ScanAsync(range, order, new BlockFetch(readAhead, tasks, false, Cap), take);
            var because = $"seed {seed}, trial {trial}: {order} from {S(key)}, {take} rows, {tasks} in flight, read-ahead {readAhead}";
            adaptive.Rows.Should().Equal(off.Rows, because);
            adaptive.Reads.Count.Should().BeLessThanOrEqualTo(off.Reads.Count, because);

            // The first reads are the same requests; a scan within one block's worth of rows (two blocks at most) makes
            // as many requests as without growth (only a read started behind the second may be larger).
            adaptive.Reads.Take(tasks).Should().Equal(off.Reads.Take(tasks), because);
            if (take <= rowsPerBlock)
            {
                adaptive.Reads.Should().HaveSameCount(off.Reads, because);
                equalShort++;
            }
        }

        equalShort.Should().BeGreaterThan(50, "seed {0}: enough short scans were tried", seed);
    }

    [Fact]
    public async Task Rows_are_the_same_with_and_without_growth_over_random_ranges_views_and_settings()
    {
        const int seed = 777;
        var fixture = await SstFixture.CreateAsync(rows: 3_000);
        var random = new Random(seed);
        for (var trial = 0; trial < 150; trial++)
        {
            var scan = ModelRange.Random(random, () => fixture.Keys[random.Next(fixture.Keys.Count)], () => B("k" + random.Next(10)));
            var order = random.Next(2) == 0 ? IterationOrder.Ascending : IterationOrder.Descending;
            var tasks = 1 + random.Next(4);
            var readAhead = random.Next(4) switch { 0 => 1, 1 => 5_000, 2 => 20_000, _ => 64 * 1024 };
            var cap = random.Next(4) switch { 0 => 0, 1 => 10_000, 2 => 100_000, _ => Cap };
            var off = await fixture.ScanAsync(scan.Range, order, new BlockFetch(readAhead, tasks, false));
            var grown = await fixture.ScanAsync(scan.Range, order, new BlockFetch(readAhead, tasks, false, cap));
            var expected = fixture.Keys.Where(k => scan.Contains(k)).Select(k => S(k)).ToList();
            if (order == IterationOrder.Descending)
            {
                expected.Reverse();
            }

            var because = $"seed {seed}, trial {trial}: {scan} {order}, read-ahead {readAhead}, cap {cap}, {tasks} in flight";
            grown.Rows.Select(r => r.Key).Should().Equal(expected, because);
            grown.Rows.Should().Equal(off.Rows, because);
            grown.Reads.Count.Should().BeLessThanOrEqualTo(off.Reads.Count, because);
            grown.Reads.Should().NotContain(r => r.End > (long)fixture.File.DataEnd, because);
        }
    }

    [Fact]
    public async Task A_sorted_run_carries_the_grown_read_size_into_its_next_sst()
    {
        var store = new RangeRecordingStore(new InMemoryObjectStore());
        var tables = new TableStore(store, new DbPaths("db"), TestOptions(), cache: null);
        var views = new List<SsTableView>();
        for (var s = 0; s < 3; s++)
        {
            var builder = new SstBuilder(tables.Settings, SstKind.Compacted);
            for (var i = 0; i < 4_000; i++)
            {
                var key = B($"k{s}-{i:D5}");
                builder.Add(RowEntry.Put(key, B(new string('v', 100)), 1));
            }

            var handle = await tables.WriteCompactedAsync(new Ulid(7, (ulong)s), builder, CancellationToken.None);
            views.Add(new SsTableView(new Ulid(8, (ulong)s), handle, VisibleRange: null));
        }

        var run = new SortedRun(1, views);
        foreach (var order in new[] { IterationOrder.Ascending, IterationOrder.Descending })
        {
            var readsPerSst = new List<int>();
            var rows = 0;
            var iterator = new SortedRunRowIterator(tables, run, KeyRange.All, order, s_adaptive);
            store.Clear();
            while (await iterator.MoveNextAsync(CancellationToken.None))
            {
                rows++;
            }

            rows.Should().Be(12_000);
            foreach (var view in views)
            {
                var path = tables.Paths.SstPath(view.Sst.Id);
                var file = await tables.OpenAsync(view.Sst, CancellationToken.None);
                var reads = store.Reads.Where(r => r.Path == path && r.Range.End <= (long)file.DataEnd).Select(r => r.Range).ToList();
                reads.Sum(r => r.Length).Should().Be((long)file.DataEnd, "{0}: every data byte of {1} is read once", order, path);
                readsPerSst.Add(reads.Count);
            }

            // The SST read first starts at one block; the next ones start at the size already reached.
            var (first, later) = order == IterationOrder.Ascending ? (readsPerSst[0], readsPerSst[2]) : (readsPerSst[2], readsPerSst[0]);
            later.Should().BeLessThan(first, "{0}: reads per SST {1}", order, string.Join(",", readsPerSst));
            output.WriteLine($"{order}: data reads per SST {string.Join(", ", readsPerSst)}");
        }
    }

    /// <summary>One SST of keys <c>k00000..</c> with 100-byte values, and scans over it that record their data reads.</summary>
    private sealed class SstFixture
    {
        private readonly RangeRecordingStore _store;
        private readonly TableStore _tables;
        private readonly SsTableView _view;

        private SstFixture(RangeRecordingStore store, TableStore tables, SsTableView view, SstFile file, List<byte[]> keys, int minRowsPerBlock)
        {
            (_store, _tables, _view, File, Keys, MinRowsPerBlock) = (store, tables, view, file, keys, minRowsPerBlock);
        }

        public SstFile File { get; }

        public List<byte[]> Keys { get; }

        /// <summary>The fewest rows any block holds.</summary>
        public int MinRowsPerBlock { get; }

        public static async Task<SstFixture> CreateAsync(int rows)
        {
            var store = new RangeRecordingStore(new InMemoryObjectStore());
            var tables = new TableStore(store, new DbPaths("db"), TestOptions(), cache: null);
            var builder = new SstBuilder(tables.Settings, SstKind.Compacted);
            var keys = Enumerable.Range(0, rows).Select(i => B($"k{i:D5}")).ToList();
            foreach (var key in keys)
            {
                builder.Add(RowEntry.Put(key, B(S(key) + new string('v', 94)), 5));
            }

            var handle = await tables.WriteCompactedAsync(new Ulid(3, 3), builder, CancellationToken.None);
            var file = await tables.OpenAsync(handle, CancellationToken.None);
            var minRows = int.MaxValue;
            var stored = (await store.GetAsync(tables.Paths.SstPath(handle.Id), CancellationToken.None))!.Data;
            for (var b = 0; b < file.BlockCount; b++)
            {
                var range = file.BlockRange(b);
                var iterator = file.DecodeBlock(stored.Slice((int)range.Offset, (int)range.Length)).CreateIterator();
                var count = 0;
                for (iterator.SeekToFirst(); iterator.IsValid; iterator.Next())
                {
                    count++;
                }

                minRows = Math.Min(minRows, count);
            }

            return new SstFixture(store, tables, new SsTableView(new Ulid(4, 4), handle, VisibleRange: null), file, keys, minRows);
        }

        /// <summary>Reads up to <paramref name="take"/> rows; returns them (key, value, sequence) and the data-block reads made, in order.</summary>
        public async Task<(List<(string Key, string Value, ulong Seq)> Rows, List<ByteRange> Reads)> ScanAsync(KeyRange range, IterationOrder order, BlockFetch fetch, int take = int.MaxValue)
        {
            _store.Clear();
            var iterator = new SstRowIterator(_tables, _view, range, order, fetch);
            var rows = new List<(string, string, ulong)>();
            while (rows.Count < take && await iterator.MoveNextAsync(CancellationToken.None))
            {
                var row = iterator.Current;
                rows.Add((S(row.Key), S(row.Value), row.Seq));
            }

            // Reads still in flight when a short scan stops count too: they were requested (recorded when started).
            return (rows, _store.Reads.Select(r => r.Range).Where(r => r.End <= (long)File.DataEnd).ToList());
        }
    }
}

/// <summary>A store that records every ranged GET (path and range), in the order they were requested.</summary>
internal sealed class RangeRecordingStore(IObjectStore inner) : IObjectStore
{
    private readonly ConcurrentQueue<(string Path, ByteRange Range)> _reads = new();

    public IReadOnlyList<(string Path, ByteRange Range)> Reads => [.. _reads];

    public void Clear() => _reads.Clear();

    public ValueTask<ObjectContent?> GetAsync(string path, CancellationToken cancellationToken) => inner.GetAsync(path, cancellationToken);

    public ValueTask<ObjectContent?> GetRangeAsync(string path, ByteRange range, CancellationToken cancellationToken)
    {
        _reads.Enqueue((path, range));
        return inner.GetRangeAsync(path, range, cancellationToken);
    }

    public ValueTask<ObjectMetadata?> HeadAsync(string path, CancellationToken cancellationToken) => inner.HeadAsync(path, cancellationToken);

    public ValueTask<PutResult> PutAsync(string path, ReadOnlyMemory<byte> data, PutMode mode, CancellationToken cancellationToken) =>
        inner.PutAsync(path, data, mode, cancellationToken);

    public ValueTask DeleteAsync(string path, CancellationToken cancellationToken) => inner.DeleteAsync(path, cancellationToken);

    public IAsyncEnumerable<ObjectMetadata> ListAsync(string prefix, CancellationToken cancellationToken) => inner.ListAsync(prefix, cancellationToken);
}
