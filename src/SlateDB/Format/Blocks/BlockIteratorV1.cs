using SlateDB.Format.Rows;

namespace SlateDB.Format.Blocks;

/// <summary>
/// Iterator over a V1 block: every entry has its own offset, so each step and each binary-search probe reads
/// one row directly. Keys are the first key's prefix plus the row's suffix.
/// </summary>
internal sealed class BlockIteratorV1 : BlockIterator
{
    private ReadOnlyMemory<byte> _data;
    private ReadOnlyMemory<byte> _firstKey;
    private int _count;
    private int _index = -1;
    private RowEntry _current;

    public BlockIteratorV1(Block block)
        : base(block)
    {
        _data = block.Data;
        _firstKey = block.FirstKeyV1;
        _count = block.OffsetCount;
    }

    public override bool IsValid => _index >= 0;

    private protected override void ResetCore(Block block)
    {
        _data = block.Data;
        _firstKey = block.FirstKeyV1;
        _count = block.OffsetCount;
        _index = -1;
        _current = default;
    }

    private protected override RowEntry CurrentCore => _current;

    public override void SeekToFirst() => MoveTo(0);

    public override void SeekToLast() => MoveTo(_count - 1);

    public override void Seek(ReadOnlySpan<byte> key)
    {
        // First entry with entry key >= key.
        int low = 0, high = _count;
        while (low < high)
        {
            var mid = low + ((high - low) / 2);
            if (CompareKeyAt(mid, key) < 0)
            {
                low = mid + 1;
            }
            else
            {
                high = mid;
            }
        }

        MoveTo(low);
    }

    public override void SeekForPrev(ReadOnlySpan<byte> key)
    {
        // Last entry with entry key <= key: one before the first entry with entry key > key.
        int low = 0, high = _count;
        while (low < high)
        {
            var mid = low + ((high - low) / 2);
            if (CompareKeyAt(mid, key) <= 0)
            {
                low = mid + 1;
            }
            else
            {
                high = mid;
            }
        }

        MoveTo(low - 1);
    }

    private protected override bool NextCore()
    {
        MoveTo(_index + 1);
        return IsValid;
    }

    private protected override bool PrevCore()
    {
        MoveTo(_index - 1);
        return IsValid;
    }

    private void MoveTo(int index)
    {
        if (index < 0 || index >= _count)
        {
            _index = -1;
            _current = default;
            return;
        }

        var start = Block.OffsetAt(index);
        var end = Block.EndOfOffset(index);
        var position = start;

        // Slicing to the entry's extent makes a row that overruns into the next entry corrupt.
        var row = RowCodecV1.Decode(_data[..end], ref position, Block.ObjectName);
        _current = row.ToRowEntry(row.RestoreKey(_firstKey, Block.ObjectName));
        _index = index;
    }

    private int CompareKeyAt(int index, ReadOnlySpan<byte> target)
    {
        var data = _data.Span[..Block.EndOfOffset(index)];
        RowCodecV1.DecodeKey(data, Block.OffsetAt(index), Block.ObjectName, out var shared, out var suffixStart, out var suffixLength);
        if (shared > _firstKey.Length)
        {
            Corruption.Throw(Block.ObjectName, $"row shares {shared} key bytes with a first key of only {_firstKey.Length} bytes");
        }

        return CompareSplitKey(_firstKey.Span[..shared], data.Slice(suffixStart, suffixLength), target);
    }
}
