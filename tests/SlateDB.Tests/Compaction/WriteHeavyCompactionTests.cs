using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using SlateDB.Format;
using SlateDB.Manifest;
using SlateDB.Sst;
using SlateDB.Storage;
using Xunit.Abstractions;

namespace SlateDB.Tests.Compaction;

/// <summary>
/// A write-heavy run with the embedded compactor: tiny L0 SSTs and output SSTs, a small memory budget (writers wait on
/// flushes, flushes wait on L0 room, L0 room waits on compaction). L0 stays within its limit, sorted runs form, every
/// key ends as the model says, and after a full compaction the referenced SSTs are close to the size of the live data.
/// </summary>
public sealed class WriteHeavyCompactionTests(ITestOutputHelper output)
{
    /// <summary>About 95 s on a heavily loaded 2-core machine (about 2.4M operations; see the test output for the figures).</summary>
    [Fact]
    public Task Write_heavy_run_of_2M_keys() => RunAsync(keyCount: 2_000_000, seed: 20_260_302);

    /// <summary>
    /// The same run, smaller, with subcompactions (4 ranges) and a compaction filter that deletes every tenth key
    /// (a tombstone) and upper-cases the value of every key after one; after a full compaction the model, rewritten
    /// the same way, agrees.
    /// </summary>
    [Fact]
    public Task Write_heavy_run_with_a_compaction_filter_and_subcompactions() => RunAsync(keyCount: 200_000, seed: 20_261_206, filtered: true);

    /// <summary>The index a key was made from.</summary>
    private static int IndexOf(ReadOnlySpan<byte> key) => BinaryPrimitives.ReadInt32BigEndian(key[5..]);

    /// <summary>What the model filter does to key i: 0 keep, 1 tombstone, 2 upper-case the value.</summary>
    private static int FilterActionOf(int i) => (i % 10) switch { 0 => 1, 1 => 2, _ => 0 };

    private sealed class ModelFilter : SlateDB.Compaction.ICompactionFilterSupplier, SlateDB.Compaction.ICompactionFilter
    {
        public long Offered;

        public ValueTask<SlateDB.Compaction.ICompactionFilter> CreateFilterAsync(SlateDB.Compaction.CompactionJobContext context, CancellationToken cancellationToken) =>
            ValueTask.FromResult<SlateDB.Compaction.ICompactionFilter>(this);

        public ValueTask<SlateDB.Compaction.CompactionFilterDecision> FilterAsync(SlateDB.Compaction.CompactionFilterEntry entry, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Offered);
            if (entry.Kind != WalRowKind.Value)
            {
                return ValueTask.FromResult(SlateDB.Compaction.CompactionFilterDecision.Keep);
            }

            return ValueTask.FromResult(FilterActionOf(IndexOf(entry.Key.Span)) switch
            {
                1 => SlateDB.Compaction.CompactionFilterDecision.ToTombstone,
                2 => SlateDB.Compaction.CompactionFilterDecision.ModifyValue(Encoding.ASCII.GetBytes(Encoding.ASCII.GetString(entry.Value.Span).ToUpperInvariant())),
                _ => SlateDB.Compaction.CompactionFilterDecision.Keep,
            });
        }

        public ValueTask OnCompactionEndAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }

    /// <summary>Key i in a scattered order, so every L0 SST spans the whole key space (the hard case for compaction).</summary>
    private static byte[] KeyOf(int i)
    {
        var key = new byte[9];
        key[0] = (byte)'k';
        BinaryPrimitives.WriteUInt32BigEndian(key.AsSpan(1), unchecked((uint)i * 2_654_435_761u));
        BinaryPrimitives.WriteInt32BigEndian(key.AsSpan(5), i);
        return key;
    }

    private static byte[] ValueOf(int i, int version) => Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"value-{i}-{version}"));

    private async Task RunAsync(int keyCount, int seed, bool filtered = false)
    {
        var random = new Random(seed);
        var store = new InMemoryObjectStore();
        var options = SlateDbOptions.Default with
        {
            FlushInterval = null,
            GarbageCollectorOptions = null,
            L0SstSizeBytes = 256 * 1024,
            MaxUnflushedBytes = 3 * 1024 * 1024,
            L0MaxSsts = 8,
            CompactorOptions = new CompactorOptions
            {
                PollInterval = TimeSpan.FromMilliseconds(100),
                MaxSstSize = filtered ? 256 * 1024 : 1024 * 1024,
                Worker = new CompactionWorkerOptions { MaxSubcompactions = 4 },
            },
        };
        var manifests = new ManifestStore(store, new DbPaths("db"));
        var versions = new int[keyCount]; // 0: never written; > 0: value version; < 0: deleted
        var total = Stopwatch.StartNew();
        var sampler = new Sampler(store, manifests, options.L0MaxSsts);

        var filter = new ModelFilter();
        var builder = SlateDb.Builder("db", store).WithOptions(options).WithSeed(seed);
        if (filtered)
        {
            builder = builder.WithCompactionFilterSupplier(filter);
        }

        await using (var db = await builder.OpenAsync())
        {
            using var stop = new CancellationTokenSource();
            var sampling = sampler.RunAsync(stop.Token);
            var written = 0;
            long operations = 0;
            while (written < keyCount)
            {
                var batch = new WriteBatch();
                for (var n = 0; n < 1000 && written < keyCount; n++)
                {
                    var roll = random.Next(100);
                    if (roll < 85 || written < 1000)
                    {
                        versions[written] = 1;
                        batch.Put(KeyOf(written), ValueOf(written, 1));
                        written++;
                    }
                    else
                    {
                        var i = random.Next(written);
                        if (roll < 95)
                        {
                            versions[i] = Math.Abs(versions[i]) + 1;
                            batch.Put(KeyOf(i), ValueOf(i, versions[i]));
                        }
                        else
                        {
                            versions[i] = -Math.Abs(versions[i]);
                            batch.Delete(KeyOf(i));
                        }
                    }

                    operations++;
                }

                await db.WriteAsync(batch);
            }

            var writeTime = total.Elapsed;
            await db.FlushAsync(new FlushOptions { FlushType = FlushType.MemTable });
            await stop.CancelAsync();
            await sampling;
            var afterWrites = (await manifests.ReadLatestAsync(CancellationToken.None))!.Value.Manifest.Core.Tree;
            output.WriteLine($"seed {seed}: {keyCount:N0} keys, {operations:N0} operations written in {writeTime.TotalSeconds:F1} s; "
                + $"{sampler.Samples} manifest samples, L0 at most {sampler.MaxL0}, L0 full in {sampler.FullSamples} samples, "
                + $"up to {sampler.MaxRuns} sorted runs; now {afterWrites.L0.Count} L0, runs [{string.Join(",", afterWrites.Compacted.Select(r => $"{r.Id}:{r.Views.Count}"))}]; "
                + $"{sampler.DeletedObjects:N0} dead objects deleted by the test");

            sampler.Problems.Should().BeEmpty($"the tree stays well formed (seed {seed})");
            sampler.MaxL0.Should().BeLessThanOrEqualTo(options.L0MaxSsts, $"seed {seed}");
            sampler.MaxRuns.Should().BePositive($"sorted runs form (seed {seed})");
            afterWrites.Compacted.Should().NotBeEmpty();

            if (!filtered)
            {
                // With the filter, what reads see depends on which rows were compacted yet: checked after the full compaction.
                var verify = Stopwatch.StartNew();
                await VerifyAsync(db, versions, seed, filtered);
                output.WriteLine($"verified every key by scan in {verify.Elapsed.TotalSeconds:F1} s");
            }

            var fullWatch = Stopwatch.StartNew();
            var full = await db.CompactFullAsync();
            full.Should().NotBeNull();
            output.WriteLine($"full compaction of {full!.InputBytes:N0} bytes into {full.OutputSsts} SSTs in {fullWatch.Elapsed.TotalSeconds:F1} s "
                + $"({full.InputBytes / 1e6 / full.Duration.TotalSeconds:F0} MB/s of input, {full.Subcompactions} subcompactions); filter offered {filter.Offered:N0} rows");
            full.Subcompactions.Should().BeGreaterThan(1);
            var tree = (await manifests.ReadLatestAsync(CancellationToken.None))!.Value.Manifest.Core.Tree;
            tree.L0.Should().BeEmpty();
            tree.Compacted.Should().ContainSingle();

            long referenced = 0;
            foreach (var view in tree.AllViews)
            {
                referenced += (await store.HeadAsync(new DbPaths("db").SstPath(view.Sst.Id), CancellationToken.None))!.Size;
            }

            var live = LiveEncodedSize(versions, SstBuildSettings.From(options), options.CompactorOptions.MaxSstSize, out var liveRaw);
            output.WriteLine($"referenced SSTs after full compaction: {referenced:N0} bytes; live data encoded alone: {live:N0} bytes "
                + $"(ratio {(double)referenced / live:F3}); raw keys and values {liveRaw:N0} bytes");
            if (!filtered)
            {
                // (the filter's tombstones are written into the last run, so the live size does not bound it)
                referenced.Should().BeLessThanOrEqualTo((long)(1.3 * live), $"seed {seed}");
            }
            else
            {
                filter.Offered.Should().BePositive();
            }

            await db.RefreshManifestAsync(CancellationToken.None);
            await VerifyAsync(db, versions, seed, filtered);
        }

        output.WriteLine($"total {total.Elapsed.TotalSeconds:F1} s");
    }

    private static async Task VerifyAsync(SlateDb db, int[] versions, int seed, bool filtered)
    {
        var expected = new SortedDictionary<byte[], int>(CompactionTestKit.ByteComparer.Instance);
        for (var i = 0; i < versions.Length; i++)
        {
            if (versions[i] > 0 && !(filtered && FilterActionOf(i) == 1))
            {
                expected[KeyOf(i)] = i;
            }
        }

        // Compare by hand and assert once: an assertion per key would dominate the run.
        using var next = expected.GetEnumerator();
        var count = 0;
        string? mismatch = null;
        await foreach (var item in db.ScanAsync(KeyRange.All))
        {
            if (!next.MoveNext())
            {
                mismatch ??= $"extra key {Convert.ToHexString(item.Key.Span)}";
                break;
            }

            var i = next.Current.Value;
            if (!item.Key.Span.SequenceEqual(next.Current.Key))
            {
                mismatch ??= $"key #{count}: found {Convert.ToHexString(item.Key.Span)}, expected key {i} ({Convert.ToHexString(next.Current.Key)})";
                break;
            }

            var value = ExpectedValue(i, versions[i], filtered);
            if (!item.Value.Span.SequenceEqual(value))
            {
                mismatch ??= $"key {i}: found '{Encoding.ASCII.GetString(item.Value.Span)}', expected version {versions[i]}";
            }

            count++;
        }

        if (mismatch is null && next.MoveNext())
        {
            mismatch = $"key {next.Current.Value} is lost (scanned {count})";
        }

        for (var i = 0; i < versions.Length && mismatch is null; i += Math.Max(1, versions.Length / 500))
        {
            var value = await db.GetAsync(KeyOf(i));
            var live = versions[i] > 0 && !(filtered && FilterActionOf(i) == 1);
            var wanted = live ? ExpectedValue(i, versions[i], filtered) : null;
            var ok = live ? value is not null && value.AsSpan().SequenceEqual(wanted) : value is null;
            if (!ok)
            {
                mismatch = $"point read of key {i} (version {versions[i]}) returned {(value is null ? "nothing" : Encoding.ASCII.GetString(value))}";
            }
        }

        mismatch.Should().BeNull($"every key matches the model (seed {seed}, {count} keys scanned)");
    }

    /// <summary>The value the model expects for key i at a version (upper-cased where the filter rewrites it).</summary>
    private static byte[] ExpectedValue(int i, int version, bool filtered) =>
        filtered && FilterActionOf(i) == 2 ? Encoding.ASCII.GetBytes(Encoding.ASCII.GetString(ValueOf(i, version)).ToUpperInvariant()) : ValueOf(i, version);

    /// <summary>The size of the live rows (newest version of each live key) written alone as SSTs cut like the compactor's.</summary>
    private static long LiveEncodedSize(int[] versions, SstBuildSettings settings, long maxSstSize, out long raw)
    {
        var live = new SortedDictionary<byte[], int>(CompactionTestKit.ByteComparer.Instance);
        for (var i = 0; i < versions.Length; i++)
        {
            if (versions[i] > 0)
            {
                live[KeyOf(i)] = i;
            }
        }

        long total = 0;
        raw = 0;
        var builder = new SstBuilder(settings, SstKind.Compacted);
        foreach (var (key, i) in live)
        {
            if (builder.RowCount > 0 && builder.EstimatedSize >= maxSstSize)
            {
                total += builder.Finish().Bytes.Length;
                builder = new SstBuilder(settings, SstKind.Compacted);
            }

            var value = ValueOf(i, versions[i]);
            raw += key.Length + value.Length;
            builder.Add(RowEntry.Put(key, value, 1, createTs: 0));
        }

        total += builder.Finish().Bytes.Length;
        return total;
    }

    /// <summary>
    /// Samples the manifest while the database runs: L0 size, sorted runs, tree shape. Also plays garbage collector for
    /// the test's memory: deletes WAL objects already in L0 and SSTs that a sampled manifest referenced and the newest
    /// no longer does (their compaction committed; nothing reads them here).
    /// </summary>
    private sealed class Sampler(InMemoryObjectStore store, ManifestStore manifests, int l0Max)
    {
        private readonly HashSet<string> _seen = [];
        private ulong _walDeletedUpTo;

        public int Samples { get; private set; }

        public int MaxL0 { get; private set; }

        public int FullSamples { get; private set; }

        public int MaxRuns { get; private set; }

        public long DeletedObjects { get; private set; }

        public List<string> Problems { get; } = [];

        public async Task RunAsync(CancellationToken token)
        {
            var paths = new DbPaths("db");
            while (!token.IsCancellationRequested)
            {
                var manifest = (await manifests.ReadLatestAsync(CancellationToken.None))!.Value.Manifest;
                var tree = manifest.Core.Tree;
                Samples++;
                MaxL0 = Math.Max(MaxL0, tree.L0.Count);
                MaxRuns = Math.Max(MaxRuns, tree.Compacted.Count);
                if (tree.L0.Count >= l0Max)
                {
                    FullSamples++;
                }

                for (var i = 1; i < tree.Compacted.Count; i++)
                {
                    if (tree.Compacted[i].Id >= tree.Compacted[i - 1].Id)
                    {
                        Problems.Add($"sorted runs out of order: {string.Join(",", tree.Compacted.Select(r => r.Id))}");
                    }
                }

                var live = tree.AllViews.Select(view => paths.SstPath(view.Sst.Id)).ToHashSet();
                foreach (var gone in _seen.Where(path => !live.Contains(path)).ToArray())
                {
                    await store.DeleteAsync(gone, CancellationToken.None);
                    _seen.Remove(gone);
                    DeletedObjects++;
                }

                _seen.UnionWith(live);
                for (; _walDeletedUpTo < manifest.Core.ReplayAfterWalId; _walDeletedUpTo++)
                {
                    await store.DeleteAsync(paths.WalSstPath(_walDeletedUpTo + 1), CancellationToken.None);
                    DeletedObjects++;
                }

                try
                {
                    await Task.Delay(25, token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }
}
