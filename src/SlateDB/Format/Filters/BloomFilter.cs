using System.Buffers.Binary;

namespace SlateDB.Format.Filters;

/// <summary>
/// A SlateDB bloom filter over whole keys, as stored in an SST: <c>num_probes</c> (u16 big-endian) followed by
/// the bit array, where bit i is bit <c>i % 8</c> (counted from the least significant) of byte <c>i / 8</c>.
/// Keys are hashed with SipHash-1-3 keyed (0, 0); see <see cref="BloomLayout"/> for the probe sequence.
/// Immutable; safe to share between threads.
/// </summary>
internal sealed class BloomFilter : IFilter
{
    /// <summary>Bytes before the bit array: the big-endian probe count.</summary>
    public const int HeaderLength = sizeof(ushort);

    private readonly ReadOnlyMemory<byte> _bits;

    internal BloomFilter(ushort numProbes, ReadOnlyMemory<byte> bits)
    {
        if (bits.Length > BloomLayout.MaxFilterBytes)
        {
            throw new ArgumentOutOfRangeException(nameof(bits), bits.Length, "The bit array is larger than SlateDB can address.");
        }

        NumProbes = numProbes;
        _bits = bits;
    }

    /// <summary>How many bits each key sets and each query checks.</summary>
    public ushort NumProbes { get; }

    /// <summary>Length of the bit array in bits: always a whole number of bytes.</summary>
    public long BitCount => (long)_bits.Length * 8;

    /// <inheritdoc />
    public int EncodedLength => HeaderLength + _bits.Length;

    /// <inheritdoc />
    public int Size => _bits.Length;

    /// <summary>
    /// Builds a filter over <paramref name="keys"/> (every item counts, duplicates included) and returns its
    /// encoded bytes, exactly as SlateDB writes them.
    /// </summary>
    public static byte[] Build(IEnumerable<ReadOnlyMemory<byte>> keys, int bitsPerKey)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var builder = new BloomFilterBuilder(bitsPerKey);
        foreach (ReadOnlyMemory<byte> key in keys)
        {
            builder.AddKey(key.Span);
        }

        return builder.BuildFilter().ToArray();
    }

    /// <summary>
    /// Decodes an encoded bloom filter. The filter keeps a reference to <paramref name="encoded"/>, which must
    /// not change afterwards.
    /// </summary>
    /// <param name="encoded">The probe-count header followed by the bit array.</param>
    /// <param name="objectName">The object the bytes came from, for error messages.</param>
    /// <exception cref="SlateDbException">
    /// Fewer than two bytes, or a bit array too large to address (kind <see cref="SlateDbErrorKind.Data"/>).
    /// </exception>
    public static BloomFilter Decode(ReadOnlyMemory<byte> encoded, string objectName)
    {
        if (encoded.Length < HeaderLength)
        {
            throw SlateDbException.Corrupt(objectName, $"bloom filter of {encoded.Length} bytes has no probe count");
        }

        if (encoded.Length - HeaderLength > BloomLayout.MaxFilterBytes)
        {
            throw SlateDbException.Corrupt(objectName, $"bloom filter bit array of {encoded.Length - HeaderLength} bytes is too large to address");
        }

        ushort numProbes = BinaryPrimitives.ReadUInt16BigEndian(encoded.Span);
        return new BloomFilter(numProbes, encoded[HeaderLength..]);
    }

    /// <summary>
    /// False only if <paramref name="key"/> was certainly not added. An empty bit array (a filter built from no
    /// entries) contains nothing.
    /// </summary>
    public bool MightContain(ReadOnlySpan<byte> key) => MightContainHash(SipHash13.Hash(key));

    /// <summary>As <see cref="MightContain(ReadOnlySpan{byte})"/>, for a key already hashed with <see cref="SipHash13.Hash(ReadOnlySpan{byte})"/>.</summary>
    public bool MightContainHash(ulong keyHash)
        => !_bits.IsEmpty && BloomLayout.AllProbesSet(_bits.Span, keyHash, NumProbes);

    /// <summary>
    /// Point queries probe the whole key. This filter holds no prefixes, so prefix queries always might match.
    /// </summary>
    public bool MightMatch(in FilterQuery query)
        => query.Kind != FilterTargetKind.Point || MightContain(query.Bytes.Span);

    /// <inheritdoc />
    public void Encode(Span<byte> destination)
    {
        if (destination.Length < EncodedLength)
        {
            throw new ArgumentException($"The destination holds {destination.Length} bytes; the filter needs {EncodedLength}.", nameof(destination));
        }

        BinaryPrimitives.WriteUInt16BigEndian(destination, NumProbes);
        _bits.Span.CopyTo(destination[HeaderLength..]);
    }

    /// <summary>The encoded filter as a new array.</summary>
    public byte[] ToArray()
    {
        var encoded = new byte[EncodedLength];
        Encode(encoded);
        return encoded;
    }
}
