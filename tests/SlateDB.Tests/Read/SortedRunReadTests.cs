using SlateDB.Common;
using SlateDB.Format;
using SlateDB.Manifest;
using SlateDB.Sst;
using SlateDB.Storage;
using static SlateDB.Tests.Read.ReadTestKit;

namespace SlateDB.Tests.Read;

/// <summary>
/// Reads of a sorted run whose adjacent SSTs share a boundary key (a compaction may cut its output between two
/// versions of a key, keeping old versions for snapshots): the newest version, in the earlier SST, must win.
/// </summary>
public sealed class SortedRunReadTests
{
    private const ulong LastSeq = 30;

    /// <summary>
    /// SST 0: a, b, m@20, m@19 | SST 1: m@12, m@11, p, t@25 (deleted), t@24 | SST 2: t@15, x, z.
    /// </summary>
    private static readonly (string Key, ulong Seq, string? Value)[][] s_ssts =
    [
        [("a", 10, "a10"), ("b", 10, "b10"), ("m", 20, "m20"), ("m", 19, "m19")],
        [("m", 12, "m12"), ("m", 11, "m11"), ("p", 10, "p10"), ("t", 25, null), ("t", 24, "t24")],
        [("t", 15, "t15"), ("x", 10, "x10"), ("z", 10, "z10")],
    ];

    /// <summary>Writes the SSTs and a manifest listing them as one sorted run, as a compactor would.</summary>
    private static async Task<SortedRun> InstallSortedRunAsync(IObjectStore store)
    {
        await (await SlateDb.OpenAsync("db", store, TestOptions())).DisposeAsync();
        var tables = new TableStore(store, new DbPaths("db"), TestOptions(minFilterKeys: 1), cache: null);
        var views = new List<SsTableView>();
        for (var i = 0; i < s_ssts.Length; i++)
        {
            var builder = new SstBuilder(tables.Settings, SstKind.Compacted);
            foreach (var (key, seq, value) in s_ssts[i])
            {
                builder.Add(value is null ? RowEntry.Delete(B(key), seq) : RowEntry.Put(B(key), B(value), seq));
            }

            views.Add(SsTableView.Identity(await tables.WriteCompactedAsync(new Ulid(0x0190_0000_0000_0000UL, (ulong)i + 1), builder, CancellationToken.None)));
        }

        var run = new SortedRun(0, views);
        var manifests = new ManifestStore(store, new DbPaths("db"));
        var (id, manifest) = (await manifests.ReadLatestAsync(CancellationToken.None))!.Value;
        var core = manifest.Core;
        var next = manifest with { Core = core with { Tree = core.Tree with { Compacted = [run] }, LastL0Seq = Math.Max(core.LastL0Seq, LastSeq) } };
        (await manifests.TryWriteAsync(id + 1, next, CancellationToken.None)).Should().BeTrue();
        return run;
    }

    [Fact]
    public async Task Gets_and_scans_return_the_newest_version_of_a_key_shared_by_two_ssts()
    {
        var store = new InMemoryObjectStore();
        await InstallSortedRunAsync(store);
        await using var db = await SlateDb.OpenAsync("db", store, TestOptions());

        (await db.GetAsync("m")).Should().Be("m20");
        (await db.GetKeyValueAsync(B("m")))!.Sequence.Should().Be(20);
        (await db.GetAsync("t")).Should().BeNull("the newest version of t is a tombstone");
        (await db.GetAsync("a")).Should().Be("a10");
        (await db.GetAsync("p")).Should().Be("p10");
        (await db.GetAsync("z")).Should().Be("z10");
        (await db.GetAsync("n")).Should().BeNull();

        async Task<string> Scan(KeyRange range, IterationOrder order = IterationOrder.Ascending) =>
            string.Join(",", (await ToListAsync(db.ScanAsync(range, new ScanOptions { Order = order }))).Select(kv => $"{S(kv.Key)}={S(kv.Value)}"));

        (await Scan(KeyRange.All)).Should().Be("a=a10,b=b10,m=m20,p=p10,x=x10,z=z10");
        (await Scan(KeyRange.All, IterationOrder.Descending)).Should().Be("z=z10,x=x10,p=p10,m=m20,b=b10,a=a10");
        (await Scan(KeyRange.From(B("m")))).Should().Be("m=m20,p=p10,x=x10,z=z10");
        (await Scan(KeyRange.BetweenInclusive(B("m"), B("m")))).Should().Be("m=m20");
        (await Scan(KeyRange.UpTo(B("m")), IterationOrder.Descending)).Should().Be("m=m20,b=b10,a=a10");
        (await Scan(KeyRange.From(B("t")))).Should().Be("x=x10,z=z10");
        (await Scan(KeyRange.BetweenInclusive(B("t"), B("t")), IterationOrder.Descending)).Should().BeEmpty();
        (await Scan(KeyRange.Prefix(B("m")))).Should().Be("m=m20");

        await using var iterator = await db.CreateIteratorAsync(KeyRange.All);
        await iterator.SeekAsync(B("m"));
        S((await iterator.NextAsync())!.Value).Should().Be("m20");
    }

    [Fact]
    public async Task Point_lookups_at_older_sequences_follow_the_key_into_the_next_sst()
    {
        var store = new InMemoryObjectStore();
        var run = await InstallSortedRunAsync(store);
        var tables = new TableStore(store, new DbPaths("db"), TestOptions(), cache: null);

        async Task<string?> GetAt(string key, ulong maxSeq)
        {
            var (first, last) = SortedRuns.ViewsForKey(run, B(key));
            for (var i = first; i <= last; i++)
            {
                if (await tables.GetAsync(run.Views[i], B(key), maxSeq, cacheBlocks: false, CancellationToken.None) is { } row)
                {
                    return row.Kind == RowKind.Tombstone ? "<deleted>" : S(row.Value);
                }
            }

            return null;
        }

        SortedRuns.ViewsForKey(run, B("m")).Should().Be((0, 1));
        SortedRuns.ViewsForKey(run, B("t")).Should().Be((1, 2));
        SortedRuns.ViewsForKey(run, B("p")).Should().Be((1, 1));
        SortedRuns.ViewsForKey(run, B("0")).Should().Be((0, -1));
        (await GetAt("m", LastSeq)).Should().Be("m20");
        (await GetAt("m", 19)).Should().Be("m19");
        (await GetAt("m", 18)).Should().Be("m12");
        (await GetAt("m", 11)).Should().Be("m11");
        (await GetAt("m", 10)).Should().BeNull();
        (await GetAt("t", LastSeq)).Should().Be("<deleted>");
        (await GetAt("t", 24)).Should().Be("t24");
        (await GetAt("t", 23)).Should().Be("t15");
    }
}
