using SlateDB.Common;
using SlateDB.Compaction;
using SlateDB.Format.FlatBuffers;
using SlateDB.Manifest;
using SlateDB.Manifest.Codec;
using SlateDB.Storage;

namespace SlateDB.Tests.Manifest;

/// <summary>
/// A small database for the manifest damage sweep: two L0 flushes compacted into a sorted run of several SSTs (with a
/// checkpoint the compactor adds), a third L0 SST, a tombstone in each tier, and rows only in the WAL. Its objects are
/// kept as bytes so each case starts from a fresh store.
/// </summary>
internal sealed class ManifestDamageSweep
{
    public const int KeyCount = 50;

    private static readonly SlateDbOptions Options = SlateDbOptions.Default with
    {
        FlushInterval = null,
        CompactorOptions = null,
        GarbageCollectorOptions = null,
        MinFilterKeys = 1,
    };

    private ManifestDamageSweep(Dictionary<string, byte[]> objects, string manifestPath, Dictionary<string, string> expected)
    {
        Objects = objects;
        ManifestPath = manifestPath;
        Expected = expected;
    }

    /// <summary>Every object of the database, by path.</summary>
    public Dictionary<string, byte[]> Objects { get; }

    /// <summary>The newest manifest's path.</summary>
    public string ManifestPath { get; }

    public byte[] Manifest => Objects[ManifestPath];

    /// <summary>The live keys and their values.</summary>
    public Dictionary<string, string> Expected { get; }

    public static string Key(int i) => $"k{i:D2}";

    public static async Task<ManifestDamageSweep> BuildAsync()
    {
        var store = new InMemoryObjectStore();
        var expected = new Dictionary<string, string>(StringComparer.Ordinal);
        var memtable = new FlushOptions { FlushType = FlushType.MemTable };
        var db = await SlateDb.Builder("db", store).WithOptions(Options).WithSeed(11).OpenAsync();
        try
        {
            async Task PutAsync(int i, string value)
            {
                await db.PutAsync(Key(i), value);
                expected[Key(i)] = value;
            }

            async Task DeleteAsync(int i)
            {
                await db.DeleteAsync(Key(i));
                expected.Remove(Key(i));
            }

            for (var i = 0; i < 20; i++)
            {
                await PutAsync(i, $"a{i}");
            }

            await db.FlushAsync(memtable);
            for (var i = 10; i < 30; i++)
            {
                await PutAsync(i, $"b{i}");
            }

            await DeleteAsync(5);
            await db.FlushAsync(memtable);
            for (var i = 20; i < 25; i++)
            {
                await PutAsync(i, $"e{i}");
            }

            await db.FlushAsync(memtable);
            for (var i = 2; i < 4; i++)
            {
                await PutAsync(i, $"f{i}");
            }

            await db.FlushAsync(memtable);
            await using (var compactor = await Compactor.Builder("db", store).WithOptions(new CompactorOptions { MaxSstSize = 120 }).WithSeed(5).WithPollingDisabled().StartAsync())
            {
                (await compactor.RunOnceAsync()).Should().ContainSingle();
            }

            for (var i = 30; i < 35; i++)
            {
                await PutAsync(i, $"c{i}");
            }

            await DeleteAsync(12);
            await db.FlushAsync(memtable);
            for (var i = 40; i < 45; i++)
            {
                await PutAsync(i, $"d{i}");
            }

            await PutAsync(0, "d0");
            await DeleteAsync(20);
            await db.FlushAsync(new FlushOptions { FlushType = FlushType.Wal });

            // Keep the objects as they are now: closing would flush the memtable and leave nothing only in the WAL.
            var objects = new Dictionary<string, byte[]>(StringComparer.Ordinal);
            await foreach (var item in store.ListAsync("db/", CancellationToken.None))
            {
                objects[item.Path] = (await store.GetAsync(item.Path, CancellationToken.None))!.Data.ToArray();
            }

            var manifestPath = objects.Keys.Where(path => path.StartsWith("db/manifest/", StringComparison.Ordinal)).Max(StringComparer.Ordinal)!;
            return new ManifestDamageSweep(objects, manifestPath, expected);
        }
        finally
        {
            try
            {
                await db.DisposeAsync();
            }
            catch (SlateDbException)
            {
            }
        }
    }

    /// <summary>A store holding the database with <paramref name="manifest"/> as its newest manifest.</summary>
    public async Task<InMemoryObjectStore> StoreWithAsync(byte[] manifest)
    {
        var store = new InMemoryObjectStore();
        foreach (var (path, bytes) in Objects)
        {
            await store.PutAsync(path, path == ManifestPath ? manifest : bytes, PutMode.Overwrite, CancellationToken.None);
        }

        return store;
    }

    /// <summary>Opens the database and reads every key (point reads, then one full scan).</summary>
    /// <returns>Null when everything read is exactly <see cref="Expected"/>; otherwise what differed.</returns>
    public async Task<string?> OpenAndReadAsync(IObjectStore store, CancellationToken cancellationToken)
    {
        var db = await SlateDb.Builder("db", store).WithOptions(Options).WithSeed(12).OpenAsync(cancellationToken);
        try
        {
            for (var i = 0; i < KeyCount; i++)
            {
                var value = await db.GetAsync(Key(i), cancellationToken: cancellationToken);
                var want = Expected.GetValueOrDefault(Key(i));
                if (!string.Equals(value, want, StringComparison.Ordinal))
                {
                    return $"{Key(i)} read as {value ?? "<none>"}, expected {want ?? "<none>"}";
                }
            }

            var scanned = new Dictionary<string, string>(StringComparer.Ordinal);
            await foreach (var row in db.ScanAsync(SlateDB.KeyRange.All, cancellationToken: cancellationToken))
            {
                scanned[System.Text.Encoding.UTF8.GetString(row.Key.Span)] = System.Text.Encoding.UTF8.GetString(row.Value.Span);
            }

            if (scanned.Count != Expected.Count || scanned.Any(pair => Expected.GetValueOrDefault(pair.Key) != pair.Value))
            {
                return $"a scan returned {scanned.Count} rows, expected {Expected.Count}";
            }

            return null;
        }
        finally
        {
            try
            {
                await db.DisposeAsync();
            }
            catch (SlateDbException)
            {
            }
        }
    }

    /// <summary>The manifest fields in which <paramref name="damaged"/> differs from <paramref name="original"/>.</summary>
    public static SortedSet<string> ChangedFields(DbManifest original, DbManifest damaged)
    {
        var changed = new SortedSet<string>(StringComparer.Ordinal);
        void Check(bool same, string field)
        {
            if (!same)
            {
                changed.Add(field);
            }
        }

        var (a, b) = (original.Core, damaged.Core);
        Check(original.WriterEpoch == damaged.WriterEpoch, "writer_epoch");
        Check(original.CompactorEpoch == damaged.CompactorEpoch, "compactor_epoch");
        Check(ModelEquality.Sequence(original.ExternalDbs, damaged.ExternalDbs), "external_dbs");
        Check(a.Initialized == b.Initialized, "initialized");
        Check(a.NextWalSstId == b.NextWalSstId, "wal_id_last_seen");
        Check(a.ReplayAfterWalId == b.ReplayAfterWalId, "replay_after_wal_id");
        Check(a.LastL0ClockTick == b.LastL0ClockTick, "last_l0_clock_tick");
        Check(a.LastL0Seq == b.LastL0Seq, "last_l0_seq");
        Check(a.RecentSnapshotMinSeq == b.RecentSnapshotMinSeq, "recent_snapshot_min_seq");
        Check(a.SequenceTracker.Equals(b.SequenceTracker), "sequence_tracker");
        Check(string.Equals(a.WalObjectStoreUri, b.WalObjectStoreUri, StringComparison.Ordinal), "wal_object_store_uri");
        Check(ModelEquality.Sequence(a.Segments, b.Segments) && a.SegmentExtractorName == b.SegmentExtractorName, "segments");
        Check(a.Tree.LastCompactedL0SstViewId == b.Tree.LastCompactedL0SstViewId, "l0_last_compacted");
        CompareViews(a.Tree.L0, b.Tree.L0, "l0", changed);
        Check(a.Tree.Compacted.Count == b.Tree.Compacted.Count, "compacted.count");
        for (var i = 0; i < Math.Min(a.Tree.Compacted.Count, b.Tree.Compacted.Count); i++)
        {
            Check(a.Tree.Compacted[i].Id == b.Tree.Compacted[i].Id, "compacted.id");
            CompareViews(a.Tree.Compacted[i].Views, b.Tree.Compacted[i].Views, "compacted", changed);
        }

        Check(a.Checkpoints.Count == b.Checkpoints.Count, "checkpoints.count");
        for (var i = 0; i < Math.Min(a.Checkpoints.Count, b.Checkpoints.Count); i++)
        {
            var (x, y) = (a.Checkpoints[i], b.Checkpoints[i]);
            Check(x.Id == y.Id, "checkpoint.id");
            Check(x.ManifestId == y.ManifestId, "checkpoint.manifest_id");
            Check(x.ExpireTime == y.ExpireTime, "checkpoint.expire_time");
            Check(x.CreateTime == y.CreateTime, "checkpoint.create_time");
            Check(x.Name == y.Name, "checkpoint.name");
        }

        return changed;
    }

    private static void CompareViews(IReadOnlyList<SsTableView> a, IReadOnlyList<SsTableView> b, string where, SortedSet<string> changed)
    {
        if (a.Count != b.Count)
        {
            changed.Add($"{where}.count");
        }

        for (var i = 0; i < Math.Min(a.Count, b.Count); i++)
        {
            var (x, y) = (a[i], b[i]);
            if (x.Id != y.Id || x.Sst.Id != y.Sst.Id)
            {
                changed.Add("sst.id");
            }

            if (x.Sst.FormatVersion != y.Sst.FormatVersion)
            {
                changed.Add("sst.format_version");
            }

            if (!Equals(x.VisibleRange, y.VisibleRange))
            {
                changed.Add("sst.visible_range");
            }

            var (xi, yi) = (x.Sst.Info, y.Sst.Info);
            if (!ModelEquality.Bytes(xi.FirstEntry, yi.FirstEntry))
            {
                changed.Add("sst.first_entry");
            }

            if (!ModelEquality.Bytes(xi.LastEntry, yi.LastEntry))
            {
                changed.Add("sst.last_entry");
            }

            if (!(xi with { FirstEntry = null, LastEntry = null }).Equals(yi with { FirstEntry = null, LastEntry = null }))
            {
                changed.Add("sst.info");
            }
        }
    }

    /// <summary>Decodes without the invariant checks (the model of what the damaged bytes say); null when they do not parse.</summary>
    public static DbManifest? TryDecode(byte[] bytes)
    {
        try
        {
            return ManifestCodec.Decode(bytes, "sweep");
        }
        catch (SlateDbException)
        {
            return null;
        }
    }
}
