using SlateDB.Format;
using SlateDB.Format.Blocks;
using SlateDB.Manifest;
using SlateDB.Sst;

namespace SlateDB.Iterators;

/// <summary>
/// Rows of one SST within a range, in either direction. Blocks are fetched ahead of the reader: up to
/// <see cref="BlockFetch.MaxFetchTasks"/> reads in flight, each covering adjacent blocks up to the
/// <see cref="ReadAheadWindow"/> (the configured read-ahead, grown while the scan stays sequential); cached blocks cost
/// no read. Only the keys the view shows are returned. A row of a block already in memory is returned without waiting.
/// Reads ahead run on the iterator's own token (the caller's token only bounds each wait), cancelled when the iterator is
/// disposed: an abandoned scan leaves no read running.
/// </summary>
internal sealed class SstRowIterator : IRowIterator
{
    private readonly TableStore _tables;
    private readonly SsTableView _view;
    private readonly BlockFetch _fetch;
    private readonly KeyRange _range;
    private readonly Queue<Task<BlockRun>> _inFlight = new();
    private readonly bool _ascending;

    /// <summary>Whether rows may lie past the far end of the range (it is bounded in the scan's direction).</summary>
    private readonly bool _checkFarBound;
    private ReadAheadWindow _window;
    private long _lastStartedBytes;

    /// <summary>Whether rows may still lie before the near end of the range: true until one row is inside it.</summary>
    private bool _checkNearBound;
    private SstFile? _sst;
    private int _nextToFetch;
    private int _lastBlock;
    private BlockRun? _run;
    private int _blockInUnit;
    private BlockIterator? _rows;

    /// <summary>The block iterator, kept across blocks (reset onto each) so its buffers are allocated once per SST.</summary>
    private BlockIterator? _blockIterator;
    /// <summary>
    /// With pooled buffers: where the block iterator rebuilds keys, its chunks retired like the blocks' buffers (filled
    /// ones at each block boundary, when every row of the blocks left has been returned; the rest when the iterator ends).
    /// </summary>
    private readonly RegionKeyArena? _keyArena;
    private bool _firstBlock = true;
    private bool _done;

    /// <summary>Cancels the reads ahead on dispose; created with the first read, so an SST never read costs none.</summary>
    private CancellationTokenSource? _reads;
    private RowEntry _current;

    /// <param name="tables">Reads the SST.</param>
    /// <param name="view">The SST and the keys it shows.</param>
    /// <param name="scanRange">The keys to return (clipped to what the view shows).</param>
    /// <param name="order">The direction.</param>
    /// <param name="fetch">How blocks are fetched.</param>
    /// <param name="carriedReadAhead">A read size already reached by the scan (the previous SST of a sorted run), or 0.</param>
    public SstRowIterator(TableStore tables, SsTableView view, KeyRange scanRange, IterationOrder order, BlockFetch fetch, long carriedReadAhead = 0)
    {
        _tables = tables;
        _view = view;
        _fetch = fetch;
        _range = ViewRange.Clip(scanRange, view.VisibleRange);
        _ascending = order == IterationOrder.Ascending;
        _checkFarBound = _ascending ? _range.End is not null : _range.Start is not null;
        _checkNearBound = _ascending ? _range.Start is not null : _range.End is not null;
        _window = new ReadAheadWindow(fetch, carriedReadAhead);
        if (fetch.Buffers is { } buffers)
        {
            _keyArena = new RegionKeyArena(buffers.Rent, buffers.Retire);
        }
    }

    public RowEntry Current => _current;

    /// <summary>The size of the reads this iterator starts now (grown while the scan was sequential).</summary>
    public long ReadAheadBytes => _window.Bytes;

    public ValueTask<bool> MoveNextAsync(CancellationToken cancellationToken)
    {
        if (_rows is { } rows)
        {
            var step = StepInBlock(rows);
            if (step != Step.BlockDone)
            {
                return new ValueTask<bool>(step == Step.Row);
            }
        }
        else if (_done)
        {
            return new ValueTask<bool>(false);
        }

        return MoveNextSlowAsync(cancellationToken);
    }

    private async ValueTask<bool> MoveNextSlowAsync(CancellationToken cancellationToken)
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
            if (_rows is { } rows)
            {
                var step = StepInBlock(rows);
                if (step != Step.BlockDone)
                {
                    return step == Step.Row;
                }
            }

            var block = await NextBlockAsync(cancellationToken).ConfigureAwait(false);
            if (block is null)
            {
                return Finish();
            }

            // Every row of the blocks before this one has been returned: their rebuilt keys' chunks can be retired.
            _keyArena?.ReleaseFilled();
            if (_blockIterator is { } reused && reused.Block.Version == block.Version)
            {
                reused.Reset(block);
            }
            else
            {
                _blockIterator = block.CreateIterator();
                if (_blockIterator is BlockIteratorV2 v2)
                {
                    v2.KeyArena = _keyArena;
                }
            }

            _rows = _blockIterator;
            Position(_rows);
        }
    }

    /// <summary>The next row of the block in memory: a row (now <see cref="Current"/>), the end of the range, or the end of the block.</summary>
    private Step StepInBlock(BlockIterator rows)
    {
        while (rows.IsValid)
        {
            var row = rows.Current;
            if (_checkFarBound && (_ascending ? _range.IsAfterEnd(row.Key.Span) : _range.IsBeforeStart(row.Key.Span)))
            {
                Finish();
                return Step.End;
            }

            // Step past the row captured above; it is the one to return.
            _ = _ascending ? rows.Next() : rows.Prev();

            // Keys only move away from the near end, so once one row is inside the range every later one is.
            if (_checkNearBound)
            {
                if (_ascending ? _range.IsBeforeStart(row.Key.Span) : _range.IsAfterEnd(row.Key.Span))
                {
                    continue;
                }

                _checkNearBound = false;
            }

            _current = row;
            return Step.Row;
        }

        _rows = null;
        return Step.BlockDone;
    }

    private async ValueTask<bool> OpenAsync(CancellationToken cancellationToken)
    {
        var info = _view.Sst.Info;
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

        _sst = await _tables.OpenAsync(_view.Sst, cancellationToken).ConfigureAwait(false);
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
        if (_run is not null && _blockInUnit < _run.Count)
        {
            return _run.Take(_blockInUnit++, _fetch.Buffers);
        }

        // The iterator leaves the run (its last block is used up).
        LeaveRun();

        // Every block of the last read is used up: the scan takes the next read, which may grow the reads started now.
        _window.OnReadTaken(_lastStartedBytes);
        FillPipeline();
        if (!_inFlight.TryDequeue(out var unit))
        {
            return null;
        }

        _run = await unit.WaitAsync(cancellationToken).ConfigureAwait(false);
        _blockInUnit = 0;
        FillPipeline();
        return _run.Count == 0 ? null : _run.Take(_blockInUnit++, _fetch.Buffers);
    }

    /// <summary>Retires the buffers of the run the iterator is done with (rows over them may still be held downstream).</summary>
    private void LeaveRun()
    {
        if (_run is { } run && _fetch.Buffers is { } buffers)
        {
            run.Retire(buffers);
        }

        _run = null;
    }

    /// <summary>Starts reads until <see cref="BlockFetch.MaxFetchTasks"/> are in flight or no block is left.</summary>
    private void FillPipeline()
    {
        var sst = _sst!;
        while (_inFlight.Count < Math.Max(1, _fetch.MaxFetchTasks) && HasMoreToFetch())
        {
            // Take adjacent blocks in the scan's direction up to the read-ahead budget (at least one), never past
            // the last block the range can touch.
            var budget = _window.Bytes;
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
                if (bytes + size > budget)
                {
                    break;
                }

                bytes += size;
                count++;
            }

            var lowest = _ascending ? first : first - count + 1;
            _nextToFetch = _ascending ? first + count : first - count;
            _lastStartedBytes = bytes;
            _reads ??= new CancellationTokenSource();
            _inFlight.Enqueue(FetchAsync(sst, lowest, count, reversed: !_ascending, _reads.Token));
        }
    }

    /// <summary>Cancels the reads in flight and ends the iterator.</summary>
    public void Dispose()
    {
        Finish();
        _nextToFetch = _lastBlock + (_ascending ? 1 : -1);
        // Reads still in flight may yet write into their buffers: those are left to the GC.
        _inFlight.Clear();
        LeaveRun();
        if (_reads is { } reads)
        {
            _reads = null;
            reads.Cancel();
            reads.Dispose();
        }
    }

    private bool HasMoreToFetch() => _ascending ? _nextToFetch <= _lastBlock : _nextToFetch >= _lastBlock;

    private async Task<BlockRun> FetchAsync(SstFile sst, int lowest, int count, bool reversed, CancellationToken cancellationToken)
    {
        if (_fetch.Buffers is { } buffers)
        {
            return await _tables.ReadBlockRunAsync(sst, lowest, count, reversed, buffers, cancellationToken).ConfigureAwait(false);
        }

        var blocks = await _tables.ReadBlocksAsync(sst, lowest, count, _fetch.CacheBlocks, cancellationToken).ConfigureAwait(false);
        if (reversed)
        {
            Array.Reverse(blocks);
        }

        return BlockRun.Of(blocks);
    }

    private bool Finish()
    {
        _done = true;
        _rows = null;
        _blockIterator = null;
        _keyArena?.ReleaseAll();
        return false;
    }

    private enum Step
    {
        /// <summary>A row is ready.</summary>
        Row,

        /// <summary>The range ended: no row is left.</summary>
        End,

        /// <summary>The block in memory has no row left: fetch the next.</summary>
        BlockDone,
    }
}
