namespace SlateDB.Comparison;

/// <summary>
/// Values for the fills: a fresh array per put (engines may keep it) cut from a 1 MiB pool of seeded random bytes at
/// an offset that depends on the row, so values differ and do not compress (as tools/slatedb-node/bench.mjs does).
/// </summary>
internal sealed class ValuePool
{
    private const int PoolSize = 1 << 20;
    private readonly byte[] _pool;
    private readonly int _valueSize;

    public ValuePool(int valueSize, int seed)
    {
        _valueSize = valueSize;
        _pool = new byte[PoolSize + valueSize];
        new Random(seed).NextBytes(_pool);
    }

    /// <summary>The value of row <paramref name="index"/>: <c>pool[(index * 7919) mod 2^20 ..][..size]</c>.</summary>
    public byte[] ValueOf(long index) => _pool.AsSpan((int)((index * 7919) % PoolSize), _valueSize).ToArray();
}
