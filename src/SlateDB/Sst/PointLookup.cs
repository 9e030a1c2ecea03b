using System.Runtime.CompilerServices;
using SlateDB.Format.Filters;

namespace SlateDB.Sst;

/// <summary>
/// One point read as it probes SSTs: the key, the highest sequence it may see, and the key's bloom hash, computed once
/// and reused for every SST's filter.
/// </summary>
internal readonly struct PointLookup
{
    public PointLookup(ReadOnlyMemory<byte> key, ulong maxSeq)
    {
        Key = key;
        MaxSeq = maxSeq;
        Hash = SipHash13.Hash(key.Span);
    }

    public ReadOnlyMemory<byte> Key { get; }

    public ulong MaxSeq { get; }

    /// <summary>The key's SipHash-1-3, as bloom filters hash keys.</summary>
    public ulong Hash { get; }

    /// <summary>False when the SST's filter rules the key out.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool MightContain(SstFile sst) => sst.Filter switch
    {
        null => true,
        BloomFilter bloom => bloom.MightContainHash(Hash),
        var filter => filter.MightMatch(FilterQuery.Point(Key)),
    };
}

/// <summary>How a lookup that only uses memory ended.</summary>
internal enum CachedLookup
{
    /// <summary>The row was found.</summary>
    Found,

    /// <summary>The SST holds no visible version of the key.</summary>
    Absent,

    /// <summary>Metadata or a block must be read from the store first.</summary>
    NeedsRead,
}
