namespace SlateDB.Format.Filters;

/// <summary>
/// Builds a <see cref="BloomFilter"/> over whole keys. Each added key is hashed at once and the hash kept; the
/// bit array is sized when the filter is built, from the number of hashes added (so a key added twice, as when
/// an SST holds two versions of it, counts twice). Not thread-safe.
/// </summary>
internal sealed class BloomFilterBuilder : IFilterBuilder
{
    // Hashes go into chunks that double from 1,024 up to 8,192 hashes (64 KiB, off the large object heap) and are
    // never copied.
    private const int FirstChunkLength = 1024;
    private const int MaxChunkLength = 8192;

    private readonly int _bitsPerKey;
    private readonly List<ulong[]> _chunks = [];
    private ulong[] _current = [];
    private int _used;
    private int _count;

    /// <summary>Creates a builder giving each entry <paramref name="bitsPerKey"/> bits.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bitsPerKey"/> is less than 1.</exception>
    public BloomFilterBuilder(int bitsPerKey)
    {
        // Zero bits per key would build empty filters, which answer "absent" for every key.
        ArgumentOutOfRangeException.ThrowIfLessThan(bitsPerKey, 1);
        _bitsPerKey = bitsPerKey;
    }

    /// <summary>Entries added so far.</summary>
    public int Count => _count;

    /// <summary>Adds the row's key; every version of a key is added again.</summary>
    public void Add(in RowEntry entry) => AddKey(entry.Key.Span);

    /// <summary>Adds one key.</summary>
    public void AddKey(ReadOnlySpan<byte> key) => AddHash(SipHash13.Hash(key));

    /// <summary>Adds one entry by its SipHash-1-3 hash.</summary>
    public void AddHash(ulong keyHash)
    {
        if (_used == _current.Length)
        {
            _current = new ulong[Math.Min(MaxChunkLength, Math.Max(FirstChunkLength, _current.Length * 2))];
            _chunks.Add(_current);
            _used = 0;
        }

        _current[_used++] = keyHash;
        _count++;
    }

    /// <inheritdoc />
    public IFilter Build() => BuildFilter();

    /// <summary>Builds the filter from every entry added so far.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Too many entries for SlateDB's 32-bit bit counter.</exception>
    public BloomFilter BuildFilter()
    {
        ushort numProbes = BloomLayout.NumProbes(_bitsPerKey);
        var bits = new byte[BloomLayout.FilterBytes(_count, _bitsPerKey)];
        if (bits.Length > 0)
        {
            var remaining = _count;
            foreach (var chunk in _chunks)
            {
                var length = Math.Min(chunk.Length, remaining);
                for (var i = 0; i < length; i++)
                {
                    BloomLayout.SetProbes(bits, chunk[i], numProbes);
                }

                remaining -= length;
            }
        }

        return new BloomFilter(numProbes, bits);
    }
}
