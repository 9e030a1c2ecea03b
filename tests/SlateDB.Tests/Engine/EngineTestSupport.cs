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
        L0MaxSstsPerKey = 1000,
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

/// <summary>Reads engine internals the public API does not show.</summary>
internal static class EngineInternals
{
    private static readonly System.Reflection.PropertyInfo StateProperty =
        typeof(SlateDb).GetProperty("State", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)
        ?? throw new InvalidOperationException("SlateDb.State not found.");

    /// <summary>Estimated bytes in memtables not yet flushed to L0.</summary>
    public static long UnflushedBytes(SlateDb db) => ((SlateDB.Db.DbState)StateProperty.GetValue(db)!).UnflushedBytes;

    /// <summary>Bytes the memtables hold in memory (arena chunks and nodes), as a memory budget counts them.</summary>
    public static long MemtableMemoryBytes(SlateDb db) => ((SlateDB.Db.DbState)StateProperty.GetValue(db)!).MemtableMemoryBytes;

    /// <summary>How many frozen memtables wait for their L0 flush.</summary>
    public static int FrozenCount(SlateDb db) => ((SlateDB.Db.DbState)StateProperty.GetValue(db)!).Frozen.Count;
}
