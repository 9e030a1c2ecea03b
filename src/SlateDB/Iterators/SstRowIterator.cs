using SlateDB.Format;
using SlateDB.Format.Blocks;
using SlateDB.Manifest;
using SlateDB.Sst;

namespace SlateDB.Iterators;

/// <summary>How a scan fetches blocks: bytes per read (adjacent blocks together), reads in flight, caching.</summary>
internal readonly record struct BlockFetch(long ReadAheadBytes, int MaxFetchTasks, bool CacheBlocks)
{
    public static BlockFetch Default => new(1, 1, false);
}

/// <summary>
/// Rows of one SST within a range, in either direction. Blocks are fetched ahead of the reader: up to
/// <see cref="BlockFetch.MaxFetchTasks"/> reads in flight, each covering adjacent blocks up to
/// <see cref="BlockFetch.ReadAheadBytes"/>; cached blocks cost no read. Only the keys the view shows are returned.
/// </summary>
internal sealed class SstRowIterator(TableStore tables, SsTableView view, KeyRange scanRange, IterationOrder order, BlockFetch fetch) : IRowIterator
{
    private readonly KeyRange _range = ViewRange.Clip(scanRange, view.VisibleRange);
    private readonly Queue<Task<Block[]>> _inFlight = new();
    private readonly bool _ascending = order == IterationOrder.Ascending;
    private SstFile? _sst;
    private int _nextToFetch;
    private int _lastBlock;
    private Block[]? _blocks;
    private int _blockInUnit;
    private BlockIterator? _rows;
    private bool _firstBlock = true;
    private bool _done;
    private RowEntry _current;

    public RowEntry Current => _current;

    public async ValueTask<bool> MoveNextAsync(CancellationToken cancellationToken)
    {
        if (_done)
        {
            return false;
        }

        if (_sst is null && !await OpenAsync(cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        while (true)
        {
            if (_rows is { IsValid: true })
            {
                var row = _rows.Current;
                if (_ascending ? _range.IsAfterEnd(row.Key.Span) : _range.IsBeforeStart(row.Key.Span))
                {
                    return Finish();
                }

                // Step past the row captured above; it is the one to return.
                _ = _ascending ? _rows.Next() : _rows.Prev();

                if (_range.Contains(row.Key.Span))
                {
                    _current = row;
                    return true;
                }

                continue;
            }

            var block = await NextBlockAsync(cancellationToken).ConfigureAwait(false);
            if (block is null)
            {
                return Finish();
            }

            _rows = block.CreateIterator();
            Position(_rows);
        }
    }

    private async ValueTask<bool> OpenAsync(CancellationToken cancellationToken)
    {
        var info = view.Sst.Info;
        if (_range.IsEmpty)
        {
            return Finish();
        }

        if (_range.End is { } end && info.FirstEntry is { } first && info.SstType == SstKind.Compacted && RangeEndsBefore(end, first))
        {
            return Finish();
        }

        if (_range.Start is { } start && info.LastEntry is { } last && info.SstType == SstKind.Compacted && RangeStartsAfter(start, last))
        {
            return Finish();
        }

        _sst = await tables.OpenAsync(view.Sst, cancellationToken).ConfigureAwait(false);
        if (_sst.BlockCount == 0)
        {
            return Finish();
        }

        if (_ascending)
        {
            _nextToFetch = _range.Start is { } s ? _sst.FirstBlockFor(s.Span) : 0;
            _lastBlock = _range.End is { } e ? _sst.LastBlockFor(e.Span) : _sst.BlockCount - 1;
        }
        else
        {
            _nextToFetch = _range.End is { } e ? _sst.LastBlockFor(e.Span) : _sst.BlockCount - 1;
            _lastBlock = _range.Start is { } s ? _sst.FirstBlockFor(s.Span) : 0;
        }

        return true;
    }

    private bool RangeEndsBefore(ReadOnlyMemory<byte> end, ReadOnlyMemory<byte> firstKey)
    {
        var order = end.Span.SequenceCompareTo(firstKey.Span);
        return order < 0 || (order == 0 && !_range.EndInclusive);
    }

    private bool RangeStartsAfter(ReadOnlyMemory<byte> start, ReadOnlyMemory<byte> lastKey)
    {
        var order = start.Span.SequenceCompareTo(lastKey.Span);
        return order > 0 || (order == 0 && !_range.StartInclusive);
    }

    private void Position(BlockIterator rows)
    {
        var first = _firstBlock;
        _firstBlock = false;
        if (_ascending)
        {
            if (first && _range.Start is { } start)
            {
                rows.Seek(start.Span);
            }
            else
            {
                rows.SeekToFirst();
            }
        }
        else if (first && _range.End is { } end)
        {
            rows.SeekForPrev(end.Span);
        }
        else
        {
            rows.SeekToLast();
        }
    }

    private async ValueTask<Block?> NextBlockAsync(CancellationToken cancellationToken)
    {
        if (_blocks is not null && _blockInUnit < _blocks.Length)
        {
            return _blocks[_blockInUnit++];
        }

        FillPipeline();
        if (!_inFlight.TryDequeue(out var unit))
        {
            return null;
        }

        _blocks = await unit.WaitAsync(cancellationToken).ConfigureAwait(false);
        _blockInUnit = 0;
        FillPipeline();
        return _blocks.Length == 0 ? null : _blocks[_blockInUnit++];
    }

    /// <summary>Starts reads until <see cref="BlockFetch.MaxFetchTasks"/> are in flight or no block is left.</summary>
    private void FillPipeline()
    {
        var sst = _sst!;
        while (_inFlight.Count < Math.Max(1, fetch.MaxFetchTasks) && HasMoreToFetch())
        {
            // Take adjacent blocks in the scan's direction up to the read-ahead budget (at least one).
            var first = _nextToFetch;
            var count = 1;
            long bytes = sst.BlockRange(first).Length;
            while (true)
            {
                var candidate = _ascending ? first + count : first - count;
                if (_ascending ? candidate > _lastBlock : candidate < _lastBlock)
                {
                    break;
                }

                var size = sst.BlockRange(candidate).Length;
                if (bytes + size > fetch.ReadAheadBytes)
                {
                    break;
                }

                bytes += size;
                count++;
            }

            var lowest = _ascending ? first : first - count + 1;
            _nextToFetch = _ascending ? first + count : first - count;
            var reversed = !_ascending;
            _inFlight.Enqueue(FetchAsync(sst, lowest, count, reversed));
        }
    }

    private bool HasMoreToFetch() => _ascending ? _nextToFetch <= _lastBlock : _nextToFetch >= _lastBlock;

    private async Task<Block[]> FetchAsync(SstFile sst, int lowest, int count, bool reversed)
    {
        var blocks = await tables.ReadBlocksAsync(sst, lowest, count, fetch.CacheBlocks, CancellationToken.None).ConfigureAwait(false);
        if (reversed)
        {
            Array.Reverse(blocks);
        }

        return blocks;
    }

    private bool Finish()
    {
        _done = true;
        _rows = null;
        return false;
    }
}
