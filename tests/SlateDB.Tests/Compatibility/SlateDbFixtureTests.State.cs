using System.Security.Cryptography;
using SlateDB.Common;
using SlateDB.Format;
using SlateDB.Format.Filters;
using SlateDB.Manifest;
using SlateDB.Sst;
using SlateDB.Storage;
using SlateDB.Tests.Sst;
using SlateDB.Wal;

namespace SlateDB.Tests.Compatibility;

/// <summary>
/// The final state of each fixture database, rebuilt from the latest manifest as SlateDB 0.12.1 reads it: the WAL
/// SSTs after <c>replay_after_wal_id</c> (rows above <c>last_l0_seq</c>) replayed into a memtable, then L0 SSTs
/// newest first, then the sorted runs; the first source that has a key answers with its newest version, and a
/// tombstone answers "absent". Compared key by key with expected.json, which the generator verified against the
/// real engine.
/// </summary>
public sealed partial class SlateDbFixtureTests
{
    [Theory]
    [MemberData(nameof(Codecs))]
    public void Latest_manifest_and_wal_tail_rebuild_the_expected_state(string codec)
    {
        var fixture = SlateDbFixture.Load(codec);
        var core = LatestManifest(fixture).Core;
        var walTail = ReplayWalTail(fixture, core);
        var sources = new List<(string Name, Dictionary<byte[], RowEntry> Rows)> { ("WAL tail", walTail) };
        foreach (var view in core.Tree.L0)
        {
            sources.Add(($"L0 {view.Sst.Id}", NewestVersions(ReadCompacted(fixture, view.Sst.Id.CompactedId))));
        }

        foreach (var run in core.Tree.Compacted)
        {
            var runRows = new Dictionary<byte[], RowEntry>(ByteArrayEqualityComparer.Instance);
            foreach (var view in run.Views)
            {
                foreach (var (key, row) in NewestVersions(ReadCompacted(fixture, view.Sst.Id.CompactedId)))
                {
                    runRows.TryAdd(key, row).Should().BeTrue($"{codec}: a key lives in one SST of sorted run {run.Id}");
                }
            }

            sources.Add(($"sorted run {run.Id}", runRows));
        }

        var state = new Dictionary<byte[], RowEntry>(ByteArrayEqualityComparer.Instance);
        foreach (var key in sources.SelectMany(s => s.Rows.Keys).Distinct(ByteArrayEqualityComparer.Instance))
        {
            var holders = sources.Where(s => s.Rows.ContainsKey(key)).ToList();
            var answer = holders[0].Rows[key];
            var newest = holders.Max(s => s.Rows[key].Seq);
            answer.Seq.Should().Be(newest, $"{codec}, key {Convert.ToHexString(key)}: the source read first ({holders[0].Name}) holds the newest version");
            state.Add(key, answer);
        }

        var because = $"{codec}: every key ever written";
        var written = fixture.Expected.Select(e => e.Key).ToHashSet(ByteArrayEqualityComparer.Instance);
        state.Keys.Where(key => !written.Contains(key)).Should().BeEmpty(because);
        foreach (var entry in fixture.Expected)
        {
            AssertMatches(entry, state.TryGetValue(entry.Key, out var row) ? row : null, codec);
            walTail.ContainsKey(entry.Key).Should().Be(entry.WalOnly, $"{codec}, key {Convert.ToHexString(entry.Key)}: wal_only means the newest version is only in the WAL tail");
        }

        state.Values.Count(r => r.Kind == RowKind.Value).Should().Be(fixture.ExpectedVisibleCount, because);
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public async Task Point_reads_through_the_table_store_return_the_expected_state(string codec)
    {
        var fixture = SlateDbFixture.Load(codec);
        var store = new InMemoryObjectStore();
        foreach (var (id, bytes) in fixture.Wals)
        {
            await store.PutAsync(SlateDbFixture.WalName(id), bytes, PutMode.Create, CancellationToken.None);
        }

        foreach (var (id, bytes) in fixture.Compacted)
        {
            await store.PutAsync(SlateDbFixture.CompactedName(id), bytes, PutMode.Create, CancellationToken.None);
        }

        var tables = new TableStore(store, SlateDbFixture.Paths, SlateDbOptions.Default);
        var core = LatestManifest(fixture).Core;

        // WAL replay through the WAL reader, as recovery does it.
        var wal = new ObjectStoreWal(store, SlateDbFixture.Paths, tables.Settings);
        var memtable = new Dictionary<byte[], RowEntry>(ByteArrayEqualityComparer.Instance);
        for (var walId = core.ReplayAfterWalId + 1; walId < core.NextWalSstId; walId++)
        {
            var rows = await wal.ReadAsync(walId, CancellationToken.None);
            rows.Should().NotBeNull($"{codec}: WAL {walId} is in the replay range");
            foreach (var row in rows!.Where(r => r.Seq > core.LastL0Seq))
            {
                memtable[row.Key.ToArray()] = row;
            }
        }

        // Every hidden and WAL-only key and every third other key (the scan test above covers every key; block reads
        // here are not cached, so all of them would take seconds).
        var sample = fixture.Expected.Where((entry, i) => !entry.Visible || entry.WalOnly || i % 3 == 0).ToList();
        foreach (var entry in sample)
        {
            AssertMatches(entry, await PointReadAsync(tables, core, memtable, entry.Key), codec);
        }

        // Keys that were never written are absent, and the bloom filters rule most of them out without a block read.
        var random = new Random(121);
        var written = fixture.Expected.Select(e => e.Key).ToHashSet(ByteArrayEqualityComparer.Instance);
        int probes = 0, filterChecks = 0, filterRejections = 0;
        var filters = new List<IFilter>();
        foreach (var view in core.Tree.AllViews)
        {
            if ((await tables.OpenAsync(view.Sst, CancellationToken.None)).Filter is { } filter)
            {
                filters.Add(filter);
            }
        }

        while (probes < 500)
        {
            var key = new byte[random.Next(1, 20)];
            random.NextBytes(key);
            if (random.Next(2) == 0)
            {
                // Near misses share the prefix of the real ASCII keys.
                key = [.. "user/"u8.ToArray(), .. key];
            }

            if (written.Contains(key))
            {
                continue;
            }

            probes++;
            (await PointReadAsync(tables, core, memtable, key)).Should().BeNull($"{codec}: {Convert.ToHexString(key)} was never written (seed 121)");
            foreach (var filter in filters)
            {
                filterChecks++;
                filterRejections += filter.MightMatch(FilterQuery.Point(key)) ? 0 : 1;
            }
        }

        filters.Should().NotBeEmpty(codec);
        filterRejections.Should().BeGreaterThan(filterChecks * 95 / 100, $"{codec}: 10 bits per key give about 1% false positives");
    }

    /// <summary>Memtable, then L0 newest first, then each sorted run's one candidate SST; the first hit answers.</summary>
    private static async Task<RowEntry?> PointReadAsync(TableStore tables, ManifestCore core, Dictionary<byte[], RowEntry> memtable, byte[] key)
    {
        if (memtable.TryGetValue(key, out var fromWal))
        {
            return fromWal;
        }

        foreach (var view in core.Tree.L0)
        {
            if (await tables.GetAsync(view, key, ulong.MaxValue, cacheBlocks: true, CancellationToken.None) is { } row)
            {
                return row;
            }
        }

        foreach (var run in core.Tree.Compacted)
        {
            if (SortedRuns.FindViewForKey(run, key) is { } view
                && await tables.GetAsync(view, key, ulong.MaxValue, cacheBlocks: true, CancellationToken.None) is { } row)
            {
                return row;
            }
        }

        return null;
    }

    /// <summary>
    /// A visible key reads back with its last value, sequence number and expiry. A hidden key is absent or a
    /// tombstone: deleted, or expired and turned into a tombstone (which keeps the row's sequence number) by an L0
    /// flush or a compaction.
    /// </summary>
    private static void AssertMatches(ExpectedEntry entry, RowEntry? found, string codec)
    {
        var because = $"{codec}, key {Convert.ToHexString(entry.Key)}";
        if (!entry.Visible)
        {
            (entry.Deleted || entry.ExpireTs is not null).Should().BeTrue($"{because}: only deleted or expired keys are hidden");
            if (found is { } hidden)
            {
                hidden.Kind.Should().Be(RowKind.Tombstone, because);
                hidden.Seq.Should().Be(entry.Seq, because);
            }

            return;
        }

        found.Should().NotBeNull(because);
        var row = found!.Value;
        row.Kind.Should().Be(RowKind.Value, because);
        row.Seq.Should().Be(entry.Seq, because);
        row.ExpireTs.Should().Be(entry.ExpireTs, because);
        if (entry.Value is { } value)
        {
            row.Value.ToArray().Should().Equal(value, because);
        }
        else
        {
            row.Value.Length.Should().Be(entry.ValueLength, because);
            Convert.ToHexStringLower(SHA256.HashData(row.Value.Span)).Should().Be(entry.ValueSha256, because);
        }
    }

    private static DbManifest LatestManifest(SlateDbFixture fixture)
    {
        var (id, bytes) = fixture.Manifests.Last();
        return SlateDB.Manifest.Codec.ManifestCodec.Decode(bytes, SlateDbFixture.ManifestName(id));
    }

    /// <summary>WAL SSTs after the replay point, rows above last_l0_seq; the newest sequence number wins per key.</summary>
    private static Dictionary<byte[], RowEntry> ReplayWalTail(SlateDbFixture fixture, ManifestCore core)
    {
        var tail = new Dictionary<byte[], RowEntry>(ByteArrayEqualityComparer.Instance);
        var ids = fixture.Wals.Keys.Where(id => id > core.ReplayAfterWalId).ToList();
        ids.Should().Equal(Enumerable.Range(0, ids.Count).Select(i => core.ReplayAfterWalId + 1 + (ulong)i), "the WAL tail has no gaps");
        ids.Should().NotBeEmpty().And.HaveElementAt(ids.Count - 1, core.NextWalSstId - 1, "the newest WAL SST is the last id the manifest saw");
        foreach (var id in ids)
        {
            foreach (var row in SstContents.Read(fixture.Wals[id], SlateDbFixture.WalName(id)).Rows.Where(r => r.Seq > core.LastL0Seq))
            {
                var key = row.Key.ToArray();
                if (!tail.TryGetValue(key, out var existing) || existing.Seq < row.Seq)
                {
                    tail[key] = row;
                }
            }
        }

        return tail;
    }

    private static List<RowEntry> ReadCompacted(SlateDbFixture fixture, Ulid id)
        => SstContents.Read(fixture.Compacted[id], SlateDbFixture.CompactedName(id)).Rows.ToList();

    /// <summary>The first (newest) version of each key of an SST in key order.</summary>
    private static Dictionary<byte[], RowEntry> NewestVersions(List<RowEntry> rows)
    {
        var newest = new Dictionary<byte[], RowEntry>(ByteArrayEqualityComparer.Instance);
        foreach (var row in rows)
        {
            newest.TryAdd(row.Key.ToArray(), row);
        }

        return newest;
    }
}
