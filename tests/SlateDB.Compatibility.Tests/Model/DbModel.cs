using SlateDB.Compatibility.Tests.Engines;

namespace SlateDB.Compatibility.Tests.Model;

/// <summary>A row the model expects: value, and the metadata the writer reported for it.</summary>
internal sealed record ModelRow(byte[] Value, long Seq, long CreateTs, long? ExpireTs);

/// <summary>
/// What the database must hold: for every key ever written, its newest row, or null once deleted. Writes are recorded
/// with the sequence and create timestamp the writing engine returned, so readers are checked on metadata too.
/// </summary>
internal sealed class DbModel
{
    private readonly SortedDictionary<byte[], ModelRow?> _rows = new(ByteOrder.Instance);

    /// <summary>The highest sequence number recorded.</summary>
    public long LastSeq { get; private set; }

    public int WriteCount { get; private set; }

    /// <summary>Every key ever written, in key order, with its row (null when deleted).</summary>
    public IEnumerable<KeyValuePair<byte[], ModelRow?>> AllKeys => _rows;

    /// <summary>The live rows in key order.</summary>
    public IEnumerable<KeyValuePair<byte[], ModelRow>> Live =>
        _rows.Where(r => r.Value is not null).Select(r => new KeyValuePair<byte[], ModelRow>(r.Key, r.Value!));

    public int LiveCount => _rows.Count(r => r.Value is not null);

    public IReadOnlyList<byte[]> Keys => [.. _rows.Keys];

    public ModelRow? this[byte[] key] => _rows.GetValueOrDefault(key);

    /// <summary>Records one write (a single operation or a whole batch) and checks its sequence moved forward.</summary>
    public void Record(IReadOnlyList<ModelOp> ops, WriteResult result, EngineKind writer)
    {
        if (result.Seq <= LastSeq)
        {
            throw new InvalidOperationException($"{writer} returned sequence {result.Seq} after {LastSeq}: sequence numbers must grow across writers.");
        }

        LastSeq = result.Seq;
        WriteCount++;
        foreach (var op in ops)
        {
            _rows[op.Key] = op.IsDelete
                ? null
                : new ModelRow(op.Value!, result.Seq, result.CreateTs, op.TtlMs is { } ttl ? result.CreateTs + ttl : null);
        }
    }
}
