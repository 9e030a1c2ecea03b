using System.Buffers.Binary;
using System.IO.Hashing;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using SlateDB.Format;

namespace SlateDB;

/// <summary>
/// Puts, deletes and merges applied atomically by <c>SlateDb.WriteAsync</c>: all of them get one sequence number and
/// become visible, and durable, together. A later put or delete on a key replaces earlier operations on it in the same
/// batch; merges accumulate after the key's put or delete, if any, and are folded with it by the database's merge
/// operator when the batch is written (as SlateDB pre-folds a batch's merges). Keys and values are copied when added,
/// so the caller may reuse its buffers.
/// </summary>
/// <remarks>
/// Operations are copied back to back into a few slabs (one array per slab, not two per operation), each starting with
/// a small header: flags (u8: delete bit 0, TTL bit 1, merge bit 2), key length (u16), value length (i32), the TTL if flagged,
/// then the key and the value. The batch finds a repeated key through a hash index once it holds more than a few
/// operations. The memtable copies rows again when the batch is written, so the slabs are short-lived.
/// </remarks>
public sealed class WriteBatch
{
    /// <summary>The longest key: 65,535 bytes.</summary>
    public const int MaxKeyLength = ushort.MaxValue;

    private const int IndexThreshold = 8;
    private const int FirstSlabLength = 256;
    private const int SlabOffsetBits = 16;
    private const int MaxSlabLength = 1 << SlabOffsetBits;
    private const int MaxSlabs = 1 << (31 - SlabOffsetBits);
    private const int HeaderLength = 1 + sizeof(ushort) + sizeof(int);
    private const byte DeleteFlag = 1;
    private const byte TtlFlag = 2;
    private const byte MergeFlag = 4;

    private static readonly int s_ttlLength = Unsafe.SizeOf<Ttl>();

    private readonly List<byte[]> _slabs = [];
    private byte[] _slab = [];
    private int _slabUsed;

    // Where each operation starts: slab number << SlabOffsetBits | offset in the slab. A replaced operation's entry
    // points to the replacement (its old bytes stay, unused).
    private int[] _positions = [];
    private int _count;

    // Open addressing over operation numbers + 1 (0 = empty slot); its length is a power of two.
    private int[]? _index;

    // A merge added over an earlier operation on its key: the merge's position -> the earlier operation's position.
    private Dictionary<int, int>? _previous;

    /// <summary>How many operations the batch holds (after replacements).</summary>
    public int Count => _count;

    /// <summary>True when the batch holds no operation.</summary>
    public bool IsEmpty => _count == 0;

    /// <summary>True when some operation is a merge: the database folds the batch's merges when it is written.</summary>
    internal bool HasMerges { get; private set; }

    /// <summary>Adds a put.</summary>
    /// <exception cref="ArgumentException">The key is empty or longer than <see cref="MaxKeyLength"/>.</exception>
    public WriteBatch Put(ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> value, PutOptions? options = null)
    {
        ValidateKey(key.Span);
        Add(key.Span, value.Span, RowKind.Value, (options ?? PutOptions.Default).Ttl);
        return this;
    }

    /// <summary>Adds a put of UTF-8 strings.</summary>
    public WriteBatch Put(string key, string value, PutOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        return Put(System.Text.Encoding.UTF8.GetBytes(key), System.Text.Encoding.UTF8.GetBytes(value), options);
    }

    /// <summary>Adds a put of a binary value (a <c>byte[]</c>, a slice of one, ...) under a UTF-8 string key.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is null.</exception>
    /// <exception cref="ArgumentException">The key is empty or longer than <see cref="MaxKeyLength"/> bytes in UTF-8.</exception>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "A string/bytes overload of a shipped method: overloads differ in a required parameter's type, which no argument converts to both, so omitting the optional ones is never ambiguous.")]
    public WriteBatch Put(string key, ReadOnlyMemory<byte> value, PutOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Put(System.Text.Encoding.UTF8.GetBytes(key), value, options);
    }

    /// <summary>Adds a delete.</summary>
    /// <exception cref="ArgumentException">The key is empty or longer than <see cref="MaxKeyLength"/>.</exception>
    public WriteBatch Delete(ReadOnlyMemory<byte> key)
    {
        ValidateKey(key.Span);
        Add(key.Span, [], RowKind.Tombstone, Ttl.Default);
        return this;
    }

    /// <summary>Adds a delete of a UTF-8 key.</summary>
    public WriteBatch Delete(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Delete(System.Text.Encoding.UTF8.GetBytes(key));
    }

    /// <summary>
    /// Adds a merge operand (SlateDB's <c>WriteBatch::merge</c>): folded by the database's merge operator with the
    /// key's earlier put, delete or merges in this batch, or written as an operand. Writing the batch fails with
    /// <see cref="SlateDbErrorKind.Invalid"/> when the database has no merge operator, or when one key's operations in
    /// the batch would expire at different times.
    /// </summary>
    /// <exception cref="ArgumentException">The key is empty or longer than <see cref="MaxKeyLength"/>.</exception>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "String and bytes overloads, as Put/PutAsync: they differ in a required parameter's type, which no argument converts to both, so omitting the optional ones is never ambiguous.")]
    public WriteBatch Merge(ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> operand, MergeOptions? options = null)
    {
        ValidateKey(key.Span);
        Add(key.Span, operand.Span, RowKind.Merge, (options ?? MergeOptions.Default).Ttl);
        HasMerges = true;
        return this;
    }

    /// <summary>Adds a merge of a UTF-8 string operand under a UTF-8 string key; see <see cref="Merge(ReadOnlyMemory{byte}, ReadOnlyMemory{byte}, MergeOptions?)"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> or <paramref name="operand"/> is null.</exception>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "String and bytes overloads, as Put/PutAsync: they differ in a required parameter's type, which no argument converts to both, so omitting the optional ones is never ambiguous.")]
    public WriteBatch Merge(string key, string operand, MergeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(operand);
        return Merge(System.Text.Encoding.UTF8.GetBytes(key), System.Text.Encoding.UTF8.GetBytes(operand), options);
    }

    /// <summary>Adds a merge of a binary operand under a UTF-8 string key; see <see cref="Merge(ReadOnlyMemory{byte}, ReadOnlyMemory{byte}, MergeOptions?)"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is null.</exception>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "A string/bytes overload, as Put: overloads differ in a required parameter's type, which no argument converts to both, so omitting the optional ones is never ambiguous.")]
    public WriteBatch Merge(string key, ReadOnlyMemory<byte> operand, MergeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Merge(System.Text.Encoding.UTF8.GetBytes(key), operand, options);
    }

    /// <summary>Checks a key: not empty and at most <see cref="MaxKeyLength"/> bytes.</summary>
    internal static void ValidateKey(ReadOnlySpan<byte> key, string paramName = "key")
    {
        if (key.IsEmpty)
        {
            throw new ArgumentException("A key must not be empty.", paramName);
        }

        if (key.Length > MaxKeyLength)
        {
            throw new ArgumentException($"A key must be at most {MaxKeyLength} bytes; this one has {key.Length}.", paramName);
        }
    }

    /// <summary>
    /// Operation <paramref name="index"/> (in the order first added), as slices of the batch's own copy; a merge reads
    /// as not a delete (see <see cref="GetOperationKind"/>).
    /// </summary>
    internal void GetOperation(int index, out ReadOnlyMemory<byte> key, out ReadOnlyMemory<byte> value, out bool isDelete, out Ttl ttl)
    {
        GetOperationKind(index, out key, out value, out var kind, out ttl);
        isDelete = kind == RowKind.Tombstone;
    }

    /// <summary>
    /// Operation <paramref name="index"/> (in the order first added): the key's newest operation in the batch. A merge
    /// may sit on earlier operations on its key (<see cref="HasEarlierOperations"/>, <see cref="GetOperationChain"/>).
    /// </summary>
    internal void GetOperationKind(int index, out ReadOnlyMemory<byte> key, out ReadOnlyMemory<byte> value, out RowKind kind, out Ttl ttl) =>
        Read(_positions[index], out key, out value, out kind, out ttl);

    /// <summary>True when operation <paramref name="index"/> is a merge added over earlier operations on its key.</summary>
    internal bool HasEarlierOperations(int index) => _previous is not null && _previous.ContainsKey(_positions[index]);

    /// <summary>
    /// Fills <paramref name="chain"/> with every operation on the key of operation <paramref name="index"/>, oldest
    /// first: a put, a delete or a merge, then merges.
    /// </summary>
    internal void GetOperationChain(int index, List<(ReadOnlyMemory<byte> Value, RowKind Kind, Ttl Ttl)> chain)
    {
        chain.Clear();
        var position = _positions[index];
        while (true)
        {
            Read(position, out _, out var value, out var kind, out var ttl);
            chain.Add((value, kind, ttl));
            if (_previous is null || !_previous.TryGetValue(position, out position))
            {
                break;
            }
        }

        chain.Reverse();
    }

    private void Read(int position, out ReadOnlyMemory<byte> key, out ReadOnlyMemory<byte> value, out RowKind kind, out Ttl ttl)
    {
        var slab = _slabs[position >> SlabOffsetBits];
        var offset = position & (MaxSlabLength - 1);
        var flags = slab[offset];
        var keyLength = BinaryPrimitives.ReadUInt16LittleEndian(slab.AsSpan(offset + 1));
        var valueLength = BinaryPrimitives.ReadInt32LittleEndian(slab.AsSpan(offset + 1 + sizeof(ushort)));
        var start = offset + HeaderLength;
        kind = (flags & DeleteFlag) != 0 ? RowKind.Tombstone : (flags & MergeFlag) != 0 ? RowKind.Merge : RowKind.Value;
        if ((flags & TtlFlag) != 0)
        {
            ttl = MemoryMarshal.Read<Ttl>(slab.AsSpan(start));
            start += s_ttlLength;
        }
        else
        {
            ttl = Ttl.Default;
        }

        key = new ReadOnlyMemory<byte>(slab, start, keyLength);
        value = valueLength == 0 ? ReadOnlyMemory<byte>.Empty : new ReadOnlyMemory<byte>(slab, start + keyLength, valueLength);
    }

    private void Add(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, RowKind kind, Ttl ttl)
    {
        var hasTtl = ttl != Ttl.Default;
        var length = (long)HeaderLength + (hasTtl ? s_ttlLength : 0) + key.Length + value.Length;
        if (length > Array.MaxLength)
        {
            throw new ArgumentException($"A value of {value.Length} bytes does not fit in a write batch.", nameof(value));
        }

        var position = Reserve((int)length, out var slab, out var offset);
        var destination = slab.AsSpan(offset, (int)length);
        destination[0] = (byte)((kind == RowKind.Tombstone ? DeleteFlag : 0) | (kind == RowKind.Merge ? MergeFlag : 0) | (hasTtl ? TtlFlag : 0));
        BinaryPrimitives.WriteUInt16LittleEndian(destination[1..], (ushort)key.Length);
        BinaryPrimitives.WriteInt32LittleEndian(destination[(1 + sizeof(ushort))..], value.Length);
        var start = HeaderLength;
        if (hasTtl)
        {
            MemoryMarshal.Write(destination[start..], in ttl);
            start += s_ttlLength;
        }

        key.CopyTo(destination[start..]);
        value.CopyTo(destination[(start + key.Length)..]);

        var existing = Find(key, out var hash);
        if (existing >= 0)
        {
            if (kind == RowKind.Merge)
            {
                // Merges accumulate over the key's earlier operations; a put or a delete replaces them all.
                (_previous ??= [])[position] = _positions[existing];
            }

            _positions[existing] = position;
            return;
        }

        if (_count == _positions.Length)
        {
            Array.Resize(ref _positions, Math.Max(8, _count * 2));
        }

        _positions[_count++] = position;
        if (_index is not null)
        {
            if (_count * 2 > _index.Length)
            {
                Reindex(_index.Length * 2);
            }
            else
            {
                Insert(_index, hash, _count - 1);
            }
        }
        else if (_count > IndexThreshold)
        {
            Reindex(32);
        }
    }

    /// <summary>Space for <paramref name="length"/> bytes in a slab; returns the position of its first byte.</summary>
    private int Reserve(int length, out byte[] slab, out int offset)
    {
        if (_slabUsed + length > _slab.Length)
        {
            if (_slabs.Count == MaxSlabs)
            {
                throw new InvalidOperationException("The write batch is full.");
            }

            // Slabs double up to 64 KiB (offsets fit 16 bits; slabs stay off the large object heap). An operation
            // larger than that gets a slab of its own, always at offset 0.
            var size = Math.Min(MaxSlabLength, Math.Max(FirstSlabLength, _slab.Length * 2));
            _slab = new byte[Math.Max(size, length)];
            _slabs.Add(_slab);
            _slabUsed = 0;
        }

        slab = _slab;
        offset = _slabUsed;
        _slabUsed += length;
        return ((_slabs.Count - 1) << SlabOffsetBits) | offset;
    }

    /// <summary>The number of the operation on <paramref name="key"/>, or -1; the key's hash once the index exists.</summary>
    private int Find(ReadOnlySpan<byte> key, out uint hash)
    {
        if (_index is null)
        {
            hash = 0;
            for (var i = 0; i < _count; i++)
            {
                if (KeyOf(i).SequenceEqual(key))
                {
                    return i;
                }
            }

            return -1;
        }

        hash = Hash(key);
        var mask = _index.Length - 1;
        for (var slot = (int)(hash & mask); ; slot = (slot + 1) & mask)
        {
            var entry = _index[slot];
            if (entry == 0)
            {
                return -1;
            }

            if (KeyOf(entry - 1).SequenceEqual(key))
            {
                return entry - 1;
            }
        }
    }

    private void Reindex(int length)
    {
        var index = new int[length];
        for (var i = 0; i < _count; i++)
        {
            Insert(index, Hash(KeyOf(i)), i);
        }

        _index = index;
    }

    private static void Insert(int[] index, uint hash, int operation)
    {
        var mask = index.Length - 1;
        var slot = (int)(hash & mask);
        while (index[slot] != 0)
        {
            slot = (slot + 1) & mask;
        }

        index[slot] = operation + 1;
    }

    private ReadOnlySpan<byte> KeyOf(int operation)
    {
        var position = _positions[operation];
        var slab = _slabs[position >> SlabOffsetBits];
        var offset = position & (MaxSlabLength - 1);
        var keyLength = BinaryPrimitives.ReadUInt16LittleEndian(slab.AsSpan(offset + 1));
        var start = offset + HeaderLength + ((slab[offset] & TtlFlag) != 0 ? s_ttlLength : 0);
        return slab.AsSpan(start, keyLength);
    }

    private static uint Hash(ReadOnlySpan<byte> key) => (uint)XxHash3.HashToUInt64(key);
}
