using System.Collections.Concurrent;
using SlateDB.Format;
using SlateDB.Storage;
using Xunit.Abstractions;
using static SlateDB.Tests.Read.ReadTestKit;

namespace SlateDB.Tests.Read;

/// <summary>
/// Snapshots and iterators read one consistent state: the model at their sequence, whatever writes, deletes and
/// flushes happen meanwhile; disposed snapshots stop holding old versions back.
/// </summary>
public sealed class SnapshotTests(ITestOutputHelper output)
{
    private const int KeyCount = 150;

    private static byte[] Key(int i) => B($"key{i:D3}");

    [Fact]
    public async Task Snapshots_taken_under_concurrent_writes_and_flushes_read_the_state_at_their_sequence()
    {
        const int seed = 424_242;
        var store = new InMemoryObjectStore();
        await using var db = await SlateDb.Builder("db", store).WithOptions(TestOptions(l0SstSizeBytes: 8 * 1024, minFilterKeys: 8)).WithSeed(seed).OpenAsync();
        var log = new ConcurrentQueue<(long Seq, byte[] Key, byte[]? Value)>();
        var reads = new ConcurrentQueue<SnapshotRead>();
        var kept = new ConcurrentQueue<DbSnapshot>();
        using var stop = new CancellationTokenSource();

        var writers = Enumerable.Range(0, 3).Select(id => Task.Run(() => WriteRandomlyAsync(db, new Random(seed + id), id, n => n < 1_500, log))).ToArray();
        var flusher = Task.Run(async () =>
        {
            var flushes = 0;
            var flushedAt = 0;
            while (!stop.IsCancellationRequested)
            {
                if (log.Count - flushedAt >= 150)
                {
                    flushedAt = log.Count;
                    await FlushMemtableAsync(db);
                    flushes++;
                }
                else
                {
                    await Task.Delay(1);
                }
            }

            return flushes;
        });
        var readers = Enumerable.Range(0, 2).Select(id => Task.Run(async () =>
        {
            var r = new Random(seed + 100 + id);
            while (!stop.IsCancellationRequested)
            {
                var snapshot = db.Snapshot();
                reads.Enqueue(await ReadAsync(snapshot, r, "during writes"));
                if (r.Next(6) == 0)
                {
                    kept.Enqueue(snapshot);
                }
                else
                {
                    await snapshot.DisposeAsync();
                }

                await Task.Yield();
            }
        })).ToArray();

        await Task.WhenAll(writers);
        await stop.CancelAsync();
        var flushCount = await flusher;
        await Task.WhenAll(readers);

        // The snapshots kept alive read the same after more overwrites, deletes and flushes.
        await WriteRandomlyAsync(db, new Random(seed + 7), 9, n => n < 1_000, log);
        await FlushMemtableAsync(db);
        var random = new Random(seed + 8);
        foreach (var snapshot in kept)
        {
            reads.Enqueue(await ReadAsync(snapshot, random, "after later writes and flushes"));
            await snapshot.DisposeAsync();
        }

        var l0 = (await DbInspector.ManifestAsync(store)).Core.Tree.L0.Count;
        output.WriteLine($"{log.Count} writes, {reads.Count} snapshot reads ({kept.Count} kept to the end), {flushCount} explicit flushes, {l0} L0 SSTs");
        reads.Count.Should().BeGreaterThan(50);
        kept.Should().NotBeEmpty();
        l0.Should().BeGreaterThan(10);
        CheckAgainstModel(log, reads, seed);
    }

    [Fact]
    public async Task Snapshot_reads_ignore_later_overwrites_deletes_and_flushes()
    {
        var store = new InMemoryObjectStore();
        await using var db = await SlateDb.Builder("db", store).WithOptions(TestOptions(minFilterKeys: 10)).OpenAsync();
        for (var i = 0; i < 500; i++)
        {
            await db.PutAsync(Key(i), B($"old{i}"));
        }

        await FlushMemtableAsync(db);
        for (var i = 0; i < 500; i += 5)
        {
            await db.PutAsync(Key(i), B($"mem{i}"));
        }

        await using var snapshot = db.Snapshot();
        var expected = await ToListAsync(db.ScanAsync(KeyRange.All));
        for (var round = 0; round < 3; round++)
        {
            for (var i = 0; i < 500; i++)
            {
                if ((i + round) % 3 == 0)
                {
                    await db.DeleteAsync(Key(i));
                }
                else
                {
                    await db.PutAsync(Key(i), B($"new{round}-{i}"));
                }
            }

            await FlushMemtableAsync(db);
        }

        await db.PutAsync(B("key999"), B("later"));
        var ascending = await ToListAsync(snapshot.ScanAsync(KeyRange.All));
        Rows(ascending).Should().Equal(Rows(expected));
        var descending = await ToListAsync(snapshot.ScanAsync(KeyRange.All, new ScanOptions { Order = IterationOrder.Descending }));
        Rows(descending).Should().Equal(Rows(expected).AsEnumerable().Reverse());
        foreach (var row in expected)
        {
            (await snapshot.GetAsync(row.Key)).Should().Equal(row.Value.ToArray());
            (await snapshot.GetKeyValueAsync(row.Key))!.Sequence.Should().Be(row.Sequence).And.BeLessThanOrEqualTo(snapshot.Sequence);
        }

        (await snapshot.GetAsync(B("key999"))).Should().BeNull();
        (await db.GetAsync("key000")).Should().Be("new2-0");
        (await db.GetAsync("key001")).Should().BeNull("the last round deleted every key i with i + 2 divisible by 3");
        (await db.GetAsync("key002")).Should().Be("new2-2");
    }

    [Fact]
    public async Task A_live_snapshot_keeps_the_version_it_reads_and_a_disposed_one_stops_holding_it()
    {
        var store = new InMemoryObjectStore();
        await using var db = await SlateDb.Builder("db", store).WithOptions(TestOptions()).OpenAsync();
        var first = await db.PutAsync("k", "v1");
        var snapshot = db.Snapshot();
        await db.PutAsync("k", "v2");
        await db.PutAsync("k", "v3");
        await FlushMemtableAsync(db);

        // Kept: the newest version and the one the snapshot reads; v2 is shadowed for every reader.
        var rows = await DbInspector.L0RowsAsync(store);
        rows.Select(r => S(r.Value)).Should().Equal("v3", "v1");
        (await DbInspector.ManifestAsync(store)).Core.RecentSnapshotMinSeq.Should().Be((ulong)first.Sequence);
        (await snapshot.GetAsync(B("k"))).Should().Equal(B("v1"));

        await snapshot.DisposeAsync();
        await db.PutAsync("k", "v4");
        var last = await db.PutAsync("k", "v5");
        await FlushMemtableAsync(db);
        rows = await DbInspector.L0RowsAsync(store);
        rows.Select(r => S(r.Value)).Should().Equal("v5");
        (await DbInspector.ManifestAsync(store)).Core.RecentSnapshotMinSeq.Should().Be((ulong)last.Sequence, "no snapshot is left");
        await FluentActions.Awaiting(() => snapshot.GetAsync(B("k")).AsTask()).Should().ThrowAsync<ObjectDisposedException>();
    }

    [Fact]
    public async Task Versions_between_two_snapshots_are_kept_for_each_of_them_until_released()
    {
        var store = new InMemoryObjectStore();
        await using var db = await SlateDb.Builder("db", store).WithOptions(TestOptions()).OpenAsync();
        await db.PutAsync("k", "a");
        var older = db.Snapshot();
        await db.PutAsync("k", "b");
        await db.DeleteAsync("k");
        var newer = db.Snapshot();
        await db.PutAsync("k", "c");
        await FlushMemtableAsync(db);

        var rows = await DbInspector.L0RowsAsync(store);
        rows.Select(r => r.Kind == RowKind.Tombstone ? "<deleted>" : S(r.Value)).Should().Equal("c", "<deleted>", "a");
        (await older.GetAsync(B("k"))).Should().Equal(B("a"));
        (await newer.GetAsync(B("k"))).Should().BeNull();
        (await ToListAsync(newer.ScanAsync(KeyRange.All))).Should().BeEmpty();

        await newer.DisposeAsync();
        await db.PutAsync("k", "d");
        await FlushMemtableAsync(db);
        (await DbInspector.L0RowsAsync(store)).Select(r => S(r.Value)).Should().Equal("d");
        (await older.GetAsync(B("k"))).Should().Equal(B("a"), "the older snapshot still reads its version from the older L0 SST");
        await older.DisposeAsync();
    }

    [Fact]
    public async Task Iterators_read_the_state_of_their_creation_while_writes_and_flushes_continue()
    {
        const int seed = 5150;
        var store = new InMemoryObjectStore();
        await using var db = await SlateDb.Builder("db", store).WithOptions(TestOptions(l0SstSizeBytes: 4 * 1024, minFilterKeys: 8)).WithSeed(seed).OpenAsync();
        var random = new Random(seed);
        var model = new SortedDictionary<byte[], byte[]>(OrdinalBytes.Instance);
        for (var i = 0; i < KeyCount * 2; i++)
        {
            var key = Key(random.Next(KeyCount));
            var value = B($"v{i}");
            await db.PutAsync(key, value);
            model[key] = value;
        }

        await FlushMemtableAsync(db);
        for (var round = 0; round < 12; round++)
        {
            var order = round % 2 == 0 ? IterationOrder.Ascending : IterationOrder.Descending;
            var expected = order == IterationOrder.Ascending ? model.ToList() : model.Reverse().ToList();
            var options = new ScanOptions { Order = order, ReadAheadBytes = random.Next(2) == 0 ? 1 : 64 * 1024, MaxFetchTasks = 1 + random.Next(4) };
            await using var iterator = await db.CreateIteratorAsync(KeyRange.All, options);
            var seen = new List<KeyValuePair<byte[], byte[]>>();
            var writes = 0;

            // Between every few rows read: overwrites, deletes and a memtable flush (an L0 SST the iterator must not see).
            while (await iterator.NextAsync() is { } row)
            {
                seen.Add(new(row.Key.ToArray(), row.Value.ToArray()));
                if (seen.Count % 7 != 0)
                {
                    continue;
                }

                for (var n = 0; n < 30; n++, writes++)
                {
                    var key = Key(random.Next(KeyCount));
                    if (random.Next(4) == 0)
                    {
                        await db.DeleteAsync(key);
                        model.Remove(key);
                    }
                    else
                    {
                        var value = B($"r{round}-{writes}");
                        await db.PutAsync(key, value);
                        model[key] = value;
                    }
                }

                await FlushMemtableAsync(db);
            }

            writes.Should().BeGreaterThan(300);
            seen.Select(p => Hex(p.Key) + "=" + S(p.Value)).Should().Equal(expected.Select(p => Hex(p.Key) + "=" + S(p.Value)), "seed {0}, round {1} ({2})", seed, round, order);
        }
    }

    /// <summary>Random puts, deletes and batches over <see cref="KeyCount"/> keys; each committed change is logged with its sequence.</summary>
    private static async Task WriteRandomlyAsync(SlateDb db, Random r, int writer, Func<int, bool> more, ConcurrentQueue<(long Seq, byte[] Key, byte[]? Value)> log)
    {
        for (var n = 0; more(n); n++)
        {
            var dice = r.Next(10);
            if (dice < 6)
            {
                var key = Key(r.Next(KeyCount));
                var value = B($"w{writer}-{n}");
                var handle = await db.PutAsync(key, value);
                log.Enqueue((handle.Sequence, key, value));
            }
            else if (dice < 8)
            {
                var key = Key(r.Next(KeyCount));
                var handle = await db.DeleteAsync(key);
                log.Enqueue((handle.Sequence, key, null));
            }
            else
            {
                var batch = new WriteBatch();
                var changes = new Dictionary<int, byte[]?>();
                for (var i = r.Next(2, 7); i > 0; i--)
                {
                    var k = r.Next(KeyCount);
                    var value = r.Next(4) == 0 ? null : B($"w{writer}-{n}-{i}");
                    if (value is null)
                    {
                        batch.Delete(Key(k));
                    }
                    else
                    {
                        batch.Put(Key(k), value);
                    }

                    changes[k] = value;
                }

                var handle = await db.WriteAsync(batch);
                foreach (var (k, value) in changes)
                {
                    log.Enqueue((handle.Sequence, Key(k), value));
                }
            }

            if (n % 25 == 24)
            {
                // Let readers in: they take snapshots between these writes.
                await Task.Delay(1);
            }
        }
    }

    /// <summary>A full scan (random order), a seek-and-read through an iterator, and a few gets through one snapshot.</summary>
    private static async Task<SnapshotRead> ReadAsync(DbSnapshot snapshot, Random r, string when)
    {
        var order = r.Next(2) == 0 ? IterationOrder.Ascending : IterationOrder.Descending;
        var scan = await ToListAsync(snapshot.ScanAsync(KeyRange.All, new ScanOptions { Order = order, ReadAheadBytes = r.Next(2) == 0 ? 1 : 32 * 1024 }));
        var from = r.Next(KeyCount);
        var seekTo = from + r.Next(KeyCount - from);
        var iterated = new List<KeyValue>();
        await using (var iterator = await snapshot.CreateIteratorAsync(KeyRange.From(Key(from))))
        {
            if (await iterator.NextAsync() is { } first)
            {
                iterated.Add(first);
            }

            var target = Key(seekTo);
            if (iterated.Count == 0 || iterated[0].Key.Span.SequenceCompareTo(target) < 0)
            {
                await iterator.SeekAsync(target);
            }

            while (await iterator.NextAsync() is { } row)
            {
                iterated.Add(row);
            }
        }

        var gets = new List<(byte[] Key, KeyValue? Found)>();
        for (var i = 0; i < 5; i++)
        {
            var key = Key(r.Next(KeyCount));
            gets.Add((key, await snapshot.GetKeyValueAsync(key)));
        }

        return new SnapshotRead(snapshot.Sequence, when, order, scan, from, seekTo, iterated, gets);
    }

    private static void CheckAgainstModel(IEnumerable<(long Seq, byte[] Key, byte[]? Value)> log, IEnumerable<SnapshotRead> reads, int seed)
    {
        var changes = log.OrderBy(c => c.Seq).ToList();
        var model = new SortedDictionary<byte[], (byte[] Value, long Seq)>(OrdinalBytes.Instance);
        var applied = 0;
        foreach (var read in reads.OrderBy(r => r.Seq))
        {
            while (applied < changes.Count && changes[applied].Seq <= read.Seq)
            {
                var (seq, key, value) = changes[applied++];
                if (value is null)
                {
                    model.Remove(key);
                }
                else
                {
                    model[key] = (value, seq);
                }
            }

            var because = $"seed {seed}: snapshot at {read.Seq} read {read.When}";
            var all = model.Select(p => $"{S(p.Key)}={S(p.Value.Value)}@{p.Value.Seq}").ToList();
            if (read.Order == IterationOrder.Descending)
            {
                all.Reverse();
            }

            read.Scan.Select(Describe).Should().Equal(all, because + $" (scan, {read.Order})");

            // The iterator: the first key at or after `from`, then everything at or after the seek target.
            var from = Key(read.From);
            var target = Key(read.SeekTo);
            var inRange = model.Where(p => p.Key.AsSpan().SequenceCompareTo(from) >= 0).ToList();
            var expectedIterated = inRange.Take(1).Concat(inRange.Skip(1).Where(p => p.Key.AsSpan().SequenceCompareTo(target) >= 0));
            read.Iterated.Select(Describe).Should().Equal(expectedIterated.Select(p => $"{S(p.Key)}={S(p.Value.Value)}@{p.Value.Seq}"), because + " (iterator with a seek)");

            foreach (var (key, found) in read.Gets)
            {
                var expected = model.TryGetValue(key, out var entry) ? $"{S(key)}={S(entry.Value)}@{entry.Seq}" : null;
                (found is null ? null : Describe(found)).Should().Be(expected, because + $" (get {S(key)})");
            }
        }
    }

    private static string Describe(KeyValue row) => $"{S(row.Key)}={S(row.Value)}@{row.Sequence}";

    private static List<string> Rows(List<KeyValue> rows) => rows.Select(Describe).ToList();

    private sealed record SnapshotRead(long Seq, string When, IterationOrder Order, List<KeyValue> Scan, int From, int SeekTo, List<KeyValue> Iterated, List<(byte[] Key, KeyValue? Found)> Gets);
}
