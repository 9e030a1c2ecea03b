using System.Globalization;
using System.Text;
using SlateDB.Common;
using SlateDB.Compaction;
using SlateDB.Format;
using SlateDB.Iterators;
using SlateDB.Manifest;
using SlateDB.Sst;
using SlateDB.Storage;

namespace SlateDB.Tests.Compaction;

/// <summary>SSTs, runs and jobs over an in-memory store, for executor and rule tests.</summary>
internal sealed class CompactionTestKit
{
    public CompactionTestKit(SlateDbOptions? options = null, int seed = 42)
    {
        Options = options ?? SlateDbOptions.Default with { MinFilterKeys = 1 };
        Store = new InMemoryObjectStore();
        Paths = new DbPaths("db");
        Tables = new TableStore(Store, Paths, Options, cache: null);
        Ids = new IdGenerator(TimeProvider.System, seed);
    }

    public SlateDbOptions Options { get; }

    public InMemoryObjectStore Store { get; }

    public DbPaths Paths { get; }

    public TableStore Tables { get; }

    public IdGenerator Ids { get; }

    public static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    public static string S(ReadOnlyMemory<byte> b) => Encoding.UTF8.GetString(b.Span);

    public static string Key(int i) => string.Create(CultureInfo.InvariantCulture, $"key{i:D6}");

    /// <summary>Writes rows (any order; sorted here by key, then sequence descending) as one compacted SST.</summary>
    public async Task<SsTableView> SstAsync(IEnumerable<RowEntry> rows, SstBuildSettings? settings = null)
    {
        var builder = new SstBuilder(settings ?? Tables.Settings, SstKind.Compacted);
        foreach (var row in rows.OrderBy(r => r.Key.ToArray(), ByteComparer.Instance).ThenByDescending(r => r.Seq))
        {
            builder.Add(row);
        }

        var handle = await Tables.WriteCompactedAsync(Ids.NewUlid(), builder, CancellationToken.None);
        return SsTableView.Identity(handle);
    }

    /// <summary>A sorted run of one SST per row group (groups must be disjoint and in key order).</summary>
    public async Task<SortedRun> RunAsync(uint id, params IEnumerable<RowEntry>[] groups)
    {
        var views = new List<SsTableView>();
        foreach (var group in groups)
        {
            views.Add(await SstAsync(group));
        }

        return new SortedRun(id, views);
    }

    public static CompactionJob Job(IReadOnlyList<SsTableView> l0, IReadOnlyList<SortedRun> runs, uint destination, RetentionPolicy retention)
    {
        var inputs = l0.Select(view => CompactionInput.L0View(view.Id.ToString()))
            .Concat(runs.Select(run => CompactionInput.SortedRun(run.Id)))
            .ToArray();
        return new CompactionJob(Ulid.FromParts(1, 0, 1), new CompactionPlan(inputs, destination), l0, runs, retention);
    }

    public CompactionExecutor Executor(long maxSstSize = 256L * 1024 * 1024, SstBuildSettings? build = null) =>
        new(Tables, Ids, TimeProvider.System, new CompactionExecutorSettings(build ?? Tables.Settings, maxSstSize, 4, CompactionExecutorSettings.DefaultReadAheadBytes));

    /// <summary>Every row of a sorted run, in stored order.</summary>
    public async Task<List<RowEntry>> ReadAsync(SortedRun run)
    {
        var rows = new List<RowEntry>();
        var iterator = new SortedRunRowIterator(Tables, run, KeyRange.All, IterationOrder.Ascending, BlockFetch.Default);
        while (await iterator.MoveNextAsync(CancellationToken.None))
        {
            rows.Add(iterator.Current);
        }

        return rows;
    }

    /// <summary>Every row of a sorted run of the database "db" in another store.</summary>
    public async Task<List<RowEntry>> ReadAsyncFrom(IObjectStore store, SortedRun run)
    {
        var tables = new TableStore(store, new DbPaths("db"), Options, cache: null);
        var rows = new List<RowEntry>();
        foreach (var view in run.Views)
        {
            rows.AddRange(await ReadViewAsync(tables, view));
        }

        return rows;
    }

    public static async Task<List<RowEntry>> ReadViewAsync(TableStore tables, SsTableView view)
    {
        var rows = new List<RowEntry>();
        var iterator = new SstRowIterator(tables, view, KeyRange.All, IterationOrder.Ascending, BlockFetch.Default);
        while (await iterator.MoveNextAsync(CancellationToken.None))
        {
            rows.Add(iterator.Current);
        }

        return rows;
    }

    /// <summary>Unsigned byte order of keys.</summary>
    public sealed class ByteComparer : IComparer<byte[]>
    {
        public static ByteComparer Instance { get; } = new();

        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
    }
}
