using System.Collections.Immutable;
using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using SlateDB.Storage;
using Xunit.Abstractions;
using static SlateDB.Tests.Engine.EngineTestSupport;

namespace SlateDB.Tests.Merge;

/// <summary>
/// One seeded run of random puts, merges (some with a TTL), deletes, batches mixing all three on repeated keys, reads
/// (get, scans, snapshot gets and scans), WAL and memtable flushes, full compactions, clean reopens and time steps,
/// against a model that keeps each key's base value and its operands (each with its expiry) and applies the
/// operator (an order-sensitive append) at read time.
/// </summary>
internal sealed class MergeModelRun
{
    private const int KeyCount = 150;
    private const char Separator = ',';

    private readonly int _seed;
    private readonly Random _random;
    private readonly IObjectStore _store;
    private readonly ITestOutputHelper _output;
    private readonly FakeTimeProvider _time = NewFakeTime();
    private readonly SlateDbOptions _options;
    private readonly IMergeOperator _operator = MergeOperators.Append(Separator.ToString());
    private readonly string[] _keys = Enumerable.Range(0, KeyCount).Select(i => $"k{i:D4}").ToArray();
    private readonly List<(DbSnapshot Snapshot, Dictionary<string, Entry> Model)> _snapshots = [];
    private readonly Dictionary<string, int> _counts = [];
    private Dictionary<string, Entry> _model = new(StringComparer.Ordinal);
    private SlateDb _db = null!;
    private int _step;
    private string _operation = "open";

    /// <summary>The share of flushes, compactions and reopens kept (a folder store pays real I/O for each).</summary>
    private readonly double _heavyShare;

    public MergeModelRun(int seed, IObjectStore store, ITestOutputHelper output, double heavyShare = 1.0)
    {
        _heavyShare = heavyShare;
        _seed = seed;
        _random = new Random(seed);
        _store = store;
        _output = output;
        _options = TestOptions(l0SstSizeBytes: _random.Next(4, 33) * 1024) with
        {
            FlushInterval = null,
            CompactorOptions = new CompactorOptions { PollInterval = TimeSpan.FromDays(1) },
        };
    }

    /// <summary>A key's history as reads see it: the base value (null: absent or deleted) and the operands since.</summary>
    private sealed record Entry(string? Base, long? BaseExpire, ImmutableList<(string Operand, long? Expire)> Operands)
    {
        public static readonly Entry Absent = new(null, null, []);
    }

    private string Because => $"seed {_seed}, step {_step} ({_operation}), l0 {_options.L0SstSizeBytes}";

    private long Now => _time.GetUtcNow().ToUnixTimeMilliseconds();

    public async Task RunAsync(int operations)
    {
        var watch = Stopwatch.StartNew();
        try
        {
            _db = await OpenDbAsync();
            for (_step = 0; _step < operations; _step++)
            {
                await StepAsync();
            }

            _operation = "final check";
            await VerifyAllAsync();
            await ReopenAsync();
            await _db.CloseAsync();
        }
        catch (Exception e) when (e is not Xunit.Sdk.XunitException)
        {
            throw new Xunit.Sdk.XunitException($"Merge model run failed: {Because}: {e}");
        }

        _output.WriteLine($"seed {_seed}: {operations} operations in {watch.ElapsedMilliseconds} ms; "
            + string.Join(", ", _counts.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key}={c.Value}")));
    }

    private Task<SlateDb> OpenDbAsync() =>
        SlateDb.Builder("db", _store).WithOptions(_options).WithTimeProvider(_time).WithSeed(_seed + _step).WithMergeOperator(_operator).OpenAsync();

    private async Task StepAsync()
    {
        var roll = _random.Next(1000);
        switch (roll)
        {
            case < 200: await PutAsync(); break;
            case < 480: await MergeAsync(); break;
            case < 540: await DeleteAsync(); break;
            case < 600: await BatchAsync(); break;
            case < 800: await GetAsync(); break;
            case < 830: await ScanAsync(); break;
            case < 850: await SnapshotAsync(); break;
            case < 900: await SnapshotReadAsync(); break;
            case >= 900 and < 947 when _random.NextDouble() >= _heavyShare:
                _operation = "advance time";
                _time.Advance(TimeSpan.FromMilliseconds(_random.Next(1, 40)));
                break;
            case < 915: await Do("flush wal", () => _db.FlushAsync().AsTask()); break;
            case < 935: await Do("flush memtable", () => _db.FlushAsync(new FlushOptions { FlushType = FlushType.MemTable }).AsTask()); break;
            case < 945: await Do("compact", async () => { await _db.FlushAsync(new FlushOptions { FlushType = FlushType.MemTable }); await _db.CompactFullAsync(); }); break;
            case < 947: await ReopenAsync(); break;
            default:
                _operation = "advance time";
                _time.Advance(TimeSpan.FromMilliseconds(_random.Next(1, 40)));
                break;
        }
    }

    private async Task Do(string what, Func<Task> action)
    {
        _operation = what;
        Count(what);
        await action();
    }

    private string PickKey() => _keys[_random.Next(_keys.Length)];

    private int? PickTtl() => _random.Next(6) == 0 ? _random.Next(5, 300) : null;

    private async Task PutAsync()
    {
        var key = PickKey();
        var value = $"v{_step}";
        var ttl = PickTtl();
        _operation = $"put {key}";
        Count(ttl is null ? "put" : "put+ttl");
        var handle = await _db.PutAsync(key, value, ttl is { } ms ? new PutOptions { Ttl = TimeSpan.FromMilliseconds(ms) } : null);
        _model[key] = new Entry(value, ExpireAt(handle, ttl), []);
    }

    private async Task MergeAsync()
    {
        var key = PickKey();
        var operand = $"m{_step}";
        var ttl = PickTtl();
        _operation = $"merge {key}";
        Count(ttl is null ? "merge" : "merge+ttl");
        var handle = await _db.MergeAsync(key, operand, ttl is { } ms ? new MergeOptions { Ttl = TimeSpan.FromMilliseconds(ms) } : null);
        var entry = _model.GetValueOrDefault(key, Entry.Absent);
        _model[key] = entry with { Operands = entry.Operands.Add((operand, ExpireAt(handle, ttl))) };
    }

    private async Task DeleteAsync()
    {
        var key = PickKey();
        _operation = $"delete {key}";
        Count("delete");
        await _db.DeleteAsync(key);
        _model[key] = Entry.Absent;
    }

    private async Task BatchAsync()
    {
        _operation = "batch";
        Count("batch");
        var batch = new WriteBatch();
        var applied = new List<(string Key, int Kind, string Value)>();
        var size = _random.Next(1, 9);
        for (var i = 0; i < size; i++)
        {
            // Reuse a key already in the batch a third of the time: merges stack on it, puts and deletes replace it.
            var key = applied.Count > 0 && _random.Next(3) == 0 ? applied[_random.Next(applied.Count)].Key : PickKey();
            var kind = _random.Next(10) switch { < 5 => 2, < 8 => 0, _ => 1 };
            var value = $"b{_step}.{i}";
            switch (kind)
            {
                case 0: batch.Put(key, value); break;
                case 1: batch.Delete(key); break;
                default: batch.Merge(key, value); break;
            }

            applied.Add((key, kind, value));
        }

        await _db.WriteAsync(batch);
        foreach (var (key, kind, value) in applied)
        {
            var entry = _model.GetValueOrDefault(key, Entry.Absent);
            _model[key] = kind switch
            {
                0 => new Entry(value, null, []),
                1 => Entry.Absent,
                _ => entry with { Operands = entry.Operands.Add((value, null)) },
            };
        }
    }

    private async Task GetAsync()
    {
        var key = PickKey();
        _operation = $"get {key}";
        Count("get");
        Check(key, Expected(_model, key), await _db.GetAsync(key));
    }

    private async Task ScanAsync()
    {
        var start = _random.Next(KeyCount);
        var end = Math.Min(KeyCount, start + _random.Next(1, 60));
        var descending = _random.Next(4) == 0;
        _operation = $"scan {_keys[start]}..{(end < KeyCount ? _keys[end] : "end")}{(descending ? " descending" : string.Empty)}";
        Count("scan");
        var range = end < KeyCount ? KeyRange.Between(Bytes(_keys[start]), Bytes(_keys[end])) : KeyRange.From(Bytes(_keys[start]));
        var options = new ScanOptions { Order = descending ? IterationOrder.Descending : IterationOrder.Ascending };
        await CheckScanAsync(_model, _db.ScanAsync(range, options), start, end, descending);
    }

    private async Task SnapshotAsync()
    {
        if (_snapshots.Count >= 3 || (_snapshots.Count > 0 && _random.Next(2) == 0))
        {
            _operation = "release snapshot";
            Count("release snapshot");
            var index = _random.Next(_snapshots.Count);
            await _snapshots[index].Snapshot.DisposeAsync();
            _snapshots.RemoveAt(index);
            return;
        }

        _operation = "snapshot";
        Count("snapshot");
        _snapshots.Add((_db.Snapshot(), new Dictionary<string, Entry>(_model, StringComparer.Ordinal)));
    }

    private async Task SnapshotReadAsync()
    {
        if (_snapshots.Count == 0)
        {
            await GetAsync();
            return;
        }

        var (snapshot, model) = _snapshots[_random.Next(_snapshots.Count)];
        if (_random.Next(4) == 0)
        {
            _operation = $"snapshot {snapshot.Sequence} scan";
            Count("snapshot scan");
            await CheckScanAsync(model, snapshot.ScanAsync(KeyRange.All), 0, KeyCount, descending: false);
            return;
        }

        var key = PickKey();
        _operation = $"snapshot {snapshot.Sequence} get {key}";
        Count("snapshot get");
        Check(key, Expected(model, key), await snapshot.GetAsync(key));
    }

    private async Task ReopenAsync()
    {
        _operation = "reopen";
        Count("reopen");
        foreach (var (snapshot, _) in _snapshots)
        {
            await snapshot.DisposeAsync();
        }

        _snapshots.Clear();
        await _db.CloseAsync();
        _db = await OpenDbAsync();
        await VerifyAllAsync();
    }

    private async Task VerifyAllAsync()
    {
        foreach (var key in _keys)
        {
            Check(key, Expected(_model, key), await _db.GetAsync(key));
        }

        await CheckScanAsync(_model, _db.ScanAsync(KeyRange.All), 0, KeyCount, descending: false);
    }

    private async Task CheckScanAsync(Dictionary<string, Entry> model, IAsyncEnumerable<KeyValue> scan, int start, int end, bool descending)
    {
        var expected = new List<(string Key, string Value)>();
        for (var i = start; i < end; i++)
        {
            if (Expected(model, _keys[i]) is { } value)
            {
                expected.Add((_keys[i], value));
            }
        }

        if (descending)
        {
            expected.Reverse();
        }

        var actual = new List<(string Key, string Value)>();
        await foreach (var row in scan)
        {
            actual.Add((row.GetKeyString(), row.GetValueString()));
        }

        if (!actual.SequenceEqual(expected))
        {
            var firstDifference = Enumerable.Range(0, Math.Max(actual.Count, expected.Count))
                .First(i => i >= actual.Count || i >= expected.Count || actual[i] != expected[i]);
            throw new Xunit.Sdk.XunitException(
                $"{Because}: scan differs at row {firstDifference}: got {(firstDifference < actual.Count ? actual[firstDifference].ToString() : "<end>")}, expected {(firstDifference < expected.Count ? expected[firstDifference].ToString() : "<end>")}");
        }
    }

    private void Check(string key, string? expected, string? actual)
    {
        if (expected != actual)
        {
            throw new Xunit.Sdk.XunitException($"{Because}: {key} reads {actual ?? "<absent>"}, expected {expected ?? "<absent>"}");
        }
    }

    /// <summary>The model's read: live operands appended, in write order, to the live base value.</summary>
    private string? Expected(Dictionary<string, Entry> model, string key)
    {
        if (!model.TryGetValue(key, out var entry))
        {
            return null;
        }

        var now = Now;
        var value = entry.Base is not null && (entry.BaseExpire is not { } expire || expire > now) ? entry.Base : null;
        var result = value is null ? null : new StringBuilder(value);
        foreach (var (operand, operandExpire) in entry.Operands)
        {
            if (operandExpire is { } e && e <= now)
            {
                continue;
            }

            if (result is null)
            {
                result = new StringBuilder(operand);
            }
            else
            {
                result.Append(Separator).Append(operand);
            }
        }

        return result?.ToString();
    }

    private static long? ExpireAt(WriteHandle handle, int? ttlMillis) =>
        ttlMillis is { } ms ? handle.CreatedAt.ToUnixTimeMilliseconds() + ms : null;

    private void Count(string what) => _counts[what] = _counts.GetValueOrDefault(what) + 1;
}
