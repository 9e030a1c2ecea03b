using System.Buffers.Binary;

namespace SlateDB.Memtable;

/// <summary>
/// A whole-key filter over the keys put into one memtable (a blocked Bloom filter), so a point read of a key the
/// memtable does not hold costs one cache miss instead of a skip-list descent (about log2 n misses: some 20 at 500,000
/// rows). A read that misses every memtable, which is most reads of data already flushed, skips them all this way.
/// </summary>
/// <remarks>
/// <para>Layout: 64-byte blocks of eight words. A key's hash picks one block and one bit in each of its eight words, so
/// adding or probing a key touches one cache line. At the size <see cref="BytesFor"/> gives, a memtable of 16-byte keys
/// and 100-byte values gets about 30 bits per key (false positives well under 0.1%); rows as small as 30 bytes still get
/// about 8 (a few percent). A false positive only costs the descent the filter saves otherwise.</para>
/// <para>Threading: the memtable's single writer adds a key before it links the key's node (with a release write), so a
/// reader that can see the node sees the bits; a reader that sees a bit missing was not yet entitled to the row. Readers
/// use plain reads of whole words, which are atomic; bits are only ever set.</para>
/// </remarks>
internal sealed class MemtableKeyFilter
{
    /// <summary>The smallest and largest filter <see cref="BytesFor"/> gives.</summary>
    internal const int MinBytes = 4 * 1024, MaxBytes = 4 * 1024 * 1024;

    private const int WordsPerBlock = 8;

    private readonly ulong[] _words;
    private readonly ulong _blocks;

    /// <summary>Creates an empty filter of about <paramref name="bytes"/> bytes (whole 64-byte blocks, at least one).</summary>
    public MemtableKeyFilter(int bytes)
    {
        var blocks = Math.Max(1, bytes / (WordsPerBlock * sizeof(ulong)));
        _blocks = (ulong)blocks;
        _words = new ulong[blocks * WordsPerBlock];
    }

    /// <summary>The bytes the filter holds.</summary>
    public long SizeBytes => _words.Length * (long)sizeof(ulong);

    /// <summary>
    /// The filter size for a memtable that freezes at <paramref name="l0SstSizeBytes"/> of rows: a thirty-second of it
    /// (10 bits per key for rows of 40 estimated bytes), kept between <see cref="MinBytes"/> and <see cref="MaxBytes"/>.
    /// </summary>
    public static int BytesFor(long l0SstSizeBytes) => (int)Math.Clamp(l0SstSizeBytes / 32, MinBytes, MaxBytes);

    /// <summary>A 64-bit hash of <paramref name="key"/> (not stored anywhere: the filter lives as long as its memtable).</summary>
    public static ulong Hash(ReadOnlySpan<byte> key)
    {
        var h = 0x9E3779B97F4A7C15UL ^ (ulong)key.Length;
        var i = 0;
        for (; i + sizeof(ulong) <= key.Length; i += sizeof(ulong))
        {
            h = (h ^ BinaryPrimitives.ReadUInt64LittleEndian(key[i..])) * 0xBF58476D1CE4E5B9UL;
            h ^= h >> 31;
        }

        ulong tail = 0;
        for (; i < key.Length; i++)
        {
            tail = (tail << 8) | key[i];
        }

        h = (h ^ tail) * 0x94D049BB133111EBUL;
        h ^= h >> 32;
        h *= 0xD6E8FEB86659FD93UL;
        return h ^ (h >> 32);
    }

    /// <summary>Adds a key by its <see cref="Hash"/>. The memtable's writer only.</summary>
    public void Add(ulong hash)
    {
        var words = _words;
        var block = Block(hash);
        var bits = hash * 0x9E3779B97F4A7C15UL;
        for (var i = 0; i < WordsPerBlock; i++)
        {
            words[block + i] |= 1UL << (int)((bits >> (6 * i)) & 63);
        }
    }

    /// <summary>False when no key with this <see cref="Hash"/> was added; true when one may have been.</summary>
    public bool MightContain(ulong hash)
    {
        var words = _words;
        var block = Block(hash);
        var bits = hash * 0x9E3779B97F4A7C15UL;
        for (var i = 0; i < WordsPerBlock; i++)
        {
            if ((words[block + i] & (1UL << (int)((bits >> (6 * i)) & 63))) == 0)
            {
                return false;
            }
        }

        return true;
    }

    private int Block(ulong hash) => (int)(((hash >> 32) * _blocks) >> 32) * WordsPerBlock;
}
