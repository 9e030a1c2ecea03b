using Microsoft.Extensions.Time.Testing;
using SlateDB.Storage;

namespace SlateDB.Tests.Engine;

/// <summary>A temporary folder deleted (best effort) on dispose.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder(string prefix = "slatedb-engine-")
    {
        Path = Directory.CreateTempSubdirectory(prefix).FullName;
    }

    public string Path { get; }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a child process may still hold a file for a moment.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

/// <summary>Helpers shared by the engine tests.</summary>
internal static class EngineTestSupport
{
    /// <summary>A fixed start for fake clocks, so create times are reproducible.</summary>
    public static readonly DateTimeOffset Epoch = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// Settings for tests: a 5 ms WAL flush interval (real time; under a fake clock it ticks only when the test
    /// advances it), no compactor or GC, room for many L0 SSTs.
    /// </summary>
    public static SlateDbOptions TestOptions(long l0SstSizeBytes = 64 * 1024) => new()
    {
        FlushInterval = TimeSpan.FromMilliseconds(5),
        L0SstSizeBytes = l0SstSizeBytes,
        MaxUnflushedBytes = Math.Max(64L * 1024 * 1024, l0SstSizeBytes * 4),
        L0MaxSsts = 1000,
        MinFilterKeys = 16,
        CompactorOptions = null,
        GarbageCollectorOptions = null,
    };

    public static FakeTimeProvider NewFakeTime() => new(Epoch);

    public static Task<SlateDb> OpenAsync(IObjectStore store, SlateDbOptions options, TimeProvider? time = null, int seed = 1, string path = "db") =>
        SlateDb.Builder(path, store).WithOptions(options).WithTimeProvider(time ?? TimeProvider.System).WithSeed(seed).OpenAsync();

    public static byte[] Bytes(string text) => System.Text.Encoding.UTF8.GetBytes(text);

    public static string Text(byte[]? bytes) => bytes is null ? "<null>" : System.Text.Encoding.UTF8.GetString(bytes);

    public static string Hex(ReadOnlySpan<byte> bytes) => bytes.Length <= 48 ? Convert.ToHexString(bytes) : $"{Convert.ToHexString(bytes[..48])}..({bytes.Length} bytes)";

    /// <summary>Waits (real time) until <paramref name="condition"/> holds, failing after <paramref name="timeout"/>.</summary>
    public static async Task EventuallyAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out waiting for {what}.");
            }

            await Task.Delay(5);
        }
    }

    /// <summary>
    /// Closes a writer another writer may have fenced without it knowing yet: its close then fails Closed/Fenced
    /// when it tries to write out what it holds.
    /// </summary>
    public static async Task CloseMaybeFencedAsync(SlateDb db)
    {
        try
        {
            await db.CloseAsync();
        }
        catch (SlateDbException e) when (e.Kind == SlateDbErrorKind.Closed && e.CloseReason == CloseReason.Fenced)
        {
        }
    }

    /// <summary>The WAL objects of the database at <paramref name="path"/>, by listing.</summary>
    public static async Task<int> CountWalObjectsAsync(IObjectStore store, string path = "db") =>
        await store.ListAsync($"{path}/wal/", default).CountAsync();
}

/// <summary>An object store that counts puts by path prefix (for "how many WAL PUTs" questions).</summary>
internal sealed class PutCountingObjectStore(IObjectStore inner) : IObjectStore
{
    private readonly Lock _lock = new();
    private readonly List<string> _puts = [];

    public int PutsUnder(string prefix)
    {
        lock (_lock)
        {
            return _puts.Count(p => p.StartsWith(prefix, StringComparison.Ordinal));
        }
    }

    public ValueTask<ObjectContent?> GetAsync(string path, CancellationToken cancellationToken) => inner.GetAsync(path, cancellationToken);

    public ValueTask<ObjectContent?> GetRangeAsync(string path, ByteRange range, CancellationToken cancellationToken) => inner.GetRangeAsync(path, range, cancellationToken);

    public ValueTask<ObjectMetadata?> HeadAsync(string path, CancellationToken cancellationToken) => inner.HeadAsync(path, cancellationToken);

    public ValueTask<PutResult> PutAsync(string path, ReadOnlyMemory<byte> data, PutMode mode, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            _puts.Add(path);
        }

        return inner.PutAsync(path, data, mode, cancellationToken);
    }

    public ValueTask DeleteAsync(string path, CancellationToken cancellationToken) => inner.DeleteAsync(path, cancellationToken);

    public IAsyncEnumerable<ObjectMetadata> ListAsync(string prefix, CancellationToken cancellationToken) => inner.ListAsync(prefix, cancellationToken);
}

/// <summary>An object store whose puts under a prefix wait until released (to hold a flush in flight).</summary>
internal sealed class GatedObjectStore(IObjectStore inner, string gatedPrefix) : IObjectStore
{
    private volatile TaskCompletionSource? _gate;
    private int _waiting;

    /// <summary>How many puts are waiting at the gate.</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    public void Close() => _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Open() => Interlocked.Exchange(ref _gate, null)?.TrySetResult();

    public ValueTask<ObjectContent?> GetAsync(string path, CancellationToken cancellationToken) => inner.GetAsync(path, cancellationToken);

    public ValueTask<ObjectContent?> GetRangeAsync(string path, ByteRange range, CancellationToken cancellationToken) => inner.GetRangeAsync(path, range, cancellationToken);

    public ValueTask<ObjectMetadata?> HeadAsync(string path, CancellationToken cancellationToken) => inner.HeadAsync(path, cancellationToken);

    public async ValueTask<PutResult> PutAsync(string path, ReadOnlyMemory<byte> data, PutMode mode, CancellationToken cancellationToken)
    {
        if (_gate is { } gate && path.StartsWith(gatedPrefix, StringComparison.Ordinal))
        {
            Interlocked.Increment(ref _waiting);
            try
            {
                await gate.Task.WaitAsync(cancellationToken);
            }
            finally
            {
                Interlocked.Decrement(ref _waiting);
            }
        }

        return await inner.PutAsync(path, data, mode, cancellationToken);
    }

    public ValueTask DeleteAsync(string path, CancellationToken cancellationToken) => inner.DeleteAsync(path, cancellationToken);

    public IAsyncEnumerable<ObjectMetadata> ListAsync(string prefix, CancellationToken cancellationToken) => inner.ListAsync(prefix, cancellationToken);
}

/// <summary>Reads engine internals the public API does not show.</summary>
internal static class EngineInternals
{
    private static readonly System.Reflection.PropertyInfo StateProperty =
        typeof(SlateDb).GetProperty("State", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)
        ?? throw new InvalidOperationException("SlateDb.State not found.");

    /// <summary>Estimated bytes in memtables not yet flushed to L0.</summary>
    public static long UnflushedBytes(SlateDb db) => ((SlateDB.Db.DbState)StateProperty.GetValue(db)!).UnflushedBytes;
}

/// <summary>A meter factory of the test's own, so a listener sees only the measurements of the database it opened.</summary>
internal sealed class TestMeterFactory : System.Diagnostics.Metrics.IMeterFactory
{
    private readonly List<System.Diagnostics.Metrics.Meter> _meters = [];

    public System.Diagnostics.Metrics.Meter Create(System.Diagnostics.Metrics.MeterOptions options)
    {
        var meter = new System.Diagnostics.Metrics.Meter(options.Name, options.Version, options.Tags, scope: this);
        lock (_meters)
        {
            _meters.Add(meter);
        }

        return meter;
    }

    /// <summary>Sums the long measurements of the named instrument on this factory's meters.</summary>
    public CounterListener Listen(string instrumentName) => new(this, instrumentName);

    public void Dispose()
    {
        lock (_meters)
        {
            _meters.ForEach(m => m.Dispose());
        }
    }

    internal sealed class CounterListener : IDisposable
    {
        private readonly System.Diagnostics.Metrics.MeterListener _listener = new();
        private long _total;

        public CounterListener(TestMeterFactory factory, string instrumentName)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Scope == factory && instrument.Name == instrumentName)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref _total, value));
            _listener.Start();
        }

        public long Total => Interlocked.Read(ref _total);

        public void Dispose() => _listener.Dispose();
    }
}
