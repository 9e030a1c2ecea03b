using System.Buffers.Binary;
using System.Text;

namespace SlateDB.Format.Filters;

/// <summary>
/// Encodes and decodes an SST's raw filter block (before compression and checksum, which the SST layer adds).
/// <list type="bullet">
/// <item><see cref="FilterFormat.Legacy"/>: the block is one bloom filter's bytes.</item>
/// <item><see cref="FilterFormat.Composite"/>: <c>num_filters</c> (u16 BE), then per filter <c>name_len</c>
/// (u16 BE), the policy name (UTF-8), <c>data_len</c> (u64 BE) and the policy's data.</item>
/// </list>
/// SlateDB 0.12.1 writes and reads only legacy blocks (it would misread a composite block as a bloom filter and
/// skip SSTs that hold the key), while 0.13 and later read both. So <see cref="Encode"/> writes a legacy block
/// whenever the filters are exactly one <c>_bf</c> bloom filter, and a composite block only when more is needed.
/// </summary>
internal static class FilterBlockCodec
{
    private const int CountLength = sizeof(ushort);
    private const int NameLengthLength = sizeof(ushort);
    private const int DataLengthLength = sizeof(ulong);

    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The format <see cref="Encode"/> chooses for <paramref name="filters"/>.</summary>
    public static FilterFormat ChooseFormat(IReadOnlyList<NamedFilter> filters)
    {
        ArgumentNullException.ThrowIfNull(filters);
        return filters.Count == 1
            && string.Equals(filters[0].Name, BloomFilterPolicy.BaseName, StringComparison.Ordinal)
            && filters[0].Filter is BloomFilter
                ? FilterFormat.Legacy
                : FilterFormat.Composite;
    }

    /// <summary>
    /// Encodes <paramref name="filters"/> in the format <see cref="ChooseFormat"/> picks, which the SST layer
    /// records as the SST's <c>filter_format</c> (leaving the field out for <see cref="FilterFormat.Legacy"/>,
    /// as SlateDB 0.12.1 does). Write no filter block at all when there are no filters.
    /// </summary>
    public static byte[] Encode(IReadOnlyList<NamedFilter> filters, out FilterFormat format)
    {
        format = ChooseFormat(filters);
        return format == FilterFormat.Legacy ? EncodeLegacy(filters[0].Filter) : EncodeComposite(filters);
    }

    /// <summary>A legacy block: just the filter's own bytes.</summary>
    public static byte[] EncodeLegacy(IFilter filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var block = new byte[filter.EncodedLength];
        filter.Encode(block);
        return block;
    }

    /// <summary>A composite block holding <paramref name="filters"/> in order.</summary>
    /// <exception cref="ArgumentException">More than 65,535 filters, or a name longer than 65,535 UTF-8 bytes.</exception>
    public static byte[] EncodeComposite(IReadOnlyList<NamedFilter> filters)
    {
        ArgumentNullException.ThrowIfNull(filters);
        if (filters.Count > ushort.MaxValue)
        {
            throw new ArgumentException($"A filter block holds at most {ushort.MaxValue} filters, not {filters.Count}.", nameof(filters));
        }

        var names = new byte[filters.Count][];
        long total = CountLength;
        for (int i = 0; i < filters.Count; i++)
        {
            names[i] = s_strictUtf8.GetBytes(filters[i].Name);
            if (names[i].Length > ushort.MaxValue)
            {
                throw new ArgumentException($"Filter policy name of {names[i].Length} bytes is longer than {ushort.MaxValue}.", nameof(filters));
            }

            total += NameLengthLength + names[i].Length + DataLengthLength + filters[i].Filter.EncodedLength;
        }

        var block = new byte[checked((int)total)];
        Span<byte> rest = block;
        BinaryPrimitives.WriteUInt16BigEndian(rest, (ushort)filters.Count);
        rest = rest[CountLength..];
        for (int i = 0; i < filters.Count; i++)
        {
            IFilter filter = filters[i].Filter;
            BinaryPrimitives.WriteUInt16BigEndian(rest, (ushort)names[i].Length);
            names[i].CopyTo(rest[NameLengthLength..]);
            rest = rest[(NameLengthLength + names[i].Length)..];
            BinaryPrimitives.WriteUInt64BigEndian(rest, (ulong)filter.EncodedLength);
            filter.Encode(rest.Slice(DataLengthLength, filter.EncodedLength));
            rest = rest[(DataLengthLength + filter.EncodedLength)..];
        }

        return block;
    }

    /// <summary>
    /// An estimate of the raw block length for <paramref name="numKeys"/> rows under <paramref name="policies"/>
    /// (composite framing included; compression and checksum not).
    /// </summary>
    public static long EstimateEncodedLength(IReadOnlyList<IFilterPolicy> policies, long numKeys)
    {
        ArgumentNullException.ThrowIfNull(policies);
        if (policies.Count == 0)
        {
            return 0;
        }

        long total = CountLength;
        foreach (IFilterPolicy policy in policies)
        {
            total += NameLengthLength + Encoding.UTF8.GetByteCount(policy.Name) + DataLengthLength + policy.EstimateEncodedLength(numKeys);
        }

        return total;
    }

    /// <summary>
    /// Decodes a raw filter block into the filters <paramref name="policies"/> can use. Filters stored under a
    /// name no policy has are skipped (their bytes are not inspected); an empty result means "no filter". The
    /// filters may keep references into <paramref name="block"/>, which must not change afterwards.
    /// </summary>
    /// <exception cref="SlateDbException">The block is malformed (kind <see cref="SlateDbErrorKind.Data"/>).</exception>
    public static IReadOnlyList<NamedFilter> Decode(
        FilterFormat format, ReadOnlyMemory<byte> block, IReadOnlyList<IFilterPolicy> policies, string objectName)
        => format switch
        {
            FilterFormat.Legacy => DecodeLegacy(block, policies, objectName),
            FilterFormat.Composite => DecodeComposite(block, policies, objectName),
            _ => throw SlateDbException.Corrupt(objectName, $"unknown filter format {(byte)format}"),
        };

    /// <summary>
    /// A legacy block is decoded by the policy named exactly <c>_bf</c>, if one is configured (as SlateDB 0.13+
    /// does); without one the SST is read as having no filter.
    /// </summary>
    public static IReadOnlyList<NamedFilter> DecodeLegacy(ReadOnlyMemory<byte> block, IReadOnlyList<IFilterPolicy> policies, string objectName)
    {
        ArgumentNullException.ThrowIfNull(policies);
        IFilterPolicy? bloom = FindPolicy(policies, BloomFilterPolicy.BaseName);
        return bloom is null ? [] : [new NamedFilter(bloom.Name, bloom.Decode(block, objectName))];
    }

    /// <summary>
    /// Decodes a composite block. Every length is checked against the bytes that remain before anything is
    /// sliced, so a corrupt <c>data_len</c> cannot cause a large allocation. Bytes after the last filter are
    /// ignored, as SlateDB ignores them.
    /// </summary>
    public static IReadOnlyList<NamedFilter> DecodeComposite(ReadOnlyMemory<byte> block, IReadOnlyList<IFilterPolicy> policies, string objectName)
    {
        ArgumentNullException.ThrowIfNull(policies);
        if (block.Length < CountLength)
        {
            throw Corrupt(objectName, $"block of {block.Length} bytes has no filter count");
        }

        int count = BinaryPrimitives.ReadUInt16BigEndian(block.Span);
        int pos = CountLength;
        var filters = new List<NamedFilter>();
        for (int i = 0; i < count; i++)
        {
            if (block.Length - pos < NameLengthLength)
            {
                throw Corrupt(objectName, $"filter {i} of {count}: name length cut off at byte {pos}");
            }

            int nameLength = BinaryPrimitives.ReadUInt16BigEndian(block.Span[pos..]);
            pos += NameLengthLength;
            if (block.Length - pos < nameLength)
            {
                throw Corrupt(objectName, $"filter {i} of {count}: name of {nameLength} bytes runs past the block end");
            }

            string name = DecodeName(block.Span.Slice(pos, nameLength), objectName, i);
            pos += nameLength;
            if (block.Length - pos < DataLengthLength)
            {
                throw Corrupt(objectName, $"filter {i} ('{name}'): data length cut off at byte {pos}");
            }

            ulong dataLength = BinaryPrimitives.ReadUInt64BigEndian(block.Span[pos..]);
            pos += DataLengthLength;
            if (dataLength > (ulong)(block.Length - pos))
            {
                throw Corrupt(objectName, $"filter {i} ('{name}'): {dataLength} data bytes claimed, {block.Length - pos} left");
            }

            ReadOnlyMemory<byte> data = block.Slice(pos, (int)dataLength);
            pos += (int)dataLength;
            IFilterPolicy? policy = FindPolicy(policies, name);
            if (policy is not null)
            {
                filters.Add(new NamedFilter(policy.Name, policy.Decode(data, objectName)));
            }
        }

        return filters;
    }

    private static string DecodeName(ReadOnlySpan<byte> bytes, string objectName, int index)
    {
        try
        {
            return s_strictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException ex)
        {
            throw SlateDbException.Corrupt(objectName, $"invalid filter block: filter {index} has a policy name that is not UTF-8", ex);
        }
    }

    private static IFilterPolicy? FindPolicy(IReadOnlyList<IFilterPolicy> policies, string name)
    {
        foreach (IFilterPolicy policy in policies)
        {
            if (string.Equals(policy.Name, name, StringComparison.Ordinal))
            {
                return policy;
            }
        }

        return null;
    }

    private static SlateDbException Corrupt(string objectName, string detail)
        => SlateDbException.Corrupt(objectName, "invalid filter block: " + detail);
}
