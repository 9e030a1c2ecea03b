using System.Text;

namespace SlateDB.Format.Filters;

/// <summary>
/// The built-in filter policy (Rust <c>BloomFilterPolicy</c>): a bloom filter over whole keys, stored under the
/// name <c>_bf</c>. SlateDB's default is 10 bits per key.
/// </summary>
internal sealed class BloomFilterPolicy : IFilterPolicy
{
    /// <summary>The base name of bloom filter policies, and the whole name of the whole-key policy.</summary>
    public const string BaseName = "_bf";

    /// <summary>SlateDB's default bits per key (its <c>filter_bits_per_key</c> setting).</summary>
    public const int DefaultBitsPerKey = 10;

    /// <summary>Creates the policy with <paramref name="bitsPerKey"/> bits per key.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bitsPerKey"/> is less than 1.</exception>
    public BloomFilterPolicy(int bitsPerKey = DefaultBitsPerKey)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bitsPerKey, 1);
        BitsPerKey = bitsPerKey;
    }

    /// <summary>Bits of filter per entry. Not part of the name: it changes the false-positive rate, not the format.</summary>
    public int BitsPerKey { get; }

    /// <inheritdoc />
    public string Name { get; } = ComposeName(prefixExtractorName: null, wholeKeyFiltering: true);

    /// <inheritdoc />
    public IFilterBuilder CreateBuilder() => new BloomFilterBuilder(BitsPerKey);

    /// <inheritdoc />
    public IFilter Decode(ReadOnlyMemory<byte> data, string objectName) => BloomFilter.Decode(data, objectName);

    /// <inheritdoc />
    public int EstimateEncodedLength(long numKeys) => BloomFilter.HeaderLength + BloomLayout.FilterBytes(numKeys, BitsPerKey);

    /// <summary>
    /// The policy name SlateDB 0.15 gives a bloom policy: <c>_bf</c>, then <c>:p=</c> and the prefix extractor's
    /// name when one is set, then <c>:wh=0</c> when whole keys are not hashed. This port hashes whole keys only
    /// (no prefix extractor), which is always plain <c>_bf</c>; the scheme is kept so names stay comparable.
    /// </summary>
    public static string ComposeName(string? prefixExtractorName, bool wholeKeyFiltering)
    {
        var name = new StringBuilder(BaseName);
        if (prefixExtractorName is not null)
        {
            name.Append(":p=").Append(prefixExtractorName);
        }

        if (!wholeKeyFiltering)
        {
            name.Append(":wh=0");
        }

        return name.ToString();
    }
}
