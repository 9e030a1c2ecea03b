using SlateDB.Compatibility.Tests.Model;
using SlateDB.Storage;

namespace SlateDB.Compatibility.Tests.Engines;

/// <summary>Our engine over <see cref="LocalFileSystemObjectStore"/> on the shared folder.</summary>
internal sealed class DotNetEngine : ICompatEngine
{
    private static readonly TimeSpan Timeout = Infrastructure.RustSlateDb.DefaultTimeout;

    private SlateDb? _db;

    public EngineKind Kind => EngineKind.DotNet;

    public bool IsOpen => _db is not null;

    /// <summary>The open database (for tests that need more than the shared surface).</summary>
    public SlateDb Db => _db ?? throw new InvalidOperationException("The .NET engine is not open.");

    public async Task OpenAsync(TestDatabase database, EngineSettings settings)
    {
        if (_db is not null)
        {
            throw new InvalidOperationException("The .NET engine is already open.");
        }

        _db = await Timed(SlateDb.OpenAsync(database.Path, new LocalFileSystemObjectStore(database.Root), settings.ToDotNetOptions()), "open");
    }

    public async Task<WriteResult> PutAsync(byte[] key, byte[] value, long? ttlMs = null, bool awaitDurable = true)
    {
        var handle = await Timed(Db.PutAsync(key, value, PutOptionsFor(ttlMs), new WriteOptions { AwaitDurable = awaitDurable }).AsTask(), "put");
        return new WriteResult(handle.Sequence, handle.CreatedAt.ToUnixTimeMilliseconds());
    }

    public async Task<WriteResult> DeleteAsync(byte[] key, bool awaitDurable = true)
    {
        var handle = await Timed(Db.DeleteAsync(key, new WriteOptions { AwaitDurable = awaitDurable }).AsTask(), "delete");
        return new WriteResult(handle.Sequence, handle.CreatedAt.ToUnixTimeMilliseconds());
    }

    public async Task<WriteResult> WriteBatchAsync(IReadOnlyList<ModelOp> ops, bool awaitDurable = true)
    {
        var batch = new WriteBatch();
        foreach (var op in ops)
        {
            if (op.IsDelete)
            {
                batch.Delete(op.Key);
            }
            else
            {
                batch.Put(op.Key, op.Value, PutOptionsFor(op.TtlMs));
            }
        }

        var handle = await Timed(Db.WriteAsync(batch, new WriteOptions { AwaitDurable = awaitDurable }).AsTask(), "write batch");
        return new WriteResult(handle.Sequence, handle.CreatedAt.ToUnixTimeMilliseconds());
    }

    public async Task<ReadRow?> GetAsync(byte[] key)
    {
        var kv = await Timed(Db.GetKeyValueAsync(key).AsTask(), "get");
        return kv is null
            ? null
            : new ReadRow(kv.Value.ToArray(), kv.Sequence, kv.CreatedAt.ToUnixTimeMilliseconds(), kv.ExpiresAt?.ToUnixTimeMilliseconds());
    }

    public async Task<IReadOnlyList<KeyValuePair<byte[], byte[]>>> ScanAsync(byte[]? start = null, byte[]? endExclusive = null)
    {
        var range = KeyRange.Create(Bound(start), true, Bound(endExclusive), false);
        var rows = new List<KeyValuePair<byte[], byte[]>>();
        using var timeout = new CancellationTokenSource(Timeout);
        await foreach (var kv in Db.ScanAsync(range, cancellationToken: timeout.Token))
        {
            rows.Add(new(kv.Key.ToArray(), kv.Value.ToArray()));
        }

        return rows;
    }

    public Task FlushWalAsync() => Timed(Db.FlushAsync(new FlushOptions { FlushType = FlushType.Wal }).AsTask(), "WAL flush");

    public Task FlushMemtableAsync() => Timed(Db.FlushAsync(new FlushOptions { FlushType = FlushType.MemTable }).AsTask(), "memtable flush");

    public async Task CloseAsync()
    {
        var db = Db;
        _db = null;
        await Timed(db.CloseAsync().AsTask(), "close");
    }

    /// <summary>Closes quietly if still open (a fenced database's close may fail; the test has asserted what matters).</summary>
    public async ValueTask DisposeAsync()
    {
        if (_db is { } db)
        {
            _db = null;
            try
            {
                await db.CloseAsync();
            }
            catch (SlateDbException)
            {
            }
        }
    }

    /// <summary>Fails a call that hangs (as a durable write with no timed WAL flush would) instead of the whole run.</summary>
    private static async Task Timed(Task task, string what)
    {
        try
        {
            await task.WaitAsync(Timeout);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"The .NET engine's {what} did not finish within {Timeout.TotalSeconds:0} s.", e);
        }
    }

    private static async Task<T> Timed<T>(Task<T> task, string what)
    {
        await Timed((Task)task, what);
        return await task;
    }

    // A null byte[] converts implicitly to an empty ReadOnlyMemory (an empty key bound), not to a missing bound.
    private static ReadOnlyMemory<byte>? Bound(byte[]? key) => key is null ? default(ReadOnlyMemory<byte>?) : key;

    private static PutOptions? PutOptionsFor(long? ttlMs) =>
        ttlMs is { } ms ? new PutOptions { Ttl = Ttl.ExpireAfter(TimeSpan.FromMilliseconds(ms)) } : null;
}
