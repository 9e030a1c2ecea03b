using SlateDB.Compatibility.Tests.Model;

namespace SlateDB.Compatibility.Tests.Engines;

/// <summary>What a write returned: its sequence number and its create timestamp (Unix ms).</summary>
internal readonly record struct WriteResult(long Seq, long CreateTs);

/// <summary>A row as a point read returns it, with its metadata.</summary>
internal sealed record ReadRow(byte[] Value, long Seq, long CreateTs, long? ExpireTs);

/// <summary>
/// One engine, Rust or .NET, driven the same way, so every scenario runs in both directions from one piece of code.
/// An engine is opened and closed any number of times (one writer session each).
/// </summary>
internal interface ICompatEngine : IAsyncDisposable
{
    EngineKind Kind { get; }

    bool IsOpen { get; }

    Task OpenAsync(TestDatabase database, EngineSettings settings);

    Task<WriteResult> PutAsync(byte[] key, byte[] value, long? ttlMs = null, bool awaitDurable = true);

    Task<WriteResult> DeleteAsync(byte[] key, bool awaitDurable = true);

    /// <summary>Writes the operations as one atomic batch.</summary>
    Task<WriteResult> WriteBatchAsync(IReadOnlyList<ModelOp> ops, bool awaitDurable = true);

    /// <summary>A point read with metadata; null when absent or deleted.</summary>
    Task<ReadRow?> GetAsync(byte[] key);

    /// <summary>A scan of [start, end) (null bounds are open), as key/value pairs in key order.</summary>
    Task<IReadOnlyList<KeyValuePair<byte[], byte[]>>> ScanAsync(byte[]? start = null, byte[]? endExclusive = null);

    Task FlushWalAsync();

    Task FlushMemtableAsync();

    Task CloseAsync();
}
