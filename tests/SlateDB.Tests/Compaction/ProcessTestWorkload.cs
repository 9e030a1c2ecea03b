using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace SlateDB.Tests.Compaction;

/// <summary>Writes new keys in batches (and overwrites a few hot keys each time); readers check what was written.</summary>
internal sealed class ProcessTestWorkload(SlateDb db, int seed)
{
    private const int HotKeys = 10;
    private readonly List<string> _errors = [];
    private int _written;
    private int _batches;
    private long _reads;

    public int Written => Volatile.Read(ref _written);

    private static byte[] KeyOf(int i) => Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"key{i:D8}"));

    private static byte[] ValueOf(int i) => Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"value-{i}-{new string('x', i % 40)}"));

    private static byte[] HotKey(int j) => Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"hot{j}"));

    public int Batches => Volatile.Read(ref _batches);

    public long Reads => Interlocked.Read(ref _reads);

    public IReadOnlyList<string> Errors
    {
        get
        {
            lock (_errors)
            {
                return [.. _errors];
            }
        }
    }

    public async Task WriteAsync(CancellationToken token)
    {
        while (!token.IsCancellationRequested)
        {
            await Task.Yield(); // A write that need not wait for durability completes synchronously.
            var batch = new WriteBatch();
            var first = Written;
            for (var i = first; i < first + 250; i++)
            {
                batch.Put(KeyOf(i), ValueOf(i));
            }

            var number = Batches + 1;
            for (var j = 0; j < HotKeys; j++)
            {
                batch.Put(HotKey(j), Encoding.ASCII.GetBytes(number.ToString(CultureInfo.InvariantCulture)));
            }

            await db.WriteAsync(batch, cancellationToken: CancellationToken.None);
            Volatile.Write(ref _written, first + 250);
            Volatile.Write(ref _batches, number);
        }
    }

    public async Task WaitForWrittenAsync(int count, TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        while (Written < count)
        {
            watch.Elapsed.Should().BeLessThan(timeout, $"the writer keeps going ({Written} keys written)");
            await Task.Delay(20);
        }
    }

    public async Task ReadAsync(int readerSeed, CancellationToken token)
    {
        var random = new Random(readerSeed);
        while (!token.IsCancellationRequested)
        {
            // Reads of a local folder can complete synchronously: yield, so the caller gets this task back and the
            // other readers and writers run.
            await Task.Yield();
            var known = Written;
            if (known == 0)
            {
                await Task.Delay(5, CancellationToken.None);
                continue;
            }

            try
            {
                var i = random.Next(known);
                var value = await db.GetAsync(KeyOf(i), cancellationToken: CancellationToken.None);
                if (value is null || !value.AsSpan().SequenceEqual(ValueOf(i)))
                {
                    Fail($"get key {i} of {known}: {(value is null ? "missing" : "wrong value")}");
                }

                var start = random.Next(known);
                var end = Math.Min(known, start + 60);
                var next = start;
                await foreach (var item in db.ScanAsync(KeyRange.Between(KeyOf(start), KeyOf(end)), cancellationToken: CancellationToken.None))
                {
                    if (!item.Key.Span.SequenceEqual(KeyOf(next)) || !item.Value.Span.SequenceEqual(ValueOf(next)))
                    {
                        Fail($"scan [{start}, {end}) found {Encoding.ASCII.GetString(item.Key.Span)} where key {next} belongs");
                        break;
                    }

                    next++;
                }

                if (next != end)
                {
                    Fail($"scan [{start}, {end}) ended at {next}");
                }

                Interlocked.Increment(ref _reads);
            }
            catch (Exception e)
            {
                Fail($"read failed: {e}");
            }
        }
    }

    /// <summary>Null when every key and hot key holds what was written last; otherwise the first difference.</summary>
    public async Task<string?> VerifyAsync()
    {
        var next = 0;
        await foreach (var item in db.ScanAsync(KeyRange.Between(KeyOf(0), KeyOf(int.MaxValue / 2))))
        {
            if (!item.Key.Span.SequenceEqual(KeyOf(next)) || !item.Value.Span.SequenceEqual(ValueOf(next)))
            {
                return $"found {Encoding.ASCII.GetString(item.Key.Span)} where key {next} belongs (seed {seed})";
            }

            next++;
        }

        if (next != Written)
        {
            return $"scanned {next} keys of {Written} (seed {seed})";
        }

        for (var j = 0; j < HotKeys; j++)
        {
            var value = await db.GetAsync(HotKey(j));
            if (value is null || Encoding.ASCII.GetString(value) != Batches.ToString(CultureInfo.InvariantCulture))
            {
                return $"hot key {j} holds {(value is null ? "nothing" : Encoding.ASCII.GetString(value))}, not batch {Batches}";
            }
        }

        return null;
    }

    private void Fail(string error)
    {
        lock (_errors)
        {
            if (_errors.Count < 20)
            {
                _errors.Add(error);
            }
        }
    }
}
