using SlateDB.Caching;
using static SlateDB.Tests.Read.ReadTestKit;

namespace SlateDB.Tests.Read;

/// <summary>
/// One seeded run of the scan model test: random puts, deletes, batches, memtable flushes and reopens, interleaved
/// with scans, iterators (with seeks) and point gets whose results must equal a sorted dictionary's.
/// </summary>
internal sealed class ScanModelRun(TestStore store, int seed) : IAsyncDisposable
{
    private static readonly byte[] s_alphabet = [0x00, 0x01, 0x41, 0x42, 0x7F, 0x80, 0xFE, 0xFF];

    private readonly Random _r = new(seed);
    private readonly SortedDictionary<byte[], (byte[] Value, long Seq)> _model = new(OrdinalBytes.Instance);
    private readonly List<byte[]> _written = [];
    private readonly MemoryBlockCache _cache = store.Kind == "local" ? new MemoryBlockCache(256 * 1024, 1024 * 1024) : new MemoryBlockCache();
    private readonly Queue<string> _trail = new();
    private SlateDb? _db;
    private int _step;

    public int Scans { get; private set; }

    public int Iterators { get; private set; }

    public int Seeks { get; private set; }

    public int InvalidSeeks { get; private set; }

    public int Reopens { get; private set; }

    public int Flushes { get; private set; }

    private SlateDb Db => _db!;

    /// <summary>Names the failing run (seed, store, step) and its last operations, so a failure can be replayed.</summary>
    private LazyText Because => new(() => $"seed {seed} ({store.Kind} store), step {_step} (last operations: {string.Join("; ", _trail)})");

    private void Trace(string operation)
    {
        if (_trail.Count == 40)
        {
            _trail.Dequeue();
        }

        _trail.Enqueue($"{_step}: {operation}");
    }

    /// <summary>The open database (for diagnosing a failed run stopped with <c>stopAfterStep</c>).</summary>
    public SlateDb Database => Db;

    public async Task RunAsync(int targetScans, int stopAfterStep = int.MaxValue)
    {
        _db = await OpenAsync();
        while (Scans < targetScans)
        {
            if (_step == stopAfterStep)
            {
                return;
            }

            _step++;
            var dice = _r.Next(1000);
            if (dice < 380)
            {
                await PutAsync();
            }
            else if (dice < 480)
            {
                await DeleteAsync();
            }
            else if (dice < 530)
            {
                await BatchAsync();
            }
            else if (dice < 533)
            {
                Trace("flush");
                await FlushMemtableAsync(Db);
                Flushes++;
            }
            else if (dice < 534)
            {
                await ReopenAsync();
            }
            else if (dice < 580)
            {
                await CheckGetAsync();
            }
            else if (dice < 660)
            {
                await CheckIteratorAsync();
            }
            else
            {
                await CheckScanAsync();
            }
        }

        // Everything must also survive a final reopen, read in both orders.
        await ReopenAsync();
        await CheckScanAsync(new ModelRange(KeyRange.All, null, false, null, false, null, "All after reopen"), IterationOrder.Ascending);
        await CheckScanAsync(new ModelRange(KeyRange.All, null, false, null, false, null, "All after reopen"), IterationOrder.Descending);
    }

    public async ValueTask DisposeAsync()
    {
        if (_db is not null)
        {
            await _db.DisposeAsync();
        }

        _cache.Dispose();
    }

    private Task<SlateDb> OpenAsync() =>
        SlateDb.Builder("model", store.Open())
            .WithOptions(TestOptions(l0SstSizeBytes: 24 * 1024, minFilterKeys: 16))
            .WithBlockCache(_cache)
            .WithSeed(seed + Reopens) // a seed per open: reusing one would mint the same SST ids again
            .OpenAsync();

    private async Task ReopenAsync()
    {
        Trace("reopen");
        await Db.DisposeAsync();
        _db = await OpenAsync();
        Reopens++;
    }

    private byte[] RandomKey()
    {
        var dice = _r.Next(100);
        var length = dice < 5 ? 1 : dice < 20 ? 2 : dice < 70 ? 3 : 4;
        var key = new byte[length];
        for (var i = 0; i < length; i++)
        {
            key[i] = s_alphabet[_r.Next(s_alphabet.Length)];
        }

        return key;
    }

    /// <summary>A key for a bound or a seek: one written before (maybe deleted since) or a fresh random one.</summary>
    private byte[] BoundKey() => _written.Count > 0 && _r.Next(2) == 0 ? _written[_r.Next(_written.Count)] : RandomKey();

    private byte[] PrefixKey()
    {
        switch (_r.Next(6))
        {
            case 0:
                return [0xFF];
            case 1:
                return [0xFF, 0xFF];
            case 2:
                return [s_alphabet[_r.Next(s_alphabet.Length)], 0xFF];
            default:
                var key = RandomKey();
                return key[..Math.Min(key.Length, _r.Next(4))];
        }
    }

    private byte[] RandomValue()
    {
        var value = new byte[_r.Next(41)];
        _r.NextBytes(value);
        return value;
    }

    private async Task PutAsync()
    {
        var key = _r.Next(3) == 0 && _written.Count > 0 ? _written[_r.Next(_written.Count)] : RandomKey();
        var value = RandomValue();
        var handle = await Db.PutAsync(key, value);
        _model[key] = (value, handle.Sequence);
        _written.Add(key);
        Trace($"put {Hex(key)}@{handle.Sequence}");
    }

    private async Task DeleteAsync()
    {
        var key = _r.Next(10) < 7 && _written.Count > 0 ? _written[_r.Next(_written.Count)] : RandomKey();
        var handle = await Db.DeleteAsync(key);
        _model.Remove(key);
        Trace($"delete {Hex(key)}@{handle.Sequence}");
    }

    private async Task BatchAsync()
    {
        var batch = new WriteBatch();
        var changes = new List<(byte[] Key, byte[]? Value)>();
        for (var i = _r.Next(1, 12); i > 0; i--)
        {
            // Reuse keys of this batch now and then: the last operation on a key wins.
            var key = changes.Count > 0 && _r.Next(5) == 0 ? changes[_r.Next(changes.Count)].Key : BoundKey();
            if (_r.Next(4) == 0)
            {
                batch.Delete(key);
                changes.Add((key, null));
            }
            else
            {
                var value = RandomValue();
                batch.Put(key, value);
                changes.Add((key, value));
            }
        }

        var handle = await Db.WriteAsync(batch);
        Trace($"batch@{handle.Sequence} " + string.Join(",", changes.Select(c => (c.Value is null ? "-" : "+") + Hex(c.Key))));
        foreach (var (key, value) in changes)
        {
            if (value is null)
            {
                _model.Remove(key);
            }
            else
            {
                _model[key] = (value, handle.Sequence);
                _written.Add(key);
            }
        }
    }

    private async Task CheckGetAsync()
    {
        var key = BoundKey();
        var found = await Db.GetKeyValueAsync(key);
        if (_model.TryGetValue(key, out var expected))
        {
            found.Should().NotBeNull("{0}: key {1} is in the model", Because, Hex(key));
            found!.Value.ToArray().Should().Equal(expected.Value, "{0}: value of {1}", Because, Hex(key));
            found.Sequence.Should().Be(expected.Seq, "{0}: sequence of {1}", Because, Hex(key));
        }
        else
        {
            found.Should().BeNull("{0}: key {1} is not in the model", Because, Hex(key));
        }
    }

    private ScanOptions RandomScanOptions(IterationOrder order) => new()
    {
        Order = order,
        ReadAheadBytes = _r.Next(5) switch { 0 => 1, 1 => 512, 2 => 4096, 3 => 20_000, _ => 1 << 20 },
        MaxFetchTasks = _r.Next(4) switch { 0 => 1, 1 => 2, 2 => 3, _ => 8 },
        CacheBlocks = _r.Next(2) == 0,
        MaxReadAheadBytes = _r.Next(3) switch { 0 => 0, 1 => 10_000, _ => ScanOptions.DefaultMaxReadAheadBytes },
    };

    private List<(byte[] Key, byte[] Value, long Seq)> Expected(ModelRange range, IterationOrder order)
    {
        var rows = new List<(byte[], byte[], long)>();
        foreach (var (key, (value, seq)) in _model)
        {
            if (range.Contains(key))
            {
                rows.Add((key, value, seq));
            }
        }

        if (order == IterationOrder.Descending)
        {
            rows.Reverse();
        }

        return rows;
    }

    private Task CheckScanAsync() =>
        CheckScanAsync(ModelRange.Random(_r, BoundKey, PrefixKey), _r.Next(2) == 0 ? IterationOrder.Ascending : IterationOrder.Descending);

    private async Task CheckScanAsync(ModelRange range, IterationOrder order)
    {
        Scans++;
        var options = RandomScanOptions(order);
        var scan = range.Prefix is not null && _r.Next(2) == 0 ? Db.ScanPrefixAsync(range.Prefix, options) : Db.ScanAsync(range.Range, options);
        var actual = await ToListAsync(scan);
        var expected = Expected(range, order);
        string? mismatch = null;
        for (var i = 0; i < Math.Min(actual.Count, expected.Count) && mismatch is null; i++)
        {
            var (key, value, seq) = expected[i];
            if (!actual[i].Key.Span.SequenceEqual(key) || !actual[i].Value.Span.SequenceEqual(value) || actual[i].Sequence != seq)
            {
                mismatch = $"row {i}: expected {Hex(key)}={Hex(value)}@{seq}, got {Hex(actual[i].Key.Span)}={Hex(actual[i].Value.Span)}@{actual[i].Sequence}";
            }
        }

        mismatch.Should().BeNull("{0}: scan {1} {2}", Because, range, options);
        actual.Should().HaveCount(expected.Count, "{0}: scan {1} {2}", Because, range, options);
    }

    private async Task CheckIteratorAsync()
    {
        Iterators++;
        var range = ModelRange.Random(_r, BoundKey, PrefixKey);
        var order = _r.Next(2) == 0 ? IterationOrder.Ascending : IterationOrder.Descending;
        var ascending = order == IterationOrder.Ascending;
        var options = RandomScanOptions(order);
        var expected = Expected(range, order);
        var context = $"{range} {order}";
        await using var iterator = await Db.CreateIteratorAsync(range.Range, options);
        var position = 0;
        byte[]? last = null;
        for (var action = _r.Next(1, 30); action > 0; action--)
        {
            if (_r.Next(3) == 0)
            {
                // Mostly a key still ahead (valid); otherwise any key, which may be behind or out of range.
                var target = expected.Count > position && _r.Next(3) != 0 ? expected[_r.Next(position, expected.Count)].Key : BoundKey();
                var ahead = last is null || (ascending ? target.AsSpan().SequenceCompareTo(last) > 0 : target.AsSpan().SequenceCompareTo(last) < 0);
                if (range.Contains(target) && ahead)
                {
                    Seeks++;
                    await iterator.SeekAsync(target);
                    position = expected.FindIndex(row => ascending ? row.Key.AsSpan().SequenceCompareTo(target) >= 0 : row.Key.AsSpan().SequenceCompareTo(target) <= 0);
                    position = position < 0 ? expected.Count : position;
                    context += $" seek({Hex(target)})";
                }
                else
                {
                    InvalidSeeks++;
                    var error = await FluentActions.Awaiting(() => iterator.SeekAsync(target).AsTask())
                        .Should().ThrowAsync<SlateDbException>("{0}: seek to {1} ({2}) after {3} in {4}", Because, Hex(target), range.Contains(target) ? "behind" : "out of range", Hex(last), context);
                    error.Which.Kind.Should().Be(SlateDbErrorKind.Invalid);
                }

                continue;
            }

            var next = await iterator.NextAsync();
            if (position < expected.Count)
            {
                var (key, value, seq) = expected[position++];
                next.Should().NotBeNull("{0}: iterator {1} should return {2}", Because, context, Hex(key));
                next!.Key.ToArray().Should().Equal(key, "{0}: iterator {1}", Because, context);
                next.Value.ToArray().Should().Equal(value, "{0}: iterator {1} value of {2}", Because, context, Hex(key));
                next.Sequence.Should().Be(seq, "{0}: iterator {1} sequence of {2}", Because, context, Hex(key));
                last = key;
                context += $" next({Hex(key)})";
            }
            else
            {
                next.Should().BeNull("{0}: iterator {1} should be at its end", Because, context);
            }
        }
    }

    /// <summary>Text built only when an assertion fails and formats its reason.</summary>
    private sealed class LazyText(Func<string> text)
    {
        public override string ToString() => text();
    }
}
