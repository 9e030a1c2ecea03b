using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using SlateDB.Format;

namespace SlateDB.Memtable;

/// <summary>
/// The memtable's sorted store (Rust <c>KVTable</c>): a skip list of <see cref="RowEntry"/> ordered by key
/// (ascending, unsigned bytewise) and then by sequence number (descending), so the newest version of a key
/// comes first. Several versions of one key coexist.
/// </summary>
/// <remarks>
/// <para>Threading: exactly one thread at a time may call <see cref="Put(in RowEntry)"/> (the engine serialises writes);
/// any number of threads may call <see cref="TryGet"/>, iterate and read the statistics at the same time,
/// without locks. A node is fully built before it is linked with a release write, and readers follow links
/// with acquire reads, so they never see a half-built entry. Readers may or may not see rows inserted after
/// they started; they always see every row inserted before.</para>
/// <para>Inserting a row whose (key, seq) is already present replaces that row (as Rust's memtable does);
/// the entry count does not change and the estimated size is adjusted. Readers see either the old or the new
/// row, never a mix.</para>
/// <para>Storage: nodes live in a <c>long</c> arena (key prefix, seq, key length, row address, links, key bytes
/// 8..32) and rows (header, key, value; see <see cref="StoredRow"/>) in a byte arena, so an insert allocates no
/// object, only an occasional arena chunk: about 60 bytes per entry besides the key and value for 16-byte keys,
/// and nothing the garbage collector has to trace per row. The table copies the key and value it is given, so
/// callers may reuse their buffers; rows it hands out are slices of its own copy, never mutated.</para>
/// <para>Speed: a search is bound by cache misses, one per node it moves onto. Each link carries a hint of its
/// target's key (KvTable.Hints.cs), so deciding not to move usually costs no miss; with that, p = 1/2 needs
/// fewer moves than p = 1/4 (about log2 n against 1.5 log2 n). The 8-byte prefix and the inline key bytes in
/// the node settle most remaining comparisons without touching the row.</para>
/// </remarks>
internal sealed partial class KvTable
{
    /// <summary>The tallest tower a node can have (p = 1/2: full speed up to 2^24 entries, correct beyond).</summary>
    public const int MaxHeight = 24;

    /// <summary>The level seed used when none is given.</summary>
    public const ulong DefaultLevelSeed = 0x5EED_5EED_5EED_5EEDUL;

    private readonly ChunkedArena<long> _nodes = new(NodeOffsetBits, 512);
    private readonly RowArena _data = new();
    private readonly int[] _preds = new int[MaxHeight];

    private readonly int _keyFilterBytes;
    private MemtableKeyFilter? _keyFilter;
    private ulong _rngState;
    private int _height = 1;
    private bool _frozen;

    // Statistics: written by the writer with Volatile.Write, read by anyone with Volatile.Read.
    private long _count;
    private long _size;
    private ulong _firstSeq = ulong.MaxValue;
    private ulong _lastSeq;
    private long _lastTick = long.MinValue;
    private bool _hasMerges;

    /// <summary>Creates an empty table whose tower heights come from a generator seeded with <paramref name="levelSeed"/>.</summary>
    /// <param name="levelSeed">Seeds the tower heights.</param>
    /// <param name="folder">
    /// The merge operator: with it, each merge operand is stored with a fold of the older operands of its key below it
    /// (KvTable.Folds.cs), which point reads use; without it, operands are only stored.
    /// </param>
    /// <param name="keyFilterBytes">
    /// The size of the whole-key filter point reads consult before searching (<see cref="MemtableKeyFilter"/>, made at the
    /// first put); 0 for none.
    /// </param>
    public KvTable(ulong levelSeed = DefaultLevelSeed, Merge.MergeFolder? folder = null, int keyFilterBytes = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(keyFilterBytes);
        _folder = folder;
        _keyFilterBytes = keyFilterBytes;
        var head = _nodes.Allocate(LinkSlot + MaxHeight);
        System.Diagnostics.Debug.Assert(head == Head, "The head node must sit at address 0.");
        Shape(ref _nodes.At(head)) = MakeShape(0, MaxHeight);

        // SplitMix64 turns any seed (including 0) into a well-mixed, non-zero xorshift state.
        var z = levelSeed + 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        _rngState = z == 0 ? 0x9E3779B97F4A7C15UL : z;
    }

    /// <summary>Number of distinct (key, seq) entries.</summary>
    public long EntryCount => Volatile.Read(ref _count);

    /// <summary>True when the table holds no entry.</summary>
    public bool IsEmpty => EntryCount == 0;

    /// <summary>Sum of <see cref="EstimateSize"/> over the entries: what the rows would roughly take when encoded.</summary>
    public long EstimatedSize => Volatile.Read(ref _size);

    /// <summary>Smallest sequence number inserted, or null when empty.</summary>
    public ulong? FirstSeq => IsEmpty ? null : Volatile.Read(ref _firstSeq);

    /// <summary>Largest sequence number inserted, or null when empty.</summary>
    public ulong? LastSeq => IsEmpty ? null : Volatile.Read(ref _lastSeq);

    /// <summary>Largest create timestamp (Unix ms) inserted, or <see cref="long.MinValue"/> when no row carried one.</summary>
    public long LastTick => Volatile.Read(ref _lastTick);

    /// <summary>True once <see cref="Freeze"/> was called: the table then rejects inserts.</summary>
    public bool IsFrozen => Volatile.Read(ref _frozen);

    /// <summary>
    /// A snapshot of the statistics. Each figure is read atomically, but while the writer runs the figures may
    /// come from slightly different moments.
    /// </summary>
    public KvTableMetadata Metadata => new(EntryCount, EstimatedSize, FirstSeq, LastSeq, LastTick);

    /// <summary>
    /// SlateDB's estimate of a row's size (Rust <c>RowEntry::estimated_size</c>): key + value + 8 bytes of seq,
    /// plus 8 for each timestamp present. The engine compares the sum with <c>l0_sst_size_bytes</c> to freeze.
    /// </summary>
    public static long EstimateSize(in RowEntry row)
    {
        long size = row.Key.Length + row.Value.Length + sizeof(ulong);
        if (row.CreateTs.HasValue)
        {
            size += sizeof(long);
        }

        if (row.ExpireTs.HasValue)
        {
            size += sizeof(long);
        }

        return size;
    }

    /// <summary>True once a merge operand was inserted.</summary>
    public bool HasMerges => Volatile.Read(ref _hasMerges);

    /// <summary>Marks the table read-only; later <see cref="Put(in RowEntry)"/> calls throw. Called by the writer thread.</summary>
    public void Freeze() => Volatile.Write(ref _frozen, true);

    /// <summary>Bytes the table's row arena holds (allocated chunks, used or not).</summary>
    public long ArenaBytes => _data.AllocatedBytes;

    /// <summary>Bytes the whole-key filter holds (0 before the first put, or without one).</summary>
    public long KeyFilterBytes => Volatile.Read(ref _keyFilter)?.SizeBytes ?? 0;

    /// <summary>
    /// Bytes the table holds in memory, as a memory budget counts them: its row arena's and node arena's chunks (used or
    /// not), its key filter and its point-read index. <see cref="EstimatedSize"/> (SlateDB's row estimate, which decides when a memtable is
    /// frozen) leaves the row headers, the nodes and the filter out: for 16-byte keys and 100-byte values the table
    /// takes about 1.4 times that estimate.
    /// </summary>
    public long MemoryBytes => ArenaBytes + (_nodes.CapacitySlots * sizeof(long)) + KeyFilterBytes + KeyIndexBytes;

    /// <summary>
    /// Inserts a copy of <paramref name="row"/>, or replaces the row with the same key and seq. Writer thread only.
    /// </summary>
    /// <exception cref="InvalidOperationException">The table is frozen.</exception>
    public void Put(in RowEntry row) => Put(row, out _);

    /// <summary>
    /// Inserts a copy of <paramref name="row"/>, or replaces the row with the same key and seq, and returns in
    /// <paramref name="stored"/> the row as the table keeps it (key and value slices of the table's copy, which
    /// never changes). Writer thread only.
    /// </summary>
    /// <exception cref="InvalidOperationException">The table is frozen.</exception>
    public void Put(in RowEntry row, out RowEntry stored)
    {
        if (_frozen)
        {
            throw new InvalidOperationException("The memtable is frozen and accepts no more rows.");
        }

        var key = row.Key.Span;
        if (key.Length > MaxKeyLength)
        {
            throw new ArgumentException($"Keys are limited to {MaxKeyLength} bytes.", nameof(row));
        }

        // Seq and tick statistics go first: a reader that sees the new entry count then sees them too.
        if (row.CreateTs is { } createTs && createTs > _lastTick)
        {
            Volatile.Write(ref _lastTick, createTs);
        }

        if (row.Seq > _lastSeq)
        {
            Volatile.Write(ref _lastSeq, row.Seq);
        }

        if (row.Seq < _firstSeq)
        {
            Volatile.Write(ref _firstSeq, row.Seq);
        }

        if (row.Kind == RowKind.Merge && !_hasMerges)
        {
            Volatile.Write(ref _hasMerges, true);
        }

        var keyHash = FilterHash(key);
        AddToKeyFilter(keyHash);
        var prefix = KeyPrefix(key);
        var preds = _preds;
        var hint = HintFor(prefix);
        var found = FindGreaterOrEqual(prefix, key, row.Seq, hint, preds);
        var replaces = MayMatch(found, hint) && CompareNode(ref _nodes.At((int)found), prefix, key, row.Seq) == 0;
        var fold = _folder is null ? default : PlanFold(row, prefix, found, hint, replaces, preds);

        // The copy is invisible to readers until a node links to it (with a release write).
        var rowLength = StoredRow.Length(row);
        var address = _data.Allocate(rowLength + (fold.Value is { } folded ? StoredFold.Length(folded.Length) : 0), out var chunk, out var offset);
        stored = StoredRow.Write(chunk, offset, row, hasFold: fold.Value is not null);
        if (fold.Value is { } foldValue)
        {
            StoredFold.Write(chunk, offset + rowLength, fold.Flags, fold.LowSeq, fold.CreateTs, foldValue);
        }

        if (replaces)
        {
            Replace((int)found, address, row);
        }
        else
        {
            var node = Insert(row, address, prefix, preds);
            if (_keyFilterBytes != 0)
            {
                IndexNode(keyHash, node, prefix, key, row.Seq);
            }
        }
    }

    /// <summary>
    /// Finds the newest version of <paramref name="key"/> whose seq is at most <paramref name="maxSeq"/>,
    /// whatever its kind (value, tombstone or merge operand: the caller interprets it).
    /// </summary>
    public bool TryGet(ReadOnlySpan<byte> key, ulong maxSeq, out RowEntry row)
    {
        var keyHash = FilterHash(key);
        if (!MayHoldKey(keyHash))
        {
            row = default;
            return false;
        }

        var prefix = KeyPrefix(key);
        var hint = HintFor(prefix);
        var found = FindForRead(keyHash, prefix, key, maxSeq, hint);
        if (MayMatch(found, hint) && CompareKey(ref _nodes.At((int)found), prefix, key) == 0)
        {
            row = RowOf((int)found);
            return true;
        }

        row = default;
        return false;
    }

    /// <summary>
    /// False when the whole-key filter rules out the key with this <see cref="MemtableKeyFilter.Hash"/> (any thread);
    /// true without a filter.
    /// </summary>
    internal bool MayHoldKey(ulong keyHash) => Volatile.Read(ref _keyFilter) is not { } filter || filter.MightContain(keyHash);

    /// <summary>The key's <see cref="MemtableKeyFilter.Hash"/> when the table keeps a filter and an index; 0 (unused) when not.</summary>
    private ulong FilterHash(ReadOnlySpan<byte> key) => _keyFilterBytes == 0 ? 0 : MemtableKeyFilter.Hash(key);

    /// <summary>Adds a key by its <see cref="MemtableKeyFilter.Hash"/> to the whole-key filter (made here at the first put) before its node is linked.</summary>
    private void AddToKeyFilter(ulong keyHash)
    {
        if (_keyFilterBytes == 0)
        {
            return;
        }

        var filter = _keyFilter;
        if (filter is null)
        {
            filter = new MemtableKeyFilter(_keyFilterBytes);
            Volatile.Write(ref _keyFilter, filter);
        }

        filter.Add(keyHash);
    }

    /// <summary>Iterates every entry, ascending.</summary>
    public KvTableIterator Iterate() => new(this, KeyBound.Unbounded, KeyBound.Unbounded, IterationOrder.Ascending);

    /// <summary>
    /// Iterates the entries whose key lies between <paramref name="start"/> and <paramref name="end"/>.
    /// Ascending yields keys ascending; descending yields keys descending. In both orders the versions of one
    /// key come newest (highest seq) first.
    /// </summary>
    public KvTableIterator Range(KeyBound start, KeyBound end, IterationOrder order) => new(this, start, end, order);

    /// <summary>Builds and links a node for the row copied at <paramref name="address"/> after <paramref name="preds"/>; returns the node.</summary>
    private int Insert(in RowEntry row, uint address, ulong prefix, int[] preds)
    {
        var height = RandomHeight();
        var currentHeight = _height;
        for (var level = currentHeight; level < height; level++)
        {
            preds[level] = Head;
        }

        var key = row.Key.Span;
        var inlineLength = InlineKeyLength(key.Length);
        var node = _nodes.Allocate(LinkSlot + height + ((inlineLength + 7) >> 3));
        ref var n = ref _nodes.At(node);
        n = (long)prefix;
        Unsafe.Add(ref n, SeqSlot) = (long)row.Seq;
        Shape(ref n) = MakeShape(key.Length, height);
        RowAddress(ref n) = (int)address;
        for (var level = 0; level < height; level++)
        {
            Link(ref n, level) = Link(ref _nodes.At(preds[level]), level);
        }

        if (inlineLength > 0)
        {
            key.Slice(sizeof(ulong), inlineLength).CopyTo(MemoryMarshal.CreateSpan(
                ref Unsafe.As<long, byte>(ref Unsafe.Add(ref n, LinkSlot + height)), inlineLength));
        }

        // Publish bottom-up, so a node reachable on a level is reachable on every level below it.
        var link = MakeLink(node, prefix);
        for (var level = 0; level < height; level++)
        {
            Volatile.Write(ref Link(ref _nodes.At(preds[level]), level), link);
        }

        if (height > currentHeight)
        {
            Volatile.Write(ref _height, height);
        }

        Volatile.Write(ref _count, _count + 1);
        Volatile.Write(ref _size, _size + EstimateSize(row));
        if (HintsEnabled && _count == HintSampleSize && !_hinted)
        {
            FixHintWindow();
        }

        return node;
    }

    private void Replace(int node, uint address, in RowEntry row)
    {
        ref var n = ref _nodes.At(node);
        var old = (uint)RowAddress(ref n);
        var oldSize = StoredRow.EstimatedSize(_data.ChunkOf(old), RowArena.OffsetOf(old), KeyLength(ref n));
        Volatile.Write(ref RowAddress(ref n), (int)address);
        Volatile.Write(ref _size, _size - oldSize + EstimateSize(row));
    }

    /// <summary>A tower height with P(height &gt; h) = 2^-h, capped at <see cref="MaxHeight"/> (xorshift64*).</summary>
    private int RandomHeight()
    {
        var x = _rngState;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        _rngState = x;
        var bits = x * 0x2545F4914F6CDD1DUL;
        return Math.Min(MaxHeight, 1 + BitOperations.LeadingZeroCount(bits));
    }
}
