using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;
using SlateDB.Common;
using SlateDB.Storage;
using Xunit.Abstractions;
using static SlateDB.Tests.Engine.EngineTestSupport;

namespace SlateDB.Tests.Engine;

/// <summary>
/// One seeded run of random operations against a database and a dictionary model: puts, deletes, batches (with
/// duplicate keys), gets, GetKeyValue, WAL and memtable flushes, clean reopens and crash-like reopens (a second writer
/// fences the first after a WAL flush). Every read is checked against the model.
/// </summary>
internal sealed class EngineModelRun
{
    private const int KeyPoolSize = 1200;

    private readonly int _seed;
    private readonly Random _random;
    private readonly IObjectStore _store;
    private readonly ITestOutputHelper _output;
    private readonly FakeTimeProvider _time = NewFakeTime();
    private readonly SlateDbOptions _options;
    private readonly Dictionary<byte[], Entry> _model = new(ByteArrayEqualityComparer.Instance);
    private readonly List<byte[]> _keys;
    private readonly Dictionary<string, int> _counts = [];
    private SlateDb _db = null!;
    private int _step;
    private string _operation = "open";

    public EngineModelRun(int seed, IObjectStore store, ITestOutputHelper output)
    {
        _seed = seed;
        _random = new Random(seed);
        _store = store;
        _output = output;
        var codecs = Enum.GetValues<CompressionCodec>();
        // Half the seeds also flush the WAL on a (fake-clock) timer, racing the operations; the rest only on demand.
        var flushInterval = _random.Next(2) == 0 ? (TimeSpan?)null : TimeSpan.FromMilliseconds(_random.Next(5, 50));
        _options = TestOptions(l0SstSizeBytes: _random.Next(8, 65) * 1024) with { FlushInterval = flushInterval, CompressionCodec = codecs[_random.Next(codecs.Length)] };
        _keys = NewKeyPool(_random);
    }

    private string Because => $"seed {_seed}, step {_step} ({_operation}), options {Describe(_options)}";

    public async Task RunAsync(int operations)
    {
        var watch = Stopwatch.StartNew();
        try
        {
            _db = await OpenAsync(_store, _options, _time, _seed);
            for (_step = 0; _step < operations; _step++)
            {
                if (_step % 5000 == 4999 || _random.Next(5000) == 0)
                {
                    await ReopenAsync(crash: _random.Next(2) == 0);
                }
                else
                {
                    await StepAsync();
                }
            }

            _operation = "final check";
            await VerifyAllAsync();
            await ReopenAsync(crash: false);
            await _db.CloseAsync();
        }
        catch (Exception e) when (e is not Xunit.Sdk.XunitException)
        {
            throw new Xunit.Sdk.XunitException($"Engine model run failed: {Because}: {e}");
        }

        _output.WriteLine($"seed {_seed}: {operations} operations in {watch.ElapsedMilliseconds} ms; {Describe(_options)}; "
            + string.Join(", ", _counts.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key}={c.Value}")) + $"; {_model.Count} live keys");
    }

    private async Task StepAsync()
    {
        var roll = _random.Next(1000);
        switch (roll)
        {
            case < 330:
                await PutAsync();
                break;
            case < 430:
                await DeleteAsync();
                break;
            case < 530:
                await BatchAsync();
                break;
            case < 780:
                await GetAsync();
                break;
            case < 900:
                await GetKeyValueAsync();
                break;
            case < 925:
                await FlushWalAsync();
                break;
            case < 930:
                Count("flush memtable");
                _operation = "flush memtable";
                await _db.FlushAsync(new FlushOptions { FlushType = FlushType.MemTable });
                break;
            default:
                _operation = "advance time";
                _time.Advance(TimeSpan.FromMilliseconds(_random.Next(1, 40)));
                break;
        }
    }

    private async Task PutAsync()
    {
        var key = PickKey();
        var value = NewValue(_random);
        _operation = $"put {Hex(key)}";
        Count("put");
        var handle = await _db.PutAsync(key, value);
        _model[key] = new Entry(value, handle.Sequence, handle.CreatedAt);
    }

    private async Task DeleteAsync()
    {
        var key = PickKey();
        _operation = $"delete {Hex(key)}";
        Count("delete");
        await _db.DeleteAsync(key);
        _model.Remove(key);
    }

    private async Task BatchAsync()
    {
        var batch = new WriteBatch();
        var applied = new List<(byte[] Key, byte[]? Value)>();
        var size = _random.Next(1, 11);
        for (var i = 0; i < size; i++)
        {
            // Reuse a key already in the batch a quarter of the time: the later operation must win.
            var key = applied.Count > 0 && _random.Next(4) == 0 ? applied[_random.Next(applied.Count)].Key : PickKey();
            if (_random.Next(5) == 0)
            {
                batch.Delete(key);
                applied.Add((key, null));
            }
            else
            {
                var value = NewValue(_random);
                batch.Put(key, value);
                applied.Add((key, value));
            }
        }

        _operation = $"batch of {applied.Count}";
        Count("batch");
        var handle = await _db.WriteAsync(batch);
        foreach (var (key, value) in applied)
        {
            if (value is null)
            {
                _model.Remove(key);
            }
            else
            {
                _model[key] = new Entry(value, handle.Sequence, handle.CreatedAt);
            }
        }
    }

    private async Task GetAsync(ReadOptions? options = null)
    {
        var key = _random.Next(10) == 0 ? NewKey(_random) : PickKey();
        _operation = $"get {Hex(key)}";
        Count("get");
        var actual = await _db.GetAsync(key, options);
        if (_model.TryGetValue(key, out var expected))
        {
            actual.Should().NotBeNull(Because);
            actual.Should().Equal(expected.Value, Because);
        }
        else
        {
            actual.Should().BeNull(Because);
        }
    }

    private async Task GetKeyValueAsync()
    {
        var key = PickKey();
        _operation = $"get key-value {Hex(key)}";
        Count("get key-value");
        var actual = await _db.GetKeyValueAsync(key);
        CheckKeyValue(key, actual);
    }

    private void CheckKeyValue(byte[] key, KeyValue? actual)
    {
        if (!_model.TryGetValue(key, out var expected))
        {
            actual.Should().BeNull(Because);
            return;
        }

        actual.Should().NotBeNull(Because);
        actual!.Key.ToArray().Should().Equal(key, Because);
        actual.Value.ToArray().Should().Equal(expected.Value, Because);
        actual.Sequence.Should().Be(expected.Seq, Because);
        actual.CreatedAt.Should().Be(expected.CreatedAt, Because);
        actual.ExpiresAt.Should().BeNull(Because);
    }

    private async Task FlushWalAsync()
    {
        _operation = "flush WAL";
        Count("flush WAL");
        await _db.FlushAsync();

        // Everything written so far is durable now: a read that sees only durable data sees all of it.
        await GetAsync(new ReadOptions { DurabilityFilter = DurabilityLevel.Remote });
    }

    /// <summary>
    /// Clean: close (which flushes everything) and open again. Crash-like: flush the WAL, open a second writer (which
    /// fences the first and replays the WAL), then drop the first one; nothing it acknowledged may be lost.
    /// </summary>
    private async Task ReopenAsync(bool crash)
    {
        _operation = crash ? "crash-like reopen" : "reopen";
        Count(_operation);
        var old = _db;
        if (crash)
        {
            await old.FlushAsync();
            _db = await OpenAsync(_store, _options, _time, _seed + _step);
            await CloseMaybeFencedAsync(old);
        }
        else
        {
            await old.CloseAsync();
            _db = await OpenAsync(_store, _options, _time, _seed + _step);
        }

        await VerifyAllAsync();
    }

    private async Task VerifyAllAsync()
    {
        foreach (var key in _keys)
        {
            CheckKeyValue(key, await _db.GetKeyValueAsync(key));
        }
    }

    private static string Describe(SlateDbOptions options) =>
        $"L0SstSizeBytes={options.L0SstSizeBytes} codec={options.CompressionCodec} FlushInterval={options.FlushInterval?.TotalMilliseconds.ToString() ?? "none"}";

    private byte[] PickKey() => _keys[_random.Next(_keys.Count)];

    private void Count(string what) => _counts[what] = _counts.GetValueOrDefault(what) + 1;

    /// <summary>
    /// Distinct keys: mostly short, a few long, one of the longest allowed length; bytes biased to 0x00 and 0xFF;
    /// some are another key plus a 0x00 or 0xFF byte, or a prefix of another key, to probe ordering edges.
    /// </summary>
    private static List<byte[]> NewKeyPool(Random random)
    {
        var longest = new byte[WriteBatch.MaxKeyLength];
        var keys = new HashSet<byte[]>(ByteArrayEqualityComparer.Instance) { longest };
        var list = new List<byte[]> { longest };
        while (keys.Count < KeyPoolSize)
        {
            byte[] key;
            if (list.Count > 10 && random.Next(8) == 0)
            {
                var other = list[random.Next(list.Count)];
                key = random.Next(3) switch
                {
                    0 => [.. other, 0x00],
                    1 => [.. other, 0xFF],
                    _ => other.Length > 1 ? other[..random.Next(1, other.Length)] : [.. other, 0x01],
                };
            }
            else
            {
                key = NewKey(random);
            }

            if (key.Length <= WriteBatch.MaxKeyLength && keys.Add(key))
            {
                list.Add(key);
            }
        }

        return list;
    }

    private static byte[] NewKey(Random random)
    {
        var length = random.Next(100) < 3 ? random.Next(100, 2000) : random.Next(1, 24);
        return RandomBytes(random, length);
    }

    /// <summary>Values: empty a tenth of the time, mostly small, some up to a few blocks long.</summary>
    private static byte[] NewValue(Random random)
    {
        var roll = random.Next(100);
        var length = roll switch
        {
            < 10 => 0,
            < 83 => random.Next(1, 64),
            < 98 => random.Next(64, 1024),
            _ => random.Next(1024, 9000),
        };
        return RandomBytes(random, length);
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        for (var i = 0; i < length; i++)
        {
            bytes[i] = random.Next(8) switch
            {
                0 => 0x00,
                1 => 0xFF,
                _ => (byte)random.Next(256),
            };
        }

        return bytes;
    }

    private readonly record struct Entry(byte[] Value, long Seq, DateTimeOffset CreatedAt);
}
