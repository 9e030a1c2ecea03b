using SlateDB.Format.Rows;

namespace SlateDB.Format.Blocks;

/// <summary>
/// Iterator over a V2 block. Rows are prefix-compressed against the previous row, so the iterator decodes a
/// whole restart region (the rows from one restart point to the next) at a time and steps through it in
/// either direction. Rebuilt keys of a region share one freshly allocated array, or space in the
/// <see cref="KeyArena"/> when the reader gives one; keys stored whole (at restart points) and repeated keys share
/// memory with the block or the previous key.
/// </summary>
internal sealed class BlockIteratorV2 : BlockIterator
{
    /// <summary>
    /// The most key bytes one region may expand to. SlateDB writes 16 rows per region with keys of at most
    /// 64 KiB, so about 1 MiB at worst; more means the block is corrupt (and guards against a small block
    /// forcing a huge allocation).
    /// </summary>
    internal const int MaxRegionKeyBytes = 16 * 1024 * 1024;

    private ReadOnlyMemory<byte> _data;
    private int _restartCount;
    private RowEntry[] _rows = new RowEntry[BlockBuilderV2.DefaultRestartInterval];
    private int[] _shared = new int[BlockBuilderV2.DefaultRestartInterval];
    private int _rowCount;
    private int _region = -1;
    private int _index = -1;

    public BlockIteratorV2(Block block)
        : base(block)
    {
        _data = block.Data;
        _restartCount = block.OffsetCount;
    }

    public override bool IsValid => _index >= 0;

    /// <summary>
    /// Where rebuilt keys go instead of a new array per region (null: new arrays). The reader that sets it releases
    /// the arena's chunks only once no row over them is handed out any more.
    /// </summary>
    public RegionKeyArena? KeyArena { get; set; }

    private protected override void ResetCore(Block block)
    {
        _data = block.Data;
        _restartCount = block.OffsetCount;
        _rowCount = 0;
        _region = -1;
        _index = -1;
    }

    private protected override RowEntry CurrentCore => _rows[_index];

    public override void SeekToFirst()
    {
        LoadRegion(0);
        _index = 0;
    }

    public override void SeekToLast()
    {
        LoadRegion(_restartCount - 1);
        _index = _rowCount - 1;
    }

    public override void Seek(ReadOnlySpan<byte> key)
    {
        // The first restart whose key is >= key; matches may start in the region before it.
        int low = 0, high = _restartCount;
        while (low < high)
        {
            var mid = low + ((high - low) / 2);
            if (Block.RestartKeyV2(mid).SequenceCompareTo(key) < 0)
            {
                low = mid + 1;
            }
            else
            {
                high = mid;
            }
        }

        for (var region = Math.Max(low - 1, 0); region < _restartCount; region++)
        {
            LoadRegion(region);
            for (var i = 0; i < _rowCount; i++)
            {
                if (_rows[i].Key.Span.SequenceCompareTo(key) >= 0)
                {
                    _index = i;
                    return;
                }
            }
        }

        Invalidate();
    }

    public override void SeekForPrev(ReadOnlySpan<byte> key)
    {
        // The first restart whose key is > key; the answer lies in a region before it.
        int low = 0, high = _restartCount;
        while (low < high)
        {
            var mid = low + ((high - low) / 2);
            if (Block.RestartKeyV2(mid).SequenceCompareTo(key) <= 0)
            {
                low = mid + 1;
            }
            else
            {
                high = mid;
            }
        }

        for (var region = low - 1; region >= 0; region--)
        {
            LoadRegion(region);
            for (var i = _rowCount - 1; i >= 0; i--)
            {
                if (_rows[i].Key.Span.SequenceCompareTo(key) <= 0)
                {
                    _index = i;
                    return;
                }
            }
        }

        Invalidate();
    }

    private protected override bool NextCore()
    {
        if (_index + 1 < _rowCount)
        {
            _index++;
        }
        else if (_region + 1 < _restartCount)
        {
            LoadRegion(_region + 1);
            _index = 0;
        }
        else
        {
            Invalidate();
        }

        return IsValid;
    }

    private protected override bool PrevCore()
    {
        if (_index > 0)
        {
            _index--;
        }
        else if (_region > 0)
        {
            LoadRegion(_region - 1);
            _index = _rowCount - 1;
        }
        else
        {
            Invalidate();
        }

        return IsValid;
    }

    private void Invalidate()
    {
        _index = -1;
    }

    /// <summary>Decodes every row of restart region <paramref name="region"/> and rebuilds their keys.</summary>
    private void LoadRegion(int region)
    {
        _index = -1;
        _region = -1;
        _rowCount = 0;
        var objectName = Block.ObjectName;
        var start = Block.OffsetAt(region);
        var end = Block.EndOfOffset(region);

        // First pass: decode the rows (keys hold only their suffix for now) and size the rebuilt keys.
        // Slicing to the region's end makes a row that overruns the next restart point corrupt.
        var source = _data[..end];
        var position = start;
        var count = 0;
        var previousLength = 0;
        long arenaLength = 0;
        while (position < end)
        {
            var row = RowCodecV2.Decode(source, ref position, objectName);
            if (count == 0 && row.SharedLength != 0)
            {
                Corruption.Throw(objectName, $"the row at restart point {region} shares {row.SharedLength} key bytes; it must share none");
            }

            if (row.SharedLength > previousLength)
            {
                Corruption.Throw(objectName, $"row shares {row.SharedLength} key bytes with a previous key of only {previousLength} bytes");
            }

            if (NeedsArena(row.SharedLength, row.KeySuffix.Length, previousLength))
            {
                arenaLength += row.KeyLength;
                if (arenaLength > MaxRegionKeyBytes)
                {
                    Corruption.Throw(objectName, $"restart region {region} expands to more than {MaxRegionKeyBytes} key bytes");
                }
            }

            if (count == _rows.Length)
            {
                Array.Resize(ref _rows, count * 2);
                Array.Resize(ref _shared, count * 2);
            }

            _rows[count] = row.ToRowEntry(row.KeySuffix);
            _shared[count] = row.SharedLength;
            count++;
            previousLength = row.KeyLength;
        }

        // Second pass: rebuild the keys, all in one array for the region.
        var arena = arenaLength == 0 ? Memory<byte>.Empty
            : KeyArena is { } keyArena ? keyArena.Allocate((int)arenaLength)
            : new byte[arenaLength];
        var arenaSpan = arena.Span;
        var arenaPosition = 0;
        var previousKey = ReadOnlyMemory<byte>.Empty;
        for (var i = 0; i < count; i++)
        {
            var shared = _shared[i];
            var key = _rows[i].Key;
            if (shared != 0)
            {
                if (NeedsArena(shared, key.Length, previousKey.Length))
                {
                    var length = shared + key.Length;
                    var target = arenaSpan.Slice(arenaPosition, length);
                    previousKey.Span[..shared].CopyTo(target);
                    key.Span.CopyTo(target[shared..]);
                    key = arena.Slice(arenaPosition, length);
                    arenaPosition += length;
                }
                else
                {
                    key = previousKey;
                }

                _rows[i] = _rows[i] with { Key = key };
            }

            previousKey = key;
        }

        _rowCount = count;
        _region = region;
    }

    /// <summary>A row needs a rebuilt key unless it stores its key whole or repeats the previous key.</summary>
    private static bool NeedsArena(int sharedLength, int suffixLength, int previousLength)
        => sharedLength != 0 && !(suffixLength == 0 && sharedLength == previousLength);
}
