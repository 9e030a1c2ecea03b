namespace SlateDB.Compatibility.Tests.Model;

/// <summary>A put (with an optional TTL in ms) or a delete, as a batch holds it.</summary>
internal sealed record ModelOp(byte[] Key, byte[]? Value, long? TtlMs = null)
{
    public bool IsDelete => Value is null;

    public static ModelOp Put(byte[] key, byte[] value, long? ttlMs = null) => new(key, value, ttlMs);

    public static ModelOp Delete(byte[] key) => new(key, null);
}
